"""The plugin's added cost to a flake8 run, as a ratio of instruction counts under valgrind's callgrind.

    python bench/instructions.py --corpus /path/to/corpus [--projects httpx-0.28.1,starlette-1.10.0] [--jobs 2]
    python bench/instructions.py --corpus /path/to/corpus --with-flake8-async   # the peer too, on a small input

Why instructions: bench/speed.py compares CPU times, and on a shared machine those drift by several percent
between runs, as much as the margin being checked. The number of instructions a process executes does not
drift: each configuration runs once as ``valgrind --tool=callgrind <flake8 command>`` and the total it
collects (``Collected :``, the ``I refs`` of the run) is the same from one run to the next, whatever else the
machine is doing (with ``PYTHONHASHSEED=0``, so that set and dict layouts are too). One run per configuration
is then enough, and two of them can run side by side on two cores without disturbing each other's figures.

Their limit: instructions are not time. flake8 and the plugin are both mostly Python run by the same
interpreter loop, so the ratio of their instruction counts is a fair proxy for the ratio of their times; but
cache misses, branch mispredictions, memory bandwidth and system calls (file reads, the summary cache's
writes) are not counted, and code that allocates a lot pays more in time than its instructions say.

The configurations, in the virtual environments bench/speed.py makes (bench/out/venvs), with its flake8
command lines (``--isolated -j1 --select=E,F,W,C90[,APF] --exit-zero``): bare flake8; flake8 + the plugin
with a warm summary cache (filled by a native run just before), on a first run (the cache emptied right
before), and with ``--apf-no-project``. With ``--with-flake8-async``, bare flake8, the plugin (warm cache)
and flake8 + flake8-async are also measured on a much smaller input: flake8-async is some ten times slower
than flake8, and callgrind some fifty times slower than a native run. Target: the plugin adds at most 10% to
bare flake8. Results are printed as markdown and written to bench/out/instructions.json.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from speed import OUT, RUNS, command, count_lines, ensure_venv  # noqa: E402

DEFAULT_PROJECTS = ("httpx-0.28.1", "starlette-1.10.0", "uvicorn-0.54.0")
# about a thousand lines: flake8 + flake8-async takes a few seconds natively, a few minutes under callgrind
DEFAULT_PEER_PATHS = ("uvicorn-0.54.0/uvicorn/middleware", "uvicorn-0.54.0/uvicorn/supervisors")
TARGET = 0.10  # the plugin adds at most this share to bare flake8
CACHE_ENV = "FLAKE8_ASYNC_PITFALLS_CACHE_DIR"  # flake8_async_pitfalls.analysis.summary_cache.ENV_VAR
# summary caches of their own, apart from bench/speed.py's: a speed run at the same time empties its cache
WARM_CACHE = OUT / "instructions-cache" / "warm"
FIRST_RUN_CACHE = OUT / "instructions-cache" / "first-run"

BARE = "flake8"
WARM = "flake8+apf"
FIRST_RUN = "flake8+apf (first run, empty cache)"
NO_PROJECT = "flake8+apf --apf-no-project"
PEER = "flake8+flake8-async"
LABELS = {
    BARE: "flake8",
    WARM: "flake8 + apf (warm summary cache)",
    FIRST_RUN: "flake8 + apf (first run, empty summary cache)",
    NO_PROJECT: "flake8 + apf --apf-no-project",
    PEER: "flake8 + flake8-async",
}

_COLLECTED = re.compile(r"^==\d+== Collected : (\d+)\s*$", re.MULTILINE)
_I_REFS = re.compile(r"^==\d+== I\s+refs:\s+([\d,]+)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Measurement:
    suite: str
    run: str  # a key of bench/speed.py's RUNS
    targets: tuple[Path, ...]


def parse_instructions(stderr: str) -> int:
    """The instructions a callgrind run collected, from what valgrind wrote to stderr."""
    found = _COLLECTED.findall(stderr)
    if found:
        return int(found[-1])
    found = _I_REFS.findall(stderr)
    if found:
        return int(found[-1].replace(",", ""))
    raise ValueError("no 'Collected :' nor 'I refs:' line in valgrind's output")


def resolve_paths(corpus: Path, spec: str) -> list[Path]:
    """Comma-separated names relative to the corpus ('all': every project in it) as paths."""
    if spec == "all":
        return sorted(p for p in corpus.iterdir() if p.is_dir() and not p.name.startswith("_"))
    return [corpus / name.strip() for name in spec.split(",") if name.strip()]


def child_env(run: str, suite: str) -> dict[str, str]:
    """The environment of one flake8 child: a fixed hash seed, and the summary cache the run needs."""
    cache = FIRST_RUN_CACHE / suite if run == FIRST_RUN else WARM_CACHE
    return {**os.environ, CACHE_ENV: str(cache), "PYTHONHASHSEED": "0"}


def measure(measurement: Measurement, venvs: dict[str, Path]) -> tuple[int, float]:
    """(instructions, wall seconds) of the run under callgrind; a first run empties its cache right before."""
    argv = command(measurement.run, venvs[RUNS[measurement.run]], list(measurement.targets))
    env = child_env(measurement.run, measurement.suite)
    if measurement.run == FIRST_RUN:
        shutil.rmtree(env[CACHE_ENV], ignore_errors=True)
    start = time.perf_counter()
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv], env=env,
                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, errors="replace", check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        tail = "\n".join(done.stderr.splitlines()[-20:])
        raise RuntimeError(f"{measurement.suite} / {measurement.run} exited with {done.returncode}:\n{tail}")
    return parse_instructions(done.stderr), wall


def added_over_bare(instructions: dict[str, int]) -> dict[str, float]:
    """Each configuration's instructions beyond bare flake8's, as a share of bare flake8's."""
    bare = instructions[BARE]
    return {run: count / bare - 1 for run, count in instructions.items() if run != BARE}


