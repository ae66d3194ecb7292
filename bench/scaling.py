"""Time against file size and project size: growth must be linear.

    python bench/scaling.py [--sizes 1000,3000,10000,30000,100000] [--plot docs/performance.png]

Generates asyncio-flavoured modules of the given line counts (deterministic), then measures
(1) in-process: ast.parse and check_tree per file size, and across a project of many files;
(2) each flake8 configuration of bench/speed.py (its venvs; run speed.py first) on the same files.
Prints tables, writes bench/out/scaling.json and, with --plot, a PNG of time against lines.
"""

from __future__ import annotations

import argparse
import ast
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from speed import CONFIGS, OUT, VENVS, command, timed_run  # noqa: E402

_TEMPLATES = [
    '''
async def fetch_{n}(session, url: str) -> dict:
    async with session.get(url) as response:
        data = await response.json()
    for key, value in data.items():
        if value is None:
            data[key] = {n}
    return data
''',
    '''
class Worker{n}:
    def __init__(self) -> None:
        self.queue = asyncio.Queue()
        self.seen = set()

    async def run(self) -> None:
        while True:
            item = await self.queue.get()
            if item in self.seen:
                continue
            self.seen.add(item)
            await asyncio.sleep(0)

    def stats(self) -> int:
        return len(self.seen) + {n}
''',
    '''
def helper_{n}(rows: list[int]) -> int:
    total = 0
    for row in rows:
        total += row * {n}
    return sum(x for x in rows if x % 2) + total
''',
    '''
async def pipeline_{n}(items):
    results = await asyncio.gather(*(fetch_0(None, str(i)) for i in items))
    values = [r.get("v", 0) for r in results]
    return helper_0(values) if values else {n}
''',
]


