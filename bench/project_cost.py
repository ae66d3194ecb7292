"""The cost of whole-project analysis: time and peak memory with it on and off, in one run.

    python bench/project_cost.py --corpus /path/to/corpus [--project redis-8.1.0] [--repeats 3]

Two measurements, interleaved and repeated (medians):
- flake8 -j1 on the project (its other plugins too, as users run it), with and without --apf-no-project:
  CPU time and the peak RSS of the flake8 process;
- in-process, the plugin alone (ast.parse excluded): check_tree over every file with the project index on
  (a fresh index and no summary cache, so every summary is built) and off.
Both measure a first run: the summary cache is empty (later runs read the summaries from it).
Targets: on/off time at most 1.5x; peak memory grows by at most 100 MB.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tokenize
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"

_CHILD = """
import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(usage.ru_utime + usage.ru_stime, usage.ru_maxrss, time.perf_counter() - start)
"""


def flake8_run(python: str, target: Path, project: bool) -> tuple[float, float]:
    """(CPU seconds, peak RSS in MB) of one flake8 process."""
    argv = [python, "-m", "flake8", "--isolated", "-j1", "--select=APF", "--exit-zero", str(target)]
    if not project:
        argv.append("--apf-no-project")
    with tempfile.TemporaryDirectory() as cache:  # an empty summary cache: a first run builds every summary
        env = {**os.environ, "FLAKE8_ASYNC_PITFALLS_CACHE_DIR": cache}
        out = subprocess.run([sys.executable, "-c", _CHILD, *argv], capture_output=True, text=True, check=True,
                             env=env)
    cpu, maxrss_kb, _wall = out.stdout.split()
    return float(cpu), int(maxrss_kb) / 1024


def in_process(target: Path, project: bool) -> float:
    from flake8_async_pitfalls.analysis import project as project_module
    from flake8_async_pitfalls.checker import check_tree
    from flake8_async_pitfalls.settings import Settings

    project_module.PROJECT.forget()  # a cold index, and no summary cache: every summary is built
    settings = Settings(project=project, cache=False)
    trees = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in sorted(target.rglob("*.py")):
            try:
                with tokenize.open(path) as handle:
                    trees.append((str(path), ast.parse(handle.read())))
            except (SyntaxError, UnicodeDecodeError, ValueError):
                continue
    start = time.perf_counter()
    for name, tree in trees:
        check_tree(tree, name, (), settings)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--project", default="redis-8.1.0", help="corpus project (default: the largest)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    target = args.corpus / args.project
    if not target.is_dir():
        print(f"{target} not found (run shared/corpus/fetch.sh)", file=sys.stderr)
        return 2
    # flake8 with this plugin only (no other third-party plugin), from bench/speed.py's venv
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from speed import ensure_venv

    python = str(ensure_venv("flake8+apf") / "bin" / "python")
    runs: dict[str, list[tuple[float, float]]] = {"on": [], "off": []}
    plugin: dict[str, list[float]] = {"on": [], "off": []}
    for _ in range(args.repeats):
        for mode in ("on", "off"):
            runs[mode].append(flake8_run(python, target, mode == "on"))
            plugin[mode].append(in_process(target, mode == "on"))
    result = {
        mode: {
            "flake8_cpu_s": statistics.median(c for c, _ in runs[mode]),
            "flake8_peak_rss_mb": max(m for _, m in runs[mode]),
            "plugin_only_s": statistics.median(plugin[mode]),
        }
        for mode in ("on", "off")
    }
    on, off = result["on"], result["off"]
    result["ratios"] = {
        "flake8_time_on_over_off": on["flake8_cpu_s"] / off["flake8_cpu_s"],
        "plugin_time_on_over_off": on["plugin_only_s"] / off["plugin_only_s"],
        "peak_rss_growth_mb": on["flake8_peak_rss_mb"] - off["flake8_peak_rss_mb"],
    }
    print(f"### whole-project analysis on {args.project} (median of {args.repeats})\n")
    print("| | project on | project off | ratio |")
    print("|---|---:|---:|---:|")
    print(f"| flake8 -j1 CPU s | {on['flake8_cpu_s']:.2f} | {off['flake8_cpu_s']:.2f} | "
          f"{result['ratios']['flake8_time_on_over_off']:.2f}x |")
    print(f"| plugin alone, s | {on['plugin_only_s']:.2f} | {off['plugin_only_s']:.2f} | "
          f"{result['ratios']['plugin_time_on_over_off']:.2f}x |")
    print(f"| flake8 peak RSS MB | {on['flake8_peak_rss_mb']:.0f} | {off['flake8_peak_rss_mb']:.0f} | "
          f"{result['ratios']['peak_rss_growth_mb']:+.0f} MB |")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "project_cost.json").write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
