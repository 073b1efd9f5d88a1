#!/usr/bin/env python3
"""plugsmith check against ruff check on the same corpus, runs alternating.

    python3 bench/compare_ruff.py CORPUS_DIR [--runs 10] [--plugsmith target/release/plugsmith] [--ruff ruff]

Both tools run cold (`ruff check --no-cache`, plugsmith has no cache), output to /dev/null,
one after the other, RUNS times (after one warm-up run of each, so the page cache is equally
warm). Prints each tool's median and p90 wall time and the ratio of medians plugsmith/ruff
(budget: at most 1.0).
"""
import argparse
import statistics
import subprocess
import time


def timed(command):
    start = time.perf_counter()
    result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise SystemExit(f"{command[0]} failed ({result.returncode}): {result.stderr.decode()[:500]}")
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--plugsmith", default="target/release/plugsmith")
    parser.add_argument("--ruff", default="ruff")
    args = parser.parse_args()
    plugsmith = [args.plugsmith, "check", "--output-format", "concise", args.corpus]
    ruff = [args.ruff, "check", "--no-cache", "--output-format", "concise", args.corpus]
    timed(plugsmith)
    timed(ruff)
    times = {"plugsmith": [], "ruff": []}
    for _ in range(args.runs):
        times["plugsmith"].append(timed(plugsmith))
        times["ruff"].append(timed(ruff))
    version = subprocess.run([args.ruff, "--version"], capture_output=True, text=True).stdout.strip()
    for name, values in times.items():
        values.sort()
        p90 = values[min(len(values) - 1, int(0.9 * len(values)))]
        print(f"{name:10} median {statistics.median(values) * 1000:8.1f} ms   p90 {p90 * 1000:8.1f} ms   ({args.runs} runs)")
    ratio = statistics.median(times["plugsmith"]) / statistics.median(times["ruff"])
    print(f"ratio plugsmith/ruff (medians): {ratio:.2f}   [{version}]")


if __name__ == "__main__":
    main()
