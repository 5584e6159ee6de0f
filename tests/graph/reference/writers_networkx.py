#!/usr/bin/python3
"""Reads Waymark's GEXF and GraphML files with NetworkX and dumps what it read.

Used by tests/graph/writers_test.cpp: the test writes a document with the
C++ writers, runs this script on the files, and compares the JSON with the
document: node and edge counts, attribute values and their types (JSON keeps
int, float, bool and string apart).

    writers_networkx.py [--gexf FILE] [--graphml FILE] --out FILE.json

The JSON is {"gexf": G, "graphml": G} for the files given, with G =
{"directed", "multigraph", "graph": {...}, "nodes": {id: {...}},
"edges": [{"id", "ends": [u, v] sorted, "data": {...}}]}.

NetworkX 2.8 (Debian 12) knows GEXF 1.1draft and 1.2draft only; 1.3 support
came with networkx PR #8196 (2025), which does nothing but register the 1.3
namespaces with the reader. This script registers them the same way, so the
2.8 reader parses our 1.3 files with its own code.
"""

import argparse
import json
import sys


def dump(graph):
    nodes = {str(node): data for node, data in graph.nodes(data=True)}
    edges = []
    if graph.is_multigraph():
        items = graph.edges(keys=True, data=True)
    else:
        items = ((u, v, None, data) for u, v, data in graph.edges(data=True))
    for u, v, key, data in items:
        data = dict(data)
        # GEXF keeps the id in the data; GraphML multigraphs use it as the key.
        edge_id = data.pop("id", key)
        edges.append({"id": str(edge_id), "ends": sorted([str(u), str(v)]), "data": data})
    return {
        "directed": graph.is_directed(),
        "multigraph": graph.is_multigraph(),
        "graph": graph.graph,
        "nodes": nodes,
        "edges": edges,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gexf")
    parser.add_argument("--graphml")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    try:
        import networkx as nx
        from networkx.readwrite import gexf
    except ImportError as error:
        sys.exit(f"NetworkX is missing ({error}): `make test` installs python3-networkx")

    if "1.3" not in gexf.GEXF.versions:
        gexf.GEXF.versions["1.3"] = {
            "NS_GEXF": "http://gexf.net/1.3",
            "NS_VIZ": "http://gexf.net/1.3/viz",
            "NS_XSI": "http://www.w3.org/2001/XMLSchema-instance",
            "SCHEMALOCATION": "http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd",
            "VERSION": "1.3",
        }

    result = {"networkx": nx.__version__}
    if args.gexf:
        result["gexf"] = dump(nx.read_gexf(args.gexf, version="1.3"))
    if args.graphml:
        result["graphml"] = dump(nx.read_graphml(args.graphml))
    with open(args.out, "w", encoding="utf-8") as out:
        # allow_nan=False: a NaN would be invalid JSON; the writers never
        # write one, so finding one is an error worth a traceback.
        json.dump(result, out, allow_nan=False)


if __name__ == "__main__":
    main()
