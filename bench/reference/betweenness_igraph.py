#!/usr/bin/python3
"""Times python-igraph's betweenness on the graph bench_betweenness writes,
beside bench/betweenness_bench.cpp.

usage: betweenness_igraph.py GRAPH.txt [--repeats 3] [--write-values FILE]
                             [--compare FILE]

GRAPH.txt: `nodes N`, then `a b weight` a line (weights are ignored: the
measure counts hops). Each repeat times Graph.betweenness() (undirected, exact,
igraph's C core, one thread: igraph has no parallel betweenness) with
time.perf_counter; building the graph is not timed. Prints each run and the
median. --write-values writes igraph's value per node (pairs counted once,
NetworkX's normalized=False scale); --compare reads such a file written by
`bench_betweenness --once --write_values=FILE` and prints the largest relative
difference from igraph's values.
"""
import argparse
import resource
import statistics
import time

import igraph


def read_graph(path):
    with open(path) as source:
        header = source.readline().split()
        n = int(header[1])
        edges = [tuple(map(int, line.split()[:2])) for line in source if line.strip()]
    g = igraph.Graph(n=n, edges=edges)
    g.simplify()  # the same merging of repeats and loops Waymark's Graph does
    return g


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("graph")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--write-values")
    parser.add_argument("--compare")
    args = parser.parse_args()

    g = read_graph(args.graph)
    print(f"igraph {igraph.__version__}: nodes {g.vcount()} edges {g.ecount()}", flush=True)
    times = []
    cpu_times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        cpu_start = time.process_time()
        values = g.betweenness(directed=False)
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu_start)
        print(f"  run {len(times)}: {times[-1]:.3f} s (CPU {cpu_times[-1]:.3f} s)", flush=True)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"median {statistics.median(times):.3f} s over {len(times)} runs "
          f"(CPU median {statistics.median(cpu_times):.3f} s); max {max(values):.6g}; "
          f"peak RSS {peak_mb:.0f} MB", flush=True)
    if args.write_values:
        with open(args.write_values, "w") as out:
            for value in values:
                out.write("%.17g\n" % value)
    if args.compare:
        with open(args.compare) as source:
            ours = [float(line) for line in source if line.strip()]
        worst = max(abs(a - b) / max(abs(a), abs(b), 1e-300) if a != b else 0.0
                    for a, b in zip(ours, values))
        print(f"compared with {args.compare}: {len(ours)} values, "
              f"largest relative difference {worst:.3g}", flush=True)


if __name__ == "__main__":
    main()
