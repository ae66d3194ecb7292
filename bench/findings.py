"""List every finding of the linter on a tree of Python files (e.g. the real corpus), by rule.

    python bench/findings.py CORPUS_DIR [--out findings.txt] [--select APF101,APF201]

Runs the checker directly (ast.parse + check_tree per file, no other flake8 plugins) and prints a
count per rule; with --out, writes one line per finding for review.
"""

from __future__ import annotations

import argparse
import ast
import collections
import sys
import time
import tokenize
import warnings
from pathlib import Path

from flake8_async_pitfalls.checker import check_tree


def iter_python_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if p.is_file() and "/_dl/" not in str(p))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--select", default="")
    args = parser.parse_args(argv)
    select = {c.strip() for c in args.select.split(",") if c.strip()}
    counts: collections.Counter[str] = collections.Counter()
    lines_out: list[str] = []
    files = iter_python_files(args.root)
    total_lines = 0
    start = time.perf_counter()
    skipped = 0
    for path in files:
        try:
            with tokenize.open(path) as handle:
                source = handle.read()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = ast.parse(source, filename=str(path))
        except (SyntaxError, UnicodeDecodeError, ValueError, RecursionError):
            skipped += 1
            continue
        lines = source.splitlines(keepends=True)
        total_lines += len(lines)
        for finding in check_tree(tree, str(path), lines):
            if select and finding.code not in select:
                continue
            counts[finding.code] += 1
            lines_out.append(f"{path}:{finding.line}:{finding.col + 1}: {finding.code} {finding.message}")
    elapsed = time.perf_counter() - start
    for code, count in sorted(counts.items()):
        print(f"{code}: {count}")
    print(f"{len(files)} files ({skipped} unparsable skipped), {total_lines} lines, {elapsed:.1f} s")
    if args.out:
        args.out.write_text("\n".join(lines_out) + "\n")
    else:
        print("\n".join(lines_out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
