"""Run the autofixer over a tree of Python files (a COPY of the real corpus: it rewrites files in place).

    python bench/fix_corpus.py COPY_DIR [--safe-only] [--out report.txt]

For every file: whether it compiled before, the fixes applied (with --unsafe-fixes unless --safe-only),
whether it still compiles after, and whether a second run changes anything. Prints the totals; with --out,
writes one line per applied fix, per file that stopped compiling and per file a second run changed.
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
import warnings
from pathlib import Path

from flake8_async_pitfalls.fixes import fix_file
from flake8_async_pitfalls.settings import Settings


def compiles(path: Path) -> bool:
    """Whether the file compiles under this interpreter (warnings ignored)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", type=Path)
    parser.add_argument("--safe-only", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    unsafe = not args.safe_only
    settings = Settings()
    files = sorted(p for p in args.root.rglob("*.py") if p.is_file() and not p.is_symlink())
    counts: collections.Counter[str] = collections.Counter()
    left: collections.Counter[str] = collections.Counter()
    report: list[str] = []
    compiled_before = changed = broken = unstable = errors = 0
    start = time.perf_counter()
    for path in files:
        was_ok = compiles(path)
        compiled_before += was_ok
        first = fix_file(path, settings, unsafe=unsafe)
        if first.error is not None:
            errors += 1
            report.append(f"{path}: error: {first.error}")
            continue
        for finding in first.applied:
            counts[finding.code] += 1
            report.append(f"{path}:{finding.line}:{finding.col + 1}: {finding.code} fixed")
        for finding, reason in first.skipped:
            left[f"{finding.code}: {reason}"] += 1
        if not first.changed:
            continue
        changed += 1
        if was_ok and not compiles(path):
            broken += 1
            report.append(f"{path}: compiled before the fix, not after")
        second = fix_file(path, settings, unsafe=unsafe)
        if second.changed or second.applied:
            unstable += 1
            report.append(f"{path}: a second run changed it again ({len(second.applied)} fixes)")
    elapsed = time.perf_counter() - start
    print(f"{len(files)} files, {compiled_before} compiled before; {changed} changed by the fix; "
          f"{broken} stopped compiling; {unstable} changed again by a second run; {errors} left alone (error); "
          f"{elapsed:.0f} s")
    print(f"fixes applied ({'safe and unsafe' if unsafe else 'safe only'}): {sum(counts.values())}")
    for code, count in sorted(counts.items()):
        print(f"  {code}: {count}")
    print("findings left, by reason:")
    for reason, count in left.most_common():
        print(f"  {count:6d}  {reason}")
    if args.out is not None:
        args.out.write_text("\n".join(report) + "\n", encoding="utf-8")
    return 1 if broken or unstable else 0


if __name__ == "__main__":
    sys.exit(main())
