"""Speed against the peers, measured in one run: bare flake8, flake8 + this plugin, flake8 + flake8-async,
and ruff's ASYNC rules as the compiled reference.

    python bench/speed.py --corpus /path/to/corpus [--projects aiohttp-3.14.5,httpx-0.28.1] [--repeats 5]

Each configuration gets its own virtual environment under bench/out/venvs (created on first use, from the
package index; this checkout is installed into the plugin's). flake8 runs with ``-j1 --isolated``; the
configurations are interleaved within each repeat and the median of the repeats is reported, as CPU time
(user + sys of the child, steadier than wall time on a shared machine) and wall time. Targets (ratios, not
seconds): the plugin adds at most 10% to bare flake8 and at most 1/30 of what flake8-async adds.

Also measured in-process: the plugin's per-file cost given the tree, against ``ast.parse`` of the same file.
Results go to bench/out/speed.json and are printed as markdown tables for docs/performance.md.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import time
import tokenize
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
VENVS = OUT / "venvs"
DEFAULT_PROJECTS = (
    "aiohttp-3.14.5", "httpx-0.28.1", "starlette-1.10.0", "uvicorn-0.54.0", "websockets-17.4", "anyio-4.16.0",
)

CONFIGS: dict[str, list[str]] = {
    "flake8": ["flake8"],
    "flake8+apf": ["flake8", str(ROOT)],
    "flake8+flake8-async": ["flake8", "flake8-async"],
    "ruff": ["ruff"],
}
# the plugin is timed three ways, in the same venv: as users run it again and again (the summary cache of
# whole-project analysis kept from the run before: editors, pre-commit, CI with a cached directory), on a
# first run (cache emptied before each run), and with whole-project analysis off
RUNS: dict[str, str] = {
    "flake8": "flake8",
    "flake8+apf (first run, empty cache)": "flake8+apf",
    "flake8+apf": "flake8+apf",
    "flake8+apf --apf-no-project": "flake8+apf",
    "flake8+flake8-async": "flake8+flake8-async",
    "ruff": "ruff",
}
APF_CACHE = OUT / "apf-summary-cache"


def ensure_venv(name: str) -> Path:
    """A venv for one configuration, created and installed once."""
    venv = VENVS / name
    marker = venv / ".installed"
    if marker.exists() and name != "flake8+apf":
        return venv
    if not (venv / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, *CONFIGS[name]], check=True)
    marker.write_text("ok")
    return venv


def count_lines(paths: list[Path]) -> tuple[int, int]:
    files = lines = 0
    for path in paths:
        for file in path.rglob("*.py") if path.is_dir() else [path]:
            files += 1
            with open(file, "rb") as handle:
                lines += sum(1 for _ in handle)
    return files, lines


def command(run: str, venv: Path, targets: list[Path]) -> list[str]:
    bin_dir = venv / "bin"
    paths = [str(t) for t in targets]
    name = RUNS[run]
    if name == "ruff":
        return [str(bin_dir / "ruff"), "check", "--isolated", "--select", "ASYNC", "--no-cache", "--exit-zero",
                "--quiet", *paths]
    select = {"flake8": "E,F,W,C90", "flake8+apf": "E,F,W,C90,APF", "flake8+flake8-async": "E,F,W,C90,ASYNC"}[name]
    extra = ["--apf-no-project"] if run.endswith("--apf-no-project") else []
    return [str(bin_dir / "flake8"), "--isolated", "-j1", f"--select={select}", "--exit-zero", *extra, *paths]


def prepare(run: str) -> None:
    """The summary cache as the run needs it: emptied before a first run, kept otherwise."""
    os.environ["FLAKE8_ASYNC_PITFALLS_CACHE_DIR"] = str(APF_CACHE)
    if run.startswith("flake8+apf (first run"):
        shutil.rmtree(APF_CACHE, ignore_errors=True)


def timed_run(argv: list[str]) -> tuple[float, float]:
    """(cpu seconds, wall seconds) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def per_file_cost(targets: list[Path]) -> dict[str, float]:
    """In-process: total ast.parse time vs total check_tree time over the same files."""
    from flake8_async_pitfalls.analysis.project import PROJECT
    from flake8_async_pitfalls.checker import check_tree
    from flake8_async_pitfalls.settings import Settings

    sources: list[tuple[str, str]] = []
    for target in targets:
        for file in sorted(target.rglob("*.py")) if target.is_dir() else [target]:
            try:
                with tokenize.open(file) as handle:
                    sources.append((str(file), handle.read()))
            except (SyntaxError, UnicodeDecodeError, OSError):
                continue
    parse_total = check_total = walk_total = cold_total = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # a first run as flake8 makes it: files in order, each checked once, the project index empty at the
        # start and no summary cache (every other module the project analysis reads is parsed for it)
        PROJECT.forget()
        cold_settings = Settings(cache=False)
        for name, source in sources:
            try:
                tree = ast.parse(source)
            except (SyntaxError, ValueError, RecursionError):
                continue
            start = time.process_time()
            check_tree(tree, name, (), cold_settings)
            cold_total += time.process_time() - start
        for name, source in sources:
            best_parse = best_check = best_walk = float("inf")
            for _ in range(3):  # best of 3 per file: the least disturbed measurement
                start = time.perf_counter()
                try:
                    tree = ast.parse(source)
                except (SyntaxError, ValueError, RecursionError):
                    break
                mid = time.perf_counter()
                for _node in ast.walk(tree):
                    pass
                walked = time.perf_counter()
                check_tree(tree, name, ())
                end = time.perf_counter()
                best_parse = min(best_parse, mid - start)
                best_walk = min(best_walk, walked - mid)
                best_check = min(best_check, end - walked)
            else:
                parse_total += best_parse
                walk_total += best_walk
                check_total += best_check
    return {"files": len(sources), "ast_parse_s": parse_total, "ast_walk_s": walk_total, "check_tree_s": check_total,
            "check_over_parse": check_total / parse_total if parse_total else float("nan"),
            "first_run_check_tree_s": cold_total,
            "first_run_check_over_parse": cold_total / parse_total if parse_total else float("nan")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True, help="directory made by shared/corpus/fetch.sh")
    parser.add_argument("--projects", default=",".join(DEFAULT_PROJECTS),
                        help="comma-separated corpus projects to time (all: 'all')")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--peer-repeats", type=int, default=1,
                        help="repeats of flake8 + flake8-async, about ten times slower than the others (default 1)")
    parser.add_argument("--no-stdlib", action="store_true", help="skip timing this interpreter's stdlib")
    args = parser.parse_args(argv)

    if args.projects == "all":
        projects = sorted(p for p in args.corpus.iterdir() if p.is_dir() and not p.name.startswith("_"))
    else:
        projects = [args.corpus / name for name in args.projects.split(",")]
    missing = [str(p) for p in projects if not p.is_dir()]
    if missing:
        print(f"missing corpus projects: {', '.join(missing)} (run shared/corpus/fetch.sh)", file=sys.stderr)
        return 2
    suites: dict[str, list[Path]] = {"corpus": projects}
    if not args.no_stdlib:
        stdlib = Path(sysconfig.get_paths()["stdlib"])
        suites["stdlib"] = [p for p in stdlib.iterdir()
                            if p.name not in ("site-packages", "test", "lib2to3", "idlelib")
                            and (p.is_dir() or p.suffix == ".py")]

    venvs = {name: ensure_venv(name) for name in CONFIGS}
    results: dict[str, object] = {"python": sys.version.split()[0], "repeats": args.repeats, "suites": {}}
    for suite, targets in suites.items():
        files, lines = count_lines(targets)
        samples: dict[str, list[tuple[float, float]]] = {run: [] for run in RUNS}
        for repeat in range(args.repeats):
            for run in RUNS:  # interleaved: each repeat runs every configuration once
                if run == "flake8+flake8-async" and repeat >= args.peer_repeats:
                    continue  # some 10x slower than the rest: fewer repeats keep the bench short
                prepare(run)
                samples[run].append(timed_run(command(run, venvs[RUNS[run]], targets)))
        medians = {
            name: {"cpu_s": statistics.median(c for c, _ in runs), "wall_s": statistics.median(w for _, w in runs)}
            for name, runs in samples.items()
        }
        # the same shares repeat by repeat, each against the bare run of its own repeat (run moments apart):
        # on a shared machine whose speed drifts, the median of these paired shares is the steadier figure
        paired = {
            name: statistics.median(c / b[0] - 1 for (c, _), b in zip(runs, samples["flake8"]))
            for name, runs in samples.items() if name.startswith("flake8+apf")
        }
        bare = medians["flake8"]["cpu_s"]
        apf_added = medians["flake8+apf"]["cpu_s"] - bare
        first_added = medians["flake8+apf (first run, empty cache)"]["cpu_s"] - bare
        alone_added = medians["flake8+apf --apf-no-project"]["cpu_s"] - bare
        async_added = medians["flake8+flake8-async"]["cpu_s"] - bare
        suite_result = {
            "files": files, "lines": lines, "medians": medians,
            "apf_added_over_bare": apf_added / bare,
            "apf_first_run_added_over_bare": first_added / bare,
            "apf_no_project_added_over_bare": alone_added / bare,
            "apf_added_over_bare_paired": paired["flake8+apf"],
            "apf_first_run_added_over_bare_paired": paired["flake8+apf (first run, empty cache)"],
            "apf_no_project_added_over_bare_paired": paired["flake8+apf --apf-no-project"],
            "samples_cpu_s": {name: [c for c, _ in runs] for name, runs in samples.items()},
            "apf_added_over_flake8_async_added": apf_added / async_added if async_added > 0 else float("nan"),
            "apf_first_run_added_over_flake8_async_added":
                first_added / async_added if async_added > 0 else float("nan"),
            "lines_per_s": {name: lines / m["cpu_s"] for name, m in medians.items()},
            "per_file": per_file_cost(targets),
        }
        results["suites"][suite] = suite_result  # type: ignore[index]
        print(f"\n### {suite}: {files} files, {lines:,} lines (median of {args.repeats}, CPU seconds)\n")
        print("| configuration | CPU s | wall s | lines/s |")
        print("|---|---:|---:|---:|")
        for name, m in medians.items():
            shown = "ruff `--select ASYNC`" if name == "ruff" else name.replace("+", " + ")
            print(f"| {shown} | {m['cpu_s']:.2f} | {m['wall_s']:.2f} | {lines / m['cpu_s']:,.0f} |")
        print(f"\n- flake8-async-pitfalls adds {apf_added / bare:+.1%} to bare flake8 (target: at most +10%); "
              f"{first_added / bare:+.1%} on a first run with an empty summary cache, "
              f"{alone_added / bare:+.1%} with --apf-no-project")
        print(f"- the same, median of the shares paired repeat by repeat: {paired['flake8+apf']:+.1%}; first run "
              f"{paired['flake8+apf (first run, empty cache)']:+.1%}; --apf-no-project "
              f"{paired['flake8+apf --apf-no-project']:+.1%}")
        ratio = suite_result["apf_added_over_flake8_async_added"]
        first_ratio = suite_result["apf_first_run_added_over_flake8_async_added"]
        print(f"- its added cost is {ratio:.3f} of what flake8-async adds (target: at most 1/30 = 0.033); "
              f"{first_ratio:.3f} on a first run")
        per_file = suite_result["per_file"]
        assert isinstance(per_file, dict)
        print(f"- per file, given the tree: check_tree {per_file['check_tree_s']:.2f} s vs ast.parse "
              f"{per_file['ast_parse_s']:.2f} s (ratio {per_file['check_over_parse']:.2f}; target <= 1.00); "
              f"a bare ast.walk takes {per_file['ast_walk_s']:.2f} s; on a first run, whole-project analysis "
              f"parsing the other modules for the first time: {per_file['first_run_check_tree_s']:.2f} s "
              f"(ratio {per_file['first_run_check_over_parse']:.2f})")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "speed.json").write_text(json.dumps(results, indent=2, sort_keys=True))
    print(f"\nwritten {OUT / 'speed.json'}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    sys.exit(main())