def table(instructions: dict[str, int]) -> str:
    """The markdown table of one suite."""
    added = added_over_bare(instructions)
    rows = ["| configuration | instructions (G) | added over bare |", "|---|---:|---:|"]
    for run, count in instructions.items():
        share = f"{added[run]:+.1%}" if run in added else "-"
        rows.append(f"| {LABELS[run]} | {count / 1e9:.2f} | {share} |")
    return "\n".join(rows)


def verdicts(instructions: dict[str, int], judged: bool = True) -> list[str]:
    """One line per way the plugin ran: its added share, against the target when ``judged`` (the corpus; on
    the small input of the flake8-async comparison the plugin's fixed start-up cost weighs more)."""
    added = added_over_bare(instructions)
    lines = []
    for run in (WARM, FIRST_RUN, NO_PROJECT):
        if run in added:
            verdict = "within" if added[run] <= TARGET else "OVER"
            judgement = (f"{verdict} the target of at most {TARGET:+.0%}" if judged
                         else "a small input: the target applies to the corpus")
            lines.append(f"- {LABELS[run]}: the plugin adds {added[run]:+.1%} of instructions to bare flake8 "
                         f"({judgement})")
    if PEER in added and WARM in added:
        ratio = added[WARM] / added[PEER] if added[PEER] > 0 else float("nan")
        lines.append(f"- the plugin's added instructions are {ratio:.3f} of what flake8-async adds "
                     f"(target: at most 1/30 = 0.033)")
    return lines


def version(argv: list[str]) -> str:
    """What a --version command prints, on one line."""
    done = subprocess.run(argv, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL)
    return " ".join((done.stdout or done.stderr).split()) if done.returncode == 0 else "unknown"


