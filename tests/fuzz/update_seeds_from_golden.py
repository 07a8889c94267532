#!/usr/bin/env python3
"""Writes update_fuzz's seed corpus (tests/fuzz/corpus/update/) from the golden update cases:
one {"q", "u", "arrayFilters"} file per update statement whose "u" is a document.
Usage: tests/fuzz/update_seeds_from_golden.py (from the repo root; replaces the corpus)."""
import glob
import json
import os
import shutil

out_dir = "tests/fuzz/corpus/update"
shutil.rmtree(out_dir, ignore_errors=True)
os.makedirs(out_dir)
for path in sorted(glob.glob("tests/query/golden/update/*.json")):
    stem = os.path.splitext(os.path.basename(path))[0]
    for i, case in enumerate(json.load(open(path))["cases"]):
        cmd = case["command"]
        if "updates" in cmd:
            stmts = [(s.get("q", {}), s.get("u"), s.get("arrayFilters")) for s in cmd["updates"]]
        elif "findAndModify" in cmd:
            stmts = [(cmd.get("query", {}), cmd.get("update"), cmd.get("arrayFilters"))]
        else:
            stmts = []
        for j, (q, u, array_filters) in enumerate(stmts):
            if not isinstance(u, dict):
                continue
            seed = {"q": q, "u": u}
            if array_filters is not None:
                seed["arrayFilters"] = array_filters
            with open(os.path.join(out_dir, f"{stem}_{i:02d}_{j}.json"), "w") as f:
                json.dump(seed, f, separators=(",", ":"))
