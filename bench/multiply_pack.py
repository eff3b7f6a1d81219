#!/usr/bin/env python3
"""Writes variants of the shipped rule pack, for the end-to-end benchmark.

    multiply_pack.py REPO OUT_DIR --copies 9          # a pack of 9 varied copies of every rule
    multiply_pack.py REPO OUT_DIR --without-scripts   # the shipped pack minus its script rules

REPO is the repository root (its pack.yaml, rules/ and plugins/). The output
is a pack (a folder with pack.yaml, rules/ and plugins/) named `bench-x10` or
`bench-no-rhai`, with the shipped pack's params, for `rules check --rules`.

Copies are not identical (a cache could collapse those): each copy `k` gets
the id `<id>-x<k>`, its numeric thresholds (`gt`, `gte`, `lt`, `lte` with a
plain number) scaled by `1 + k/20`, and every tenth keyword of its lists
(starting at the `k`-th) replaced by a copy-specific variant, so every copy
scans the same fields with a different keyword set. Titles and labels stay,
so the copies compete with the originals like a team's near-duplicate rules.
The rule files are rewritten line by line (no YAML library needed).
"""

import argparse
import pathlib
import re
import shutil
import sys

ID = re.compile(r"^id:\s*(\S+)\s*$")
THRESHOLD = re.compile(r"^(\s+(?:gt|gte|lt|lte):\s*)(-?[0-9]+(?:\.[0-9]+)?)\s*$")
# A plain list item (a keyword), not a mapping, flow collection or quoted template.
KEYWORD = re.compile(r"^(\s+-\s+)([^:{}\[\]#\"'][^:{}\[\]#]*?)\s*$")
SCRIPT = re.compile(r"^\s*(?:-\s+)?script:", re.MULTILINE)


def vary(text: str, copy: int) -> str:
    out = []
    keyword_index = 0
    for line in text.splitlines():
        if m := ID.match(line):
            line = f"id: {m.group(1)}-x{copy}"
        elif m := THRESHOLD.match(line):
            number = float(m.group(2)) * (1 + copy / 20)
            value = str(round(number)) if "." not in m.group(2) else f"{number:.4g}"
            line = f"{m.group(1)}{value}"
        elif m := KEYWORD.match(line):
            if keyword_index % 10 == copy % 10:
                line = f"{m.group(1)}{m.group(2)} v{copy}"
            keyword_index += 1
        out.append(line)
    return "\n".join(out) + "\n"


def rule_files(rules: pathlib.Path):
    """The YAML files that are rules (they have a top-level `id:`)."""
    return sorted(
        p for p in rules.rglob("*.yaml") if any(ID.match(line) for line in p.read_text(encoding="utf-8").splitlines())
    )


def manifest(repo: pathlib.Path, name: str, plugins: bool) -> str:
    """The shipped pack.yaml renamed, with its params, without its tests."""
    out = []
    skipping = False
    for line in (repo / "pack.yaml").read_text(encoding="utf-8").splitlines():
        key = re.match(r"^([a-z_]+):", line)
        if key:
            skipping = key.group(1) in ("name", "tests", "plugins", "rules", "description")
        if not skipping and not line.startswith("#"):
            out.append(line)
    head = [f"name: {name}", f"description: {name} for bench/run.sh", 'rules: ["rules/**"]']
    if plugins:
        head.append('plugins: ["plugins/**"]')
    return "\n".join(head + out) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repo", type=pathlib.Path)
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--copies", type=int, default=0)
    parser.add_argument("--without-scripts", action="store_true")
    args = parser.parse_args()
    rules = args.repo / "rules"
    files = rule_files(rules)
    if not files:
        print(f"no rule files under {rules}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    name = "bench-no-rhai" if args.without_scripts else f"bench-x{args.copies + 1}"
    (args.out / "pack.yaml").write_text(manifest(args.repo, name, not args.without_scripts), encoding="utf-8")
    if not args.without_scripts and (args.repo / "plugins").is_dir():
        shutil.copytree(args.repo / "plugins", args.out / "plugins", dirs_exist_ok=True)
    written = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        relative = path.relative_to(rules)
        if args.without_scripts:
            if SCRIPT.search(text):
                continue
            target = args.out / "rules" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            written += 1
        for copy in range(1, args.copies + 1):
            # The file is named after the rule's new id, as rule files must be.
            target = args.out / "rules" / f"x{copy}" / relative.parent / f"{path.stem}-x{copy}{path.suffix}"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(vary(text, copy), encoding="utf-8")
            written += 1
    # Script files a rule names by a path next to it go with every copy.
    if not args.without_scripts:
        for path in sorted(rules.rglob("*.rhai")):
            relative = path.relative_to(rules)
            for copy in range(1, args.copies + 1):
                target = args.out / "rules" / f"x{copy}" / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
    print(f"{written} rule files written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
