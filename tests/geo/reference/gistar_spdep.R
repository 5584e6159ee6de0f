# Reference values for tests/geo/gistar_test.cpp from R spdep, on the very
# points and values the test wrote. Binary doubles in and out, so that no
# coordinate is re-rounded on the way (neighbour bounds are tested exactly).
#
# Input file: n (double), then x[1..n], y[1..n], value[1..n] (little endian).
#
#   Rscript gistar_spdep.R localg IN OUT BAND1 [BAND2 ...]
#     OUT: for each band, z[1..n] of localG with
#          nb2listw(include.self(dnearneigh(xy, 0, BAND)), style = "B"), then
#          card()[1..n] of the same neighbour lists.
#   Rscript gistar_spdep.R moran IN OUT BAND1 [BAND2 ...]
#     OUT: for each band, statistic (z), I, E(I), Var(I) of moran.test with
#          nb2listw(dnearneigh(xy, 0, BAND), style = "W"), randomisation = TRUE.
suppressMessages(library(spdep))

args <- commandArgs(trailingOnly = TRUE)
mode <- args[1]
input <- file(args[2], "rb")
n <- readBin(input, "double", 1, size = 8, endian = "little")
x <- readBin(input, "double", n, size = 8, endian = "little")
y <- readBin(input, "double", n, size = 8, endian = "little")
value <- readBin(input, "double", n, size = 8, endian = "little")
close(input)
xy <- cbind(x, y)
bands <- as.numeric(args[4:length(args)])

result <- c()
if (mode == "localg") {
  for (band in bands) {
    nb <- include.self(dnearneigh(xy, 0, band))
    z <- localG(value, nb2listw(nb, style = "B"))
    result <- c(result, as.numeric(z), as.numeric(card(nb)))
  }
} else if (mode == "moran") {
  for (band in bands) {
    lw <- nb2listw(dnearneigh(xy, 0, band), style = "W")
    test <- moran.test(value, lw, randomisation = TRUE)
    result <- c(result, test$statistic, test$estimate[1], test$estimate[2], test$estimate[3])
  }
} else {
  stop(paste("unknown mode", mode))
}
output <- file(args[3], "wb")
writeBin(as.numeric(result), output, size = 8, endian = "little")
close(output)
