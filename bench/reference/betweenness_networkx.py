#!/usr/bin/python3
"""Times NetworkX's betweenness on graphs bench_betweenness writes, and
scales the time to the benchmark graph, in one of two ways.

usage: betweenness_networkx.py GRAPH.txt [GRAPH2.txt ...] [--repeats 1]
                               [--scale-to 50000 250000] [--sources K]

Without --sources: for each graph, `repeats` runs of the exact
networkx.betweenness_centrality(G) (unweighted; pure Python), timed with
time.perf_counter (reading is not timed), and the median. Brandes' algorithm
costs O(n·m) on an unweighted graph — one BFS of O(n + m) per source — so the
median is also given scaled by (N·M)/(n·m) to the --scale-to size. Timing
two sizes of the same generator shows how well the scaling holds.

With --sources K: on the (large) graph itself, `repeats` runs of
networkx.betweenness_centrality(G, k=K, seed=1), which runs the same
per-source search and accumulation from K sources drawn uniformly, scaled
by n/K: an estimate of the exact run's time on the same graph, with its
memory and cache behaviour, without running all n sources.
"""
import argparse
import statistics
import time

import networkx as nx


def read_graph(path):
    G = nx.Graph()
    with open(path) as source:
        header = source.readline().split()
        G.add_nodes_from(range(int(header[1])))
        for line in source:
            fields = line.split()
            if fields and fields[0] != fields[1]:
                G.add_edge(int(fields[0]), int(fields[1]))
    return G


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("graphs", nargs="+")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--scale-to", type=int, nargs=2, default=[50000, 250000])
    parser.add_argument("--sources", type=int)
    args = parser.parse_args()
    big_n, big_m = args.scale_to
    print(f"networkx {nx.__version__}", flush=True)
    for path in args.graphs:
        G = read_graph(path)
        n, m = G.number_of_nodes(), G.number_of_edges()
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            if args.sources:
                nx.betweenness_centrality(G, k=args.sources, seed=1)
            else:
                nx.betweenness_centrality(G)
            times.append(time.perf_counter() - start)
            print(f"  {path}: run {len(times)}: {times[-1]:.3f} s", flush=True)
        median = statistics.median(times)
        if args.sources:
            factor = n / args.sources
            print(f"{path}: nodes {n} edges {m}: {args.sources} sources: median {median:.3f} s "
                  f"over {len(times)} runs; scaled by n/k to all {n} sources (x{factor:.1f}): "
                  f"{median * factor:.0f} s", flush=True)
        else:
            factor = (big_n * big_m) / (n * m)
            print(f"{path}: nodes {n} edges {m}: median {median:.3f} s over {len(times)} runs; "
                  f"scaled by n*m to {big_n} nodes {big_m} edges (x{factor:.1f}): "
                  f"{median * factor:.0f} s", flush=True)


if __name__ == "__main__":
    main()
