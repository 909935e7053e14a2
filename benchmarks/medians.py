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
    gc = any("gc.alloc.rate.norm" in r.get("secondaryMetrics", {}) for r in results)
    print("| benchmark | median | min - max | mean ± error (99.9%) | unit |" + (" alloc B/op |" if gc else ""))
    print("|---|---:|---:|---:|---|" + ("---:|" if gc else ""))
    for r in results:
        name = r["benchmark"].rsplit(".", 2)
        name = name[-2] + "." + name[-1]
        params = r.get("params")
        if params:
            name += " " + " ".join("{}={}".format(k, v) for k, v in sorted(params.items()))
        metric = r["primaryMetric"]
        samples = [x for fork in metric["rawData"] for x in fork]
        row = "| {} | {:.3f} | {:.3f} - {:.3f} | {:.3f} ± {:.3f} | {} |".format(
            name, statistics.median(samples), min(samples), max(samples),
            metric["score"], metric["scoreError"], metric["scoreUnit"])
        if gc:
            alloc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
            row += " {:.0f} |".format(alloc["score"]) if alloc else " |"
        print(row)


if __name__ == "__main__":
    main(sys.argv[1])
