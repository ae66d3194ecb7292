"""The plugin's share of a flake8 run, measured inside the run itself.

    python bench/share.py --corpus /path/to/corpus [--projects aiohttp-3.14.5,httpx-0.28.1] [--repeats 5]
                          [--alternate 10]

bench/speed.py compares whole runs of separate processes; on a shared machine whose speed drifts between
runs, that comparison is as noisy as the margin it checks. Here each flake8 run (``-j1``, in-process, in the
virtual environments bench/speed.py made) times its own parts instead: the plugin's ``run()`` for every
file, the plugin's import, and the cyclic garbage collector (by its callbacks). The plugin's added cost is
its run() and import time plus the collector time beyond that of a bare flake8 run of the same repeat; its
share is that over the bare run's total. Drift between runs only enters through the collector's term.

That leaves out what the plugin may cost flake8's own work (the caches its work evicts, say). With
``--alternate N``, one process (the plugin's virtual environment) also runs flake8 2N times in turn with the
plugin's ``run()`` on and off, warm caches from the first runs: whole runs, compared pair by pair within the
same process, so that such indirect costs are counted while the drift between processes is not. The
plugin's import is not in that figure (it is loaded for both); it is in the first one.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from speed import DEFAULT_PROJECTS, OUT, VENVS  # noqa: E402

# run by each venv's python: flake8 in-process, its parts timed with process (CPU) time
_CHILD = r"""
import gc, json, sys, time
select, targets = sys.argv[1], sys.argv[2:]
collector = [0.0, 0.0]
def on_gc(phase, info):
    if phase == "start":
        collector[1] = time.process_time()
    else:
        collector[0] += time.process_time() - collector[1]
gc.callbacks.append(on_gc)
start = time.process_time()
plugin = [0.0, 0.0]
if "APF" in select:
    import flake8_async_pitfalls.plugin as module
    plugin[1] = time.process_time() - start
    run = module.Plugin.run
    def timed(self):
        began = time.process_time()
        findings = list(run(self))
        plugin[0] += time.process_time() - began
        return iter(findings)
    module.Plugin.run = timed
from flake8.main.cli import main
try:
    main(["--isolated", "-j1", f"--select={select}", "--exit-zero", "-qq", *targets])
except SystemExit:
    pass
print(json.dumps({"total_s": time.process_time() - start, "run_s": plugin[0], "import_s": plugin[1],
                  "gc_s": collector[0]}))
"""


# run by the plugin's venv's python: whole flake8 runs in one process, the plugin's run() on and off in turn
_ALTERNATING = r"""
import json, sys, time
import flake8_async_pitfalls.plugin as module
from flake8.main.cli import main
pairs, targets = int(sys.argv[1]), sys.argv[2:]
enabled = [True]
run = module.Plugin.run
def switchable(self):
    if enabled[0]:
        yield from run(self)
module.Plugin.run = switchable
def once(on):
    enabled[0] = on
    start = time.process_time()
    try:
        main(["--isolated", "-j1", "--select=E,F,W,C90,APF", "--exit-zero", "-qq", *targets])
    except SystemExit:
        pass
    return time.process_time() - start
once(True); once(False)  # warm: byte code, summary cache, the project index of this process
rows = []
for _ in range(pairs):
    off = once(False)
    on = once(True)
    rows.append([off, on])
    print(json.dumps(rows[-1]), flush=True)
print(json.dumps(rows))
"""


def run_child(venv: str, script: str, args: list[str]) -> object:
    """Run one of the scripts above with a venv's python; its last line of output, as JSON."""
    python = VENVS / venv / "bin" / "python"
    if not python.exists():
        raise SystemExit(f"{python} is missing: run bench/speed.py once to make the virtual environments")
    done = subprocess.run([str(python), "-c", script, *args], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def alternate(pairs: int, targets: list[Path]) -> list[tuple[float, float]]:
    """(plugin off, plugin on) CPU seconds of whole flake8 runs in one process, in turn."""
    rows = run_child("flake8+apf", _ALTERNATING, [str(pairs), *map(str, targets)])
    assert isinstance(rows, list)
    return [(float(off), float(on)) for off, on in rows]


def measure(venv: str, select: str, targets: list[Path]) -> dict[str, float]:
    result = run_child(venv, _CHILD, [select, *map(str, targets)])
    assert isinstance(result, dict)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True, help="directory made by shared/corpus/fetch.sh")
    parser.add_argument("--projects", default=",".join(DEFAULT_PROJECTS), help="comma-separated corpus projects")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--alternate", type=int, default=0, metavar="N",
                        help="also N pairs of whole runs in one process, the plugin on and off in turn")
    args = parser.parse_args(argv)
    targets = [args.corpus / name for name in args.projects.split(",")]
    missing = [str(t) for t in targets if not t.is_dir()]
    if missing:
        print(f"missing corpus projects: {', '.join(missing)} (run shared/corpus/fetch.sh)", file=sys.stderr)
        return 2
    os.environ["FLAKE8_ASYNC_PITFALLS_CACHE_DIR"] = str(OUT / "apf-summary-cache")
    measure("flake8+apf", "E,F,W,C90,APF", targets)  # the summary cache filled: later runs as users run it
    rows: list[dict[str, object]] = []
    shares: list[float] = []
    for _ in range(args.repeats):
        bare = measure("flake8", "E,F,W,C90", targets)
        apf = measure("flake8+apf", "E,F,W,C90,APF", targets)
        added = apf["run_s"] + apf["import_s"] + (apf["gc_s"] - bare["gc_s"])
        shares.append(added / bare["total_s"])
        rows.append({"bare": bare, "apf": apf, "added_s": added, "share": shares[-1]})
        print(f"bare {bare['total_s']:.2f} s (collector {bare['gc_s']:.2f}); with the plugin {apf['total_s']:.2f} s: "
              f"run() {apf['run_s']:.2f}, import {apf['import_s']:.2f}, collector {apf['gc_s']:.2f}; "
              f"added {added:.2f} s = {added / bare['total_s']:+.1%}")
    share = statistics.median(shares)
    print(f"\nthe plugin's share of bare flake8's time, measured inside the runs: median {share:+.1%} "
          f"of {args.repeats} (target: at most +10%)")
    report: dict[str, object] = {"repeats": rows, "median_share": share}
    if args.alternate:
        pairs = alternate(args.alternate, targets)
        paired = [on / off - 1 for off, on in pairs]
        for off, on in pairs:
            print(f"one process, plugin off {off:.2f} s, on {on:.2f} s: {on / off - 1:+.1%}")
        median_off = statistics.median(off for off, _ in pairs)
        median_on = statistics.median(on for _, on in pairs)
        print(f"whole runs in one process, the plugin's run() on and off in turn: {median_on / median_off - 1:+.1%} "
              f"by the medians, {statistics.median(paired):+.1%} median of the pairs (of {len(pairs)})")
        report["alternating"] = {"pairs": pairs, "median_paired_share": statistics.median(paired),
                                 "share_of_medians": median_on / median_off - 1}
    out = OUT / "share.json"
    out.write_text(json.dumps(report, indent=2))
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
