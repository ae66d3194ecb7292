"""Whole-project analysis: coroutine functions and blocking helpers across the modules of a package."""

from __future__ import annotations

import ast
import gc
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_async_pitfalls.analysis.project import PROJECT, ProjectIndex
from flake8_async_pitfalls.checker import check_tree
from flake8_async_pitfalls.settings import Settings
from tests.fixture_markers import read_markers

PACKAGE = Path(__file__).resolve().parent.parent / "fixtures" / "project" / "shop"


def lint(path: Path, settings: Settings | None = None) -> set[tuple[int, str]]:
    source = path.read_text(encoding="utf-8")
    findings = check_tree(ast.parse(source), str(path), source.splitlines(keepends=True), settings or Settings())
    return {(f.line, f.code) for f in findings}


def lint_messages(path: Path) -> dict[tuple[int, str], str]:
    source = path.read_text(encoding="utf-8")
    return {(f.line, f.code): f.message for f in check_tree(ast.parse(source), str(path), ())}


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_package_files_match_markers(path: Path) -> None:
    expected, _ = read_markers(path)
    assert lint(path) == {(e.line, e.code) for e in expected}
    messages = lint_messages(path)
    for e in expected:
        if e.message:
            assert e.message in messages[(e.line, e.code)]


def test_project_analysis_can_be_turned_off() -> None:
    checkout = PACKAGE / "payments" / "checkout.py"
    assert {code for _, code in lint(checkout)} == {"APF101", "APF209", "APF402"}
    # without the project, nothing imported from other modules is known: no finding at all
    assert lint(checkout, Settings(project=False)) == set()


def test_depth_bound_stops_long_chains() -> None:
    checkout = PACKAGE / "payments" / "checkout.py"
    full = lint(checkout)
    shallow = lint(checkout, Settings(project_depth=2))
    three_deep_line = next(i for i, line in enumerate(checkout.read_text().splitlines(), 1)
                           if line.strip().startswith("three_deep()"))
    assert (three_deep_line, "APF209") in full
    assert (three_deep_line, "APF209") not in shallow


def test_summaries_are_refreshed_when_a_module_changes(tmp_path: Path) -> None:
    copy = tmp_path / "shop"
    shutil.copytree(PACKAGE, copy)
    checkout = copy / "payments" / "checkout.py"
    throttle_line = next(i for i, line in enumerate(checkout.read_text().splitlines(), 1)
                         if line.strip().startswith("throttle()  # APF209"))
    assert (throttle_line, "APF209") in lint(checkout)
    io_module = copy / "util" / "io.py"
    io_module.write_text(io_module.read_text().replace("time.sleep(0.2)", "pass"))
    stat = io_module.stat()
    os.utime(io_module, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    PROJECT._checked.clear()  # as if RECHECK_SECONDS had passed
    PROJECT._functions.clear()
    assert (throttle_line, "APF209") not in lint(checkout)


def test_index_is_bounded() -> None:
    index = ProjectIndex(max_modules=2)
    settings = Settings()
    paths = [str(p) for p in sorted(PACKAGE.rglob("*.py"))]
    for path in paths:
        index.summary(path, settings)
    assert len(index._summaries) == 2


@pytest.mark.parametrize("cached", [False, True], ids=["built", "from the disk cache"])
def test_kept_summaries_are_left_alone_by_the_garbage_collector(cached: bool) -> None:
    # a project's summaries live as long as the process: the cyclic collector must not walk them at every
    # full collection of flake8, so they are exact tuples of strings and ints, which it stops tracking
    settings = Settings(cache=cached)
    paths = [str(p) for p in sorted(PACKAGE.rglob("*.py"))]
    if cached:
        for path in paths[:2]:  # written to the cache, then read back by a new index
            ProjectIndex().summary(path, settings, whole=True)
            ProjectIndex().summary(path, settings)
    index = ProjectIndex()
    outlined = [index.summary(path, settings) for path in paths]  # read from their outlines when they can be
    summaries = [index.summary(path, settings, whole=True) for path in paths]
    for _ in range(4):  # each collection untracks one level of the nesting: names, sites, calls, functions
        gc.collect()
    functions = [f for s in summaries if s is not None for f in s.functions.values()]
    sites = [site for f in functions for site in f[4] or ()]
    assert len(functions) > 10 and len(sites) > 10
    assert not any(gc.is_tracked(f) for f in functions)
    assert not any(gc.is_tracked(site) for site in sites)
    from_outlines = [f for s in outlined if s is not None and not s.complete for f in s.functions.values()]
    assert from_outlines and not any(gc.is_tracked(f) for f in from_outlines)


def test_broken_project_module_is_skipped(tmp_path: Path) -> None:
    pkg = tmp_path / "brokenpkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "bad.py").write_text("def broken(:\n")
    (pkg / "user.py").write_text("from .bad import broken\n\nasync def main():\n    broken()\n")
    assert lint(pkg / "user.py") == set()


def test_root_of_package_and_standalone_file(tmp_path: Path) -> None:
    assert PROJECT.root_of(str(PACKAGE / "payments" / "checkout.py")) == str(PACKAGE.parent)
    assert PROJECT.root_of(str(PACKAGE / "__init__.py")) == str(PACKAGE.parent)
    lone = tmp_path / "script.py"
    lone.write_text("")
    assert PROJECT.root_of(str(lone)) == str(tmp_path)


def test_flake8_with_jobs_reports_cross_module_findings() -> None:
    """Under flake8's -j multiprocessing, each worker builds its own index: same findings."""
    argv = [sys.executable, "-m", "flake8", "--isolated", "--select=APF", "-j2", str(PACKAGE)]
    out = subprocess.run(argv, capture_output=True, text=True, check=False)
    single = subprocess.run([*argv[:-2], "-j1", str(PACKAGE)], capture_output=True, text=True, check=False)
    assert "APF209" in out.stdout and "APF101" in out.stdout, out.stdout + out.stderr
    assert sorted(out.stdout.splitlines()) == sorted(single.stdout.splitlines())
    no_project = subprocess.run([*argv, "--apf-no-project"], capture_output=True, text=True, check=False)
    assert no_project.returncode == 0 and no_project.stdout == "", no_project.stdout + no_project.stderr