def warm_up(suites: dict[str, list[Path]], venvs: dict[str, Path], runs: dict[str, list[str]]) -> None:
    """One native run of each venv on each input: byte code compiled, and the warm summary cache filled."""
    shutil.rmtree(WARM_CACHE, ignore_errors=True)
    for suite, targets in suites.items():
        for run in runs[suite]:
            if run in (BARE, WARM, PEER):
                subprocess.run(command(run, venvs[RUNS[run]], targets), env=child_env(run, suite),
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               check=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True, help="directory made by shared/corpus/fetch.sh")
    parser.add_argument("--projects", default=",".join(DEFAULT_PROJECTS),
                        help="comma-separated corpus projects to measure (all: 'all'; default: %(default)s)")
    parser.add_argument("--jobs", type=int, default=2, help="valgrind children at a time (default: %(default)s)")
    parser.add_argument("--with-flake8-async", action="store_true",
                        help="also measure flake8 + flake8-async (with bare flake8 and the plugin) on --peer-paths")
    parser.add_argument("--peer-paths", default=",".join(DEFAULT_PEER_PATHS),
                        help="comma-separated paths in the corpus for the flake8-async comparison "
                             "(default: %(default)s)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")

    if shutil.which("valgrind") is None:
        print("valgrind not found on PATH (on Debian/Ubuntu: apt-get install valgrind)", file=sys.stderr)
        return 2
    if not args.corpus.is_dir():
        print(f"corpus directory {args.corpus} not found (make it with shared/corpus/fetch.sh)", file=sys.stderr)
        return 2
    suites: dict[str, list[Path]] = {"corpus": resolve_paths(args.corpus, args.projects)}
    runs: dict[str, list[str]] = {"corpus": [BARE, WARM, FIRST_RUN, NO_PROJECT]}
    if args.with_flake8_async:
        suites["flake8-async comparison"] = resolve_paths(args.corpus, args.peer_paths)
        runs["flake8-async comparison"] = [BARE, WARM, PEER]
    missing = [str(p) for targets in suites.values() for p in targets if not p.exists()]
    if missing or not suites["corpus"]:
        print(f"missing corpus projects: {', '.join(missing) or args.projects} (run shared/corpus/fetch.sh)",
              file=sys.stderr)
        return 2

    venvs = {RUNS[run]: ensure_venv(RUNS[run]) for suite_runs in runs.values() for run in suite_runs}
    apf_venv = venvs[RUNS[WARM]]
    versions = {
        "valgrind": version(["valgrind", "--version"]),
        "python": version([str(apf_venv / "bin" / "python"), "-c",
                           "import platform; print(platform.python_implementation(), platform.python_version())"]),
        "flake8": version([str(apf_venv / "bin" / "flake8"), "--version"]),
    }
    print(f"{versions['valgrind']}; {versions['python']}; flake8 {versions['flake8']}")
    warm_up(suites, venvs, runs)

    # the longest first, so that the last two finish together; each measurement is independent of the
    # others (the warm cache was filled above, a first run empties a cache of its own right before it starts)
    measurements = [Measurement(suite, run, tuple(suites[suite])) for suite in suites for run in runs[suite]]
    order = {PEER: 0, FIRST_RUN: 1, WARM: 2, NO_PROJECT: 3, BARE: 4}
    measurements.sort(key=lambda m: (m.suite != "corpus", order[m.run]))
    results: dict[Measurement, tuple[int, float]] = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {pool.submit(measure, m, venvs): m for m in measurements}
        for future in concurrent.futures.as_completed(futures):
            m = futures[future]
            results[m] = future.result()
            print(f"  measured {m.suite} / {LABELS[m.run]}: {results[m][0] / 1e9:.2f} G instructions in "
                  f"{results[m][1]:.0f} s", file=sys.stderr, flush=True)

    suite_reports: dict[str, dict[str, object]] = {}
    for suite, targets in suites.items():
        files, lines = count_lines(targets)
        instructions = {run: results[Measurement(suite, run, tuple(targets))][0] for run in runs[suite]}
        suite_reports[suite] = {
            "paths": [str(t) for t in targets], "files": files, "lines": lines,
            "instructions": {LABELS[run]: count for run, count in instructions.items()},
            "added_over_bare": {LABELS[run]: share for run, share in added_over_bare(instructions).items()},
            "callgrind_wall_s": {LABELS[run]: round(results[Measurement(suite, run, tuple(targets))][1], 1)
                                 for run in runs[suite]},
            "commands": {LABELS[run]: command(run, venvs[RUNS[run]], targets) for run in runs[suite]},
        }
        print(f"\n### {suite}: {files} files, {lines:,} lines (instructions under callgrind, one run each)\n")
        print(table(instructions))
        print()
        print("\n".join(verdicts(instructions, judged=suite == "corpus")))
    report = {**versions, "target_added_over_bare": TARGET, "jobs": args.jobs, "suites": suite_reports}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "instructions.json").write_text(json.dumps(report, indent=2, sort_keys=True))
    print(f"\nwritten {OUT / 'instructions.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
