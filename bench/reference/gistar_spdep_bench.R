# The spdep side of bench/gistar_bench.cpp: the same 100,000 cells and band,
# Gi* as spdep computes it (analytic z only; spdep's localG has no
# permutations), timed by step and together, median of RUNS runs.
#
#   build/release/bench/bench_gistar --write-grid=/tmp/gistar-grid.bin
#   Rscript bench/reference/gistar_spdep_bench.R /tmp/gistar-grid.bin 200.5 3
#
# With the dbscan package (Debian's r-cran-dbscan, which `make test-deps`
# installs) dnearneigh uses a k-d tree; without it, its C all-pairs loop. The
# first line printed says which.
suppressMessages(library(spdep))

args <- commandArgs(trailingOnly = TRUE)
path <- args[1]
band <- as.numeric(args[2])
runs <- if (length(args) >= 3) as.integer(args[3]) else 3

input <- file(path, "rb")
n <- readBin(input, "double", 1, size = 8, endian = "little")
x <- readBin(input, "double", n, size = 8, endian = "little")
y <- readBin(input, "double", n, size = 8, endian = "little")
value <- readBin(input, "double", n, size = 8, endian = "little")
close(input)
xy <- cbind(x, y)
cat(sprintf("spdep %s, %d cells, band %.1f m, dbscan k-d tree: %s\n",
            packageVersion("spdep"), length(value), band,
            requireNamespace("dbscan", quietly = TRUE)))

seconds <- function(expr) unname(system.time(expr)["elapsed"])
times <- matrix(NA, runs, 4, dimnames = list(NULL, c("dnearneigh", "nb2listw", "localG", "total")))
for (r in seq_len(runs)) {
  t_nb <- seconds(nb <- include.self(dnearneigh(xy, 0, band)))
  t_lw <- seconds(lw <- nb2listw(nb, style = "B"))
  t_g <- seconds(z <- localG(value, lw))
  times[r, ] <- c(t_nb, t_lw, t_g, t_nb + t_lw + t_g)
  cat(sprintf("run %d: dnearneigh %.3f s, nb2listw %.3f s, localG %.3f s, total %.3f s\n",
              r, t_nb, t_lw, t_g, t_nb + t_lw + t_g))
}
medians <- apply(times, 2, median)
cat(sprintf("median of %d: dnearneigh %.3f s, nb2listw %.3f s, localG %.3f s, total %.3f s\n",
            runs, medians[1], medians[2], medians[3], medians[4]))
cat(sprintf("mean neighbours (self included): %.2f\n", mean(card(nb))))
