#!/usr/bin/python3
"""igraph's multilevel (Louvain) communities on a graph file, as the
reference for the Louvain test in tests/graph/measures_test.cpp.

usage: measures_igraph.py GRAPH.txt OUT.txt SEEDS [RESOLUTION]
       measures_igraph.py --jobs JOBS.txt   (one run per line, same arguments)

GRAPH.txt is the format of measures_networkx.py (`nodes N`, then `a b
weight` lines; repeated edges summed, self-loops dropped). For each seed
1..SEEDS, python-igraph's random number generator (Python's `random`
module, igraph's default) is seeded with random.seed(seed) and
Graph.community_multilevel(weights="weight", resolution=RESOLUTION) is run;
OUT.txt gets one line `seed modularity communities` per seed, the
modularity as igraph computes it for the final level (weighted, with the
same resolution).
"""
import random
import sys

import igraph


def read_graph(path):
    with open(path) as source:
        header = source.readline().split()
        if len(header) != 2 or header[0] != "nodes":
            sys.exit(f"{path}: the first line must be 'nodes N'")
        n = int(header[1])
        weights = {}
        for line in source:
            fields = line.split()
            if not fields:
                continue
            a, b, weight = int(fields[0]), int(fields[1]), float(fields[2])
            if a == b:
                continue
            key = (min(a, b), max(a, b))
            weights[key] = weights.get(key, 0.0) + weight
    g = igraph.Graph(n=n, edges=list(weights.keys()))
    g.es["weight"] = list(weights.values())
    return g


def run(graph, out, seeds, resolution="1"):
    g = read_graph(graph)
    resolution = float(resolution)
    with open(out, "w") as target:
        for seed in range(1, int(seeds) + 1):
            random.seed(seed)
            clustering = g.community_multilevel(weights="weight", resolution=resolution)
            q = g.modularity(clustering.membership, weights="weight", resolution=resolution)
            target.write("%d %.17g %d\n" % (seed, q, len(clustering)))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--jobs":
        with open(sys.argv[2]) as jobs:
            for line in jobs:
                if line.strip():
                    run(*line.split())
    elif len(sys.argv) in (4, 5):
        run(*sys.argv[1:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