def generate(lines: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    parts = ["import asyncio\nimport time\n"]
    count = 2
    n = 0
    while count < lines:
        block = rng.choice(_TEMPLATES).format(n=n)
        parts.append(block)
        count += block.count("\n")
        n += 1
    return "".join(parts)


def write_package(root: Path, files: int) -> list[Path]:
    """A package of ``files`` modules that call each other: each module's async entry point calls a plain
    relay of another module, and the relays call on around the ring (the chains APF209 follows, across
    modules, up to its depth), so the whole-project analysis reads every module."""
    package = root / "pkg"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("")
    paths = []
    for index in range(files):
        after, other = (index + 1) % files, (index * 7 + 3) % files
        trailer = (
            f"\nfrom pkg import m{after} as _after, m{other} as _other\n\n\n"
            f"def relay_{index}(rows):\n"
            f"    if len(rows) > {index}:\n"
            f"        time.sleep(0.01)\n"
            f"    return _after.relay_{after}(rows[1:])\n\n\n"
            f"async def settle_{index}(rows):\n"
            f"    await asyncio.sleep(0)\n"
            f"    return rows\n\n\n"
            f"async def entry_{index}(rows):\n"
            f"    _other.relay_{other}(rows)\n"
            f"    return await _after.settle_{after}(rows)\n"
        )
        path = package / f"m{index}.py"
        path.write_text(generate(300, seed=index) + trailer)
        paths.append(path)
    return paths


def best_of(repeats: int, fn: object) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    from flake8_async_pitfalls.analysis.project import PROJECT
    from flake8_async_pitfalls.checker import check_tree
    from flake8_async_pitfalls.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,3000,10000,30000,100000")
    parser.add_argument("--project-files", default="10,30,100,300")
    parser.add_argument("--skip-flake8", action="store_true", help="only the in-process measurements")
    parser.add_argument("--plot", type=Path)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    gen_dir = OUT / "gen"
    gen_dir.mkdir(parents=True, exist_ok=True)

    file_size: list[dict[str, float]] = []
    project_size: list[dict[str, float]] = []
    results: dict[str, object] = {"file_size": file_size, "project_size": project_size, "flake8": {}}
    print("| lines | ast.parse s | check_tree s | check_tree µs/line |")
    print("|---:|---:|---:|---:|")
    for size in sizes:
        source = generate(size)
        path = gen_dir / f"gen_{size}.py"
        path.write_text(source)
        tree = ast.parse(source)
        parse_s = best_of(3, lambda: ast.parse(source))
        check_s = best_of(3, lambda: check_tree(tree, str(path), ()))
        file_size.append({"lines": size, "parse_s": parse_s, "check_s": check_s})
        print(f"| {size:,} | {parse_s:.3f} | {check_s:.3f} | {check_s / size * 1e6:.1f} |")

    print("\n| package of N modules (~300 lines each) | lines | first run s | µs/line | later run s | µs/line |")
    print("|---:|---:|---:|---:|---:|---:|")
    for files in (int(f) for f in args.project_files.split(",")):
        modules = write_package(gen_dir / f"project_{files}", files)
        trees = [(str(m), ast.parse(m.read_text())) for m in modules]
        lines = sum(m.read_text().count("\n") for m in modules)

        def first_run() -> None:
            # as flake8 on a first run: an empty project index, no summary cache; every module the
            # whole-project analysis follows is parsed and summarized once
            PROJECT.forget()
            for name, tree in trees:
                check_tree(tree, name, (), Settings(cache=False))

        def later_run() -> None:
            for name, tree in trees:
                check_tree(tree, name, (), Settings(cache=False))

        first_s = best_of(3, first_run)
        later_s = best_of(3, later_run)  # the summaries known already (a long-lived process, or the disk cache)
        project_size.append(
            {"files": files, "lines": lines, "check_s": first_s, "later_check_s": later_s})
        print(f"| {files} | {lines:,} | {first_s:.3f} | {first_s / lines * 1e6:.1f} | {later_s:.3f} | "
              f"{later_s / lines * 1e6:.1f} |")

    if not args.skip_flake8:
        flake8_results: dict[str, list[dict[str, float]]] = {}
        for name in CONFIGS:
            venv = VENVS / name
            if not (venv / ".installed").exists():
                print(f"(skipping {name}: run bench/speed.py first to create its venv)")
                continue
            flake8_results[name] = []
            for size in sizes:
                path = gen_dir / f"gen_{size}.py"
                runs = [timed_run(command(name, venv, [path]))[0] for _ in range(3 if size <= 10000 else 1)]
                flake8_results[name].append({"lines": size, "cpu_s": statistics.median(runs)})
        results["flake8"] = flake8_results
        print("\n| lines | " + " | ".join(flake8_results) + " |")
        print("|---:|" + "---:|" * len(flake8_results))
        for index, size in enumerate(sizes):
            row = " | ".join(f"{flake8_results[name][index]['cpu_s']:.2f}" for name in flake8_results)
            print(f"| {size:,} | {row} |")

    (OUT / "scaling.json").write_text(json.dumps(results, indent=2))
    if args.plot:
        plot(results, args.plot)
    return 0


def plot(results: dict[str, object], target: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    flake8_results = results.get("flake8") or {}
    assert isinstance(flake8_results, dict)
    for name, rows in flake8_results.items():
        ax.plot([r["lines"] for r in rows], [r["cpu_s"] for r in rows], marker="o", label=name)
    in_process = results["file_size"]
    assert isinstance(in_process, list)
    ax.plot([r["lines"] for r in in_process], [r["check_s"] for r in in_process], marker="s", linestyle="--",
            label="check_tree only (in-process)")
    ax.plot([r["lines"] for r in in_process], [r["parse_s"] for r in in_process], marker="^", linestyle=":",
            label="ast.parse only (in-process)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("lines in the file")
    ax.set_ylabel("CPU seconds")
    ax.set_title("Time against file size (log-log; slope 1 = linear)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target, dpi=110)
    print(f"plot written to {target}")


if __name__ == "__main__":
    sys.exit(main())
