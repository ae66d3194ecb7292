"""Robustness on real code at scale (marked slow; CI runs them, as it runs the whole suite):

- every ``.py`` file of this interpreter's standard library and installed packages is checked, with the
  whole-project analysis on, without an exception or an APF000 finding; the files this Python cannot parse
  are reported as E999 by the command line, cleanly;
- the command line's ``fix --unsafe-fixes`` over a copy of the standard library: no crash, every file it
  changed still compiles (if it did before), and a second run changes nothing;
- a 10 MB generated file is checked (the time is printed; bench/scaling.py shows the growth is linear).

Run them alone, with their summaries shown: ``python -m pytest -q -s -m slow tests/test_robustness_corpus.py``.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import shutil
import subprocess
import sys
import sysconfig
import time
import traceback
from pathlib import Path

import pytest

from bench.fix_corpus import compiles
from bench.scaling import generate
from flake8_async_pitfalls import cli
from flake8_async_pitfalls.checker import check_tree
from flake8_async_pitfalls.lint import decode, parse
from flake8_async_pitfalls.rules.base import Finding
from flake8_async_pitfalls.settings import Settings

pytestmark = pytest.mark.slow

WORKERS = 2
_BASE_PACKAGES = ("site-packages", "dist-packages")  # under the stdlib: the base interpreter's, not ours


def installed_python_files() -> list[Path]:
    """The ``.py`` files of the standard library and of this environment's site-packages, once each."""
    paths = sysconfig.get_paths()
    stdlib = Path(paths["stdlib"])
    found: dict[Path, Path] = {}
    for root in (stdlib, Path(paths["purelib"]), Path(paths["platlib"])):
        if not root.is_dir():
            continue
        for path in root.rglob("*.py"):
            if root == stdlib and path.relative_to(root).parts[0] in _BASE_PACKAGES:
                continue
            if path.is_file():
                found.setdefault(path.resolve(), path)
    return sorted(found.values())


def lint_one(name: str) -> tuple[str, int, str]:
    """``(path, lines, outcome)``: outcome "ok", "E999", "too deep", or the failure (APF000 or a traceback)."""
    path = Path(name)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return name, 0, f"ok (unreadable: {exc.strerror})"
    text = decode(data).text
    lines = text.count("\n")
    try:
        parsed = parse(text, name)
    except (RecursionError, MemoryError):
        return name, lines, "too deep"
    if isinstance(parsed, Finding):
        return name, lines, "E999"
    try:
        findings = check_tree(parsed, name, text.splitlines(keepends=True), Settings())
    except Exception:  # what escapes check_tree would take flake8 down: report it whole
        return name, lines, f"raised:\n{traceback.format_exc()}"
    errors = [f"{f.line}: {f.message}" for f in findings if f.code == "APF000"]
    return name, lines, "APF000: " + "; ".join(errors) if errors else "ok"


def test_checks_the_stdlib_and_every_installed_package(capsys: pytest.CaptureFixture[str]) -> None:
    files = installed_python_files()
    assert len(files) > 1000, "the standard library was not found"
    start = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(WORKERS) as pool:
        results = list(pool.imap_unordered(lint_one, [str(p) for p in files], chunksize=16))
    elapsed = time.perf_counter() - start
    lines = sum(count for _, count, _ in results)
    failures = [f"{path}: {outcome}" for path, _, outcome in results
                if not outcome.startswith("ok") and outcome not in ("E999", "too deep")]
    unparsed = sorted(path for path, _, outcome in results if outcome in ("E999", "too deep"))
    summary = (f"checked {len(files):,} files, {lines:,} lines of Python {sys.version.split()[0]}'s standard "
               f"library and installed packages in {elapsed:.0f} s ({WORKERS} processes, project analysis on); "
               f"{len(unparsed)} do not parse on this Python")
    with capsys.disabled():
        print(f"\n{summary}")
    assert failures == [], summary + "\n" + "\n".join(failures[:20])

    # the command line reports each file this Python cannot parse as one finding, not as a crash
    if unparsed:
        assert cli.main(["check", "--isolated", "--no-gitignore", *unparsed]) == 1
        out, err = capsys.readouterr()
        assert err == ""
        reported = out.splitlines()
        assert len(reported) == len(unparsed) and all(" E999 " in line for line in reported), out


