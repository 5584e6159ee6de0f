#!/usr/bin/python3
"""NetworkX's network measures on a graph file, as the reference for
tests/graph/measures_test.cpp.

usage: measures_networkx.py GRAPH.txt OUT.csv [PARTITIONS.txt MODULARITY.txt [SOURCES.txt SAMPLED.csv]]
       (OUT.csv '-': only the partitions and/or the sampled run)
       measures_networkx.py --jobs JOBS.txt
       (one run per line of JOBS.txt, the same arguments with '-' for an
       unused pair, so that the test pays for importing NetworkX once)

GRAPH.txt: a first line `nodes N`, then one edge `a b weight` a line. The
graph is built as the Waymark contract says (graph/graph.hpp): nodes 0..N-1
(isolated ones too), an edge given more than once becomes one edge whose
weight is the sum (in file order), self-loops are dropped.

OUT.csv gets one row per node, with a header:
  betweenness      networkx.betweenness_centrality(G)              (normalized)
  betweenness_raw  networkx.betweenness_centrality(G, normalized=False)
  closeness        networkx.closeness_centrality(G)                (wf_improved=True)
  harmonic         networkx.harmonic_centrality(G)
  eigenvector      networkx.eigenvector_centrality_numpy(G)        (unweighted)
  eigenvector_w    networkx.eigenvector_centrality_numpy(G, weight="weight")
  core             networkx.core_number(G)
  component        the node's connected component (networkx.connected_components),
                   numbered 0.. in order of each component's lowest node
  degree_w         G.degree(weight="weight")

PARTITIONS.txt: one partition a line, `resolution label_0 label_1 ...`; each
line of MODULARITY.txt is networkx.community.modularity(G, communities,
weight="weight", resolution=resolution) of that partition.

SOURCES.txt: node numbers, one a line: the sources a sampled betweenness run
used. SAMPLED.csv gets `betweenness,betweenness_raw` per node: NetworkX's own
betweenness_centrality loop (the one it runs for its `k` argument) over
exactly these sources, rescaled by its _rescale(..., k=len(sources)).
"""
import sys

import networkx as nx
from networkx.algorithms.centrality import betweenness as nx_betweenness


def read_graph(path):
    with open(path) as source:
        header = source.readline().split()
        if len(header) != 2 or header[0] != "nodes":
            sys.exit(f"{path}: the first line must be 'nodes N'")
        G = nx.Graph()
        G.add_nodes_from(range(int(header[1])))
        for line in source:
            fields = line.split()
            if not fields:
                continue
            a, b, weight = int(fields[0]), int(fields[1]), float(fields[2])
            if a == b:
                continue
            if G.has_edge(a, b):
                G[a][b]["weight"] += weight
            else:
                G.add_edge(a, b, weight=weight)
    return G


def components(G):
    label = {}
    for number, nodes in enumerate(sorted(nx.connected_components(G), key=min)):
        for v in nodes:
            label[v] = number
    return label


def sampled_betweenness(G, sources, normalized):
    # The body of networkx.betweenness_centrality (2.8) for unweighted graphs,
    # with the sampled nodes given instead of drawn.
    betweenness = dict.fromkeys(G, 0.0)
    for s in sources:
        S, P, sigma, _ = nx_betweenness._single_source_shortest_path_basic(G, s)
        betweenness, _ = nx_betweenness._accumulate_basic(betweenness, S, P, sigma, s)
    return nx_betweenness._rescale(betweenness, len(G), normalized=normalized,
                                   directed=False, k=len(sources), endpoints=False)


def run(graph, out, partitions="-", modularity_out="-", sources="-", sampled_out="-"):
    G = read_graph(graph)
    n = G.number_of_nodes()
    if out != "-":
        columns = {
            "betweenness": nx.betweenness_centrality(G),
            "betweenness_raw": nx.betweenness_centrality(G, normalized=False),
            "closeness": nx.closeness_centrality(G),
            "harmonic": nx.harmonic_centrality(G),
            "eigenvector": nx.eigenvector_centrality_numpy(G),
            "eigenvector_w": nx.eigenvector_centrality_numpy(G, weight="weight"),
            "core": nx.core_number(G),
            "component": components(G),
            "degree_w": dict(G.degree(weight="weight")),
        }
        with open(out, "w") as target:
            target.write(",".join(columns) + "\n")
            for v in range(n):
                target.write(",".join("%.17g" % column[v] for column in columns.values()) + "\n")
    if partitions != "-":
        with open(partitions) as source, open(modularity_out, "w") as target:
            for line in source:
                fields = line.split()
                if not fields:
                    continue
                resolution = float(fields[0])
                labels = [int(x) for x in fields[1:]]
                groups = {}
                for v, label in enumerate(labels):
                    groups.setdefault(label, set()).add(v)
                q = nx.community.modularity(G, list(groups.values()), weight="weight",
                                            resolution=resolution)
                target.write("%.17g\n" % q)
    if sources != "-":
        with open(sources) as source:
            chosen = [int(line) for line in source if line.strip()]
        normalized = sampled_betweenness(G, chosen, True)
        raw = sampled_betweenness(G, chosen, False)
        with open(sampled_out, "w") as target:
            target.write("betweenness,betweenness_raw\n")
            for v in range(n):
                target.write("%.17g,%.17g\n" % (normalized[v], raw[v]))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--jobs":
        with open(sys.argv[2]) as jobs:
            for line in jobs:
                if line.strip():
                    run(*line.split())
    elif len(sys.argv) in (3, 5, 7):
        run(*sys.argv[1:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
