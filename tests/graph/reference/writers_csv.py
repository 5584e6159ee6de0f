#!/usr/bin/python3
"""Reads Waymark's CSV node and edge lists with Python's csv module.

Used by tests/graph/writers_test.cpp, which compares the cells with the ones
it expects. The files are decoded as strict UTF-8, so a byte sequence that is
not UTF-8 fails here.

    writers_csv.py FILE.csv... --out FILE.json

The JSON maps each file name given to its rows (lists of cells).
"""

import argparse
import csv
import json


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    result = {}
    for name in args.files:
        # newline="" hands line endings to the csv module, as its docs
        # require, so that CR LF inside quoted cells survives.
        with open(name, newline="", encoding="utf-8", errors="strict") as f:
            result[name] = [row for row in csv.reader(f, strict=True)]
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(result, out)


if __name__ == "__main__":
    main()
