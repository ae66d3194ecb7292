"""Run every rule's example pair with its probe, record the figures, then regenerate the docs.

    python scripts/record_examples.py                 # every rule in ALL_RULES that has examples
    python scripts/record_examples.py APF201 APF202   # only these (the others' records are kept)
    python scripts/record_examples.py --no-docs       # record only; docs: python -m flake8_async_pitfalls.docgen

The figures go to fixtures/examples/measurements.json (sorted keys, stable formatting), one entry per rule
code: the probe's verdict (tests/probes.py ``verify(rule)`` / ``Verdict.as_json()``), whether it was ok,
the Python that measured it and a fingerprint of the example files (a changed example needs re-recording).
The docs pages show these figures; generating the docs never runs the examples.

Runs are sequential on purpose: the stall probe measures event-loop lag, which parallel runs would inflate.
Several people may record at once: the file is re-read and merged under a lock right before writing.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import platform
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flake8_async_pitfalls import docgen  # noqa: E402
from flake8_async_pitfalls.rules import ALL_RULES  # noqa: E402
from flake8_async_pitfalls.rules.base import Rule  # noqa: E402
from tests import probes  # noqa: E402

MEASUREMENTS = ROOT / docgen.MEASUREMENTS


def _rounded(value: Any) -> Any:
    """Floats cut to the microsecond (fine enough that the figures shown round as the summary did)."""
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return value


def has_examples(rule: Rule) -> bool:
    directory = probes.example_dir(rule.code)
    return all((directory / name).is_file() for name in docgen.EXAMPLE_FILES)


def measure(rule: Rule, retries: int) -> dict[str, Any]:
    """Run the rule's examples (again up to ``retries`` times while the verdict is not ok)."""
    digest = docgen.examples_digest(probes.example_dir(rule.code))
    verdict = probes.verify(rule)
    attempt = 0
    while not verdict.ok and attempt < retries:
        attempt += 1
        print(f"  {rule.code}: not confirmed ({verdict.problems[0].splitlines()[0]}); retrying", flush=True)
        verdict = probes.verify(rule)
    entry: dict[str, Any] = dict(verdict.as_json())
    entry["ok"] = verdict.ok
    entry["problems"] = [problem.strip().splitlines()[0][:300] for problem in verdict.problems if problem.strip()]
    entry["python"] = platform.python_version()
    entry["implementation"] = platform.python_implementation()
    entry["examples_sha256"] = digest
    rounded: dict[str, Any] = _rounded(entry)
    return rounded


def write_merged(measured: dict[str, dict[str, Any]], dropped: set[str]) -> None:
    """Merge into the file under a lock: re-read it, update what was measured, keep everything else."""
    MEASUREMENTS.parent.mkdir(parents=True, exist_ok=True)
    known = {rule.code for rule in ALL_RULES}
    # the lock file lives outside the work tree, keyed by the file's path, so git never sees it
    key = hashlib.sha256(str(MEASUREMENTS).encode()).hexdigest()[:16]
    with open(Path(tempfile.gettempdir()) / f"apf-measurements-{key}.lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            current = json.loads(MEASUREMENTS.read_text(encoding="utf-8")) if MEASUREMENTS.is_file() else {}
            merged = {code: entry for code, entry in current.items() if code in known and code not in dropped}
            merged.update(measured)
            text = json.dumps(merged, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
            tmp = MEASUREMENTS.with_suffix(".json.tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(MEASUREMENTS)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("codes", nargs="*", help="rule codes to record (default: every rule)")
    parser.add_argument("--retries", type=int, default=1,
                        help="re-runs of a pair whose verdict is not ok, for a busy machine (default: 1)")
    parser.add_argument("--no-docs", action="store_true", help="do not regenerate the docs afterwards")
    args = parser.parse_args(argv)

    by_code = {rule.code: rule for rule in ALL_RULES}
    unknown = [code for code in args.codes if code.upper() not in by_code]
    if unknown:
        parser.error(f"unknown rule code(s): {', '.join(unknown)}")
    selected = [by_code[code.upper()] for code in args.codes] if args.codes else list(ALL_RULES)

    measured: dict[str, dict[str, Any]] = {}
    dropped: set[str] = set()
    failed: list[str] = []
    for rule in selected:
        if not has_examples(rule):
            print(f"{rule.code}: skipped, no complete example pair in {probes.example_dir(rule.code)}")
            dropped.add(rule.code)
            continue
        print(f"{rule.code}: running the examples (probe {rule.probe}) ...", flush=True)
        entry = measure(rule, args.retries)
        measured[rule.code] = entry
        print(f"{rule.code}: {'ok' if entry['ok'] else 'NOT OK'}: {entry['summary']}")
        for problem in entry["problems"]:
            print(f"  problem: {problem}")
        if not entry["ok"]:
            failed.append(rule.code)

    write_merged(measured, dropped)
    print(f"recorded {len(measured)} rule(s) in {MEASUREMENTS.relative_to(ROOT)}")
    if not args.no_docs:
        try:
            for path in docgen.generate(ROOT):
                print(f"updated: {path.relative_to(ROOT)}")
        except docgen.DocgenError as exc:
            print(f"docs not regenerated: {exc}", file=sys.stderr)
            return 2
    if failed:
        print(f"the examples of {', '.join(failed)} did not show their pitfall (see problems above)",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
