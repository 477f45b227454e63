#!/usr/bin/env python3
"""Picks at most N inputs of a corpus by the edges they cover (greedy set cover).

Usage: cap_corpus.py CONTROL_FILE N OUT_DIR

CONTROL_FILE is the control file of a libFuzzer merge of the corpus with edge coverage only:
  <target> -merge=1 -use_counters=0 -merge_control_file=CONTROL_FILE EMPTY_DIR CORPUS_DIR
Named seeds (file names that are not a 40-digit SHA-1, as libFuzzer names its inputs) are always
kept; then, while fewer than N, the input that adds the most edges not yet covered (the smaller one
on a tie). The chosen inputs are copied to OUT_DIR.
"""
import os
import re
import shutil
import sys


def main():
    control, limit, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    lines = open(control).read().split("\n")
    count = int(lines[0])
    files = lines[2 : 2 + count]
    cov = {}
    for line in lines[2 + count :]:
        parts = line.split()
        if parts and parts[0] == "COV":
            cov[int(parts[1])] = set(parts[2:])
    covered, chosen = set(), []
    for i in sorted(cov):
        if not re.fullmatch(r"[0-9a-f]{40}", os.path.basename(files[i])):
            chosen.append(i)
            covered |= cov[i]
    while len(chosen) < limit:
        rest = [i for i in cov if i not in chosen]
        if not rest:
            break
        best = max(rest, key=lambda i: (len(cov[i] - covered), -os.path.getsize(files[i])))
        if not cov[best] - covered:
            break
        chosen.append(best)
        covered |= cov[best]
    total = set().union(*cov.values()) if cov else set()
    os.makedirs(out, exist_ok=True)
    for i in chosen:
        shutil.copy(files[i], out)
    print(f"{len(chosen)} inputs cover {len(covered)} of {len(total)} edges")


if __name__ == "__main__":
    main()
