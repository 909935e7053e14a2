#!/usr/bin/env python3
"""Prints a Markdown table of JMH results: the median of every measured iteration across all forks, with the
min-max range, from a JMH JSON result file (java -jar benchmarks.jar -rf json -rff FILE ...). Standard library only.

Usage: python3 benchmarks/medians.py FILE
"""
import json
import statistics
import sys


def main(path):
    with open(path) as f:
        results = json.load(f)
    print("| benchmark | median | min - max | mean ± error (99.9%) | unit |")
    print("|---|---:|---:|---:|---|")
    for r in results:
        name = r["benchmark"].rsplit(".", 2)
        name = name[-2] + "." + name[-1]
        metric = r["primaryMetric"]
        samples = [x for fork in metric["rawData"] for x in fork]
        print("| {} | {:.1f} | {:.1f} - {:.1f} | {:.1f} ± {:.1f} | {} |".format(
            name, statistics.median(samples), min(samples), max(samples),
            metric["score"], metric["scoreError"], metric["scoreUnit"]))


if __name__ == "__main__":
    main(sys.argv[1])