def _snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*.py")) if p.is_file() and not p.is_symlink()}


def _only_python(directory: str, names: list[str]) -> list[str]:
    """copytree's filter: directories and .py files only (no compiled libraries, data or caches)."""
    base = Path(directory)
    return [name for name in names
            if name == "__pycache__" or (not name.endswith(".py") and not (base / name).is_dir())]


def _fix_in_parallel(root: Path) -> list[subprocess.CompletedProcess[str]]:
    """``fix --unsafe-fixes`` over the tree's top-level entries, split between WORKERS command lines."""
    entries = sorted(str(p.relative_to(root)) for p in root.iterdir())
    processes = [subprocess.Popen([sys.executable, "-m", "flake8_async_pitfalls.cli", "fix", "--isolated",
                                   "--no-gitignore", "--unsafe-fixes", *entries[index::WORKERS]],
                                  cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  stdin=subprocess.DEVNULL)
                 for index in range(WORKERS)]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=1800)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return results


def _fixed_count(results: list[subprocess.CompletedProcess[str]]) -> int:
    total = 0
    for result in results:
        assert result.returncode in (0, 1, 2), result.stderr
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
        last = result.stdout.splitlines()[-1]
        assert last.startswith("fixed "), last
        total += int(last.split()[1])
    return total


def test_fix_a_copy_of_the_stdlib(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    corpus = tmp_path / "stdlib"
    shutil.copytree(stdlib, corpus, symlinks=True,
                    ignore=lambda d, names: [*_only_python(d, names),
                                             *(n for n in names if Path(d) == stdlib and n in _BASE_PACKAGES)])
    before = _snapshot(corpus)
    lines = sum((corpus / name).read_bytes().count(b"\n") for name in before)

    start = time.perf_counter()
    first = _fix_in_parallel(corpus)
    elapsed = time.perf_counter() - start
    fixed = _fixed_count(first)
    after = _snapshot(corpus)
    assert after.keys() == before.keys(), "files were added or removed"
    changed = sorted(name for name in before if before[name] != after[name])
    broken = [name for name in changed if compiles(stdlib / name) and not compiles(corpus / name)]
    assert broken == [], f"these files compiled before the fix, not after: {broken}"

    second = _fix_in_parallel(corpus)
    assert _fixed_count(second) == 0
    assert _snapshot(corpus) == after, "a second fix changed files again"
    problems = sum(len(r.stderr.splitlines()) for r in first)
    with capsys.disabled():
        print(f"\nfix --unsafe-fixes over a copy of Python {sys.version.split()[0]}'s standard library "
              f"({len(before):,} files, {lines:,} lines): {fixed} fixes in {len(changed)} files in {elapsed:.0f} s "
              f"({WORKERS} processes); {problems} files left alone with a message; every changed file still "
              f"compiles; a second run changed nothing")


def test_a_10_mb_generated_file_is_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    source = generate(360_000) + "\n\nasync def tail():\n    time.sleep(1)\n"
    path = tmp_path / "generated.py"
    path.write_text(source, encoding="utf-8")
    size = path.stat().st_size
    assert size >= 10_000_000
    monkeypatch.chdir(tmp_path)
    start = time.perf_counter()
    status = cli.main(["check", "--isolated", "generated.py"])
    elapsed = time.perf_counter() - start
    out, err = capsys.readouterr()
    assert status == 1 and err == ""
    assert [line.split()[1] for line in out.splitlines()] == ["APF201"]  # the one pitfall, on the last line
    with capsys.disabled():
        print(f"\nchecked a generated file of {size / 1e6:.1f} MB, {source.count(chr(10)):,} lines, "
              f"in {elapsed:.1f} s (read, parse, check, report)")
