"""bench/instructions.py without valgrind: its parsing of callgrind's output, its table, and its exits when
valgrind or the corpus is missing (valgrind hidden or faked through PATH). The measurement itself needs
valgrind and minutes of runs: it is not run here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.instructions import (
    BARE, CACHE_ENV, FIRST_RUN, NO_PROJECT, WARM, added_over_bare, parse_instructions, resolve_paths, table,
    verdicts,
)
from flake8_async_pitfalls.analysis import summary_cache

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bench" / "instructions.py"

CALLGRIND_STDERR = """\
==8964== Callgrind, a call-graph generating cache profiler
==8964== Copyright (C) 2002-2017, and GNU GPL'd, by Josef Weidendorfer et al.
==8964== Using Valgrind-3.19.0 and LibVEX; rerun with -h for copyright info
==8964== Command: /venv/bin/flake8 --isolated -j1 --select=E,F,W,C90 --exit-zero speed.py
==8964==
==8964== For interactive control, run 'callgrind_control -h'.
==8964==
==8964== Events    : Ir
==8964== Collected : 709952208
==8964==
==8964== I   refs:      709,952,208
"""


def test_parses_the_collected_total() -> None:
    assert parse_instructions("flake8 wrote this to stderr\n" + CALLGRIND_STDERR) == 709_952_208


def test_falls_back_on_i_refs() -> None:
    without_collected = "".join(line for line in CALLGRIND_STDERR.splitlines(keepends=True) if "Collected" not in line)
    assert parse_instructions(without_collected) == 709_952_208


def test_output_without_a_total_is_an_error() -> None:
    with pytest.raises(ValueError, match="Collected"):
        parse_instructions("==1== Callgrind, a call-graph generating cache profiler\n==1== Command: flake8\n")


def test_table_and_verdicts_give_the_share_over_bare() -> None:
    counts = {BARE: 100_000_000_000, WARM: 105_000_000_000, FIRST_RUN: 112_500_000_000, NO_PROJECT: 103_000_000_000}
    assert added_over_bare(counts) == pytest.approx({WARM: 0.05, FIRST_RUN: 0.125, NO_PROJECT: 0.03})
    rows = table(counts).splitlines()
    assert rows[2] == "| flake8 | 100.00 | - |"
    assert rows[3] == "| flake8 + apf (warm summary cache) | 105.00 | +5.0% |"
    lines = verdicts(counts)
    assert len(lines) == 3
    assert "+5.0%" in lines[0] and "within" in lines[0]
    assert "+12.5%" in lines[1] and "OVER" in lines[1]


def test_resolves_projects(tmp_path: Path) -> None:
    for name in ("b-1.0", "a-2.0", "_dl"):
        (tmp_path / name).mkdir()
    (tmp_path / "notes.txt").write_text("")
    assert resolve_paths(tmp_path, "all") == [tmp_path / "a-2.0", tmp_path / "b-1.0"]
    assert resolve_paths(tmp_path, "b-1.0, a-2.0/pkg,") == [tmp_path / "b-1.0", tmp_path / "a-2.0" / "pkg"]


def test_cache_variable_is_the_plugins() -> None:
    assert CACHE_ENV == summary_cache.ENV_VAR


def _run_script(path_dir: Path, corpus: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": str(path_dir)}
    return subprocess.run([sys.executable, str(SCRIPT), "--corpus", str(corpus), "--projects", "nowhere-1.0"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def test_exits_2_without_valgrind(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    done = _run_script(empty, tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "valgrind not found" in done.stderr


def test_exits_2_without_the_corpus(tmp_path: Path) -> None:
    fake = tmp_path / "bin"
    fake.mkdir()
    valgrind = fake / "valgrind"
    valgrind.write_text("#!/bin/sh\nexit 1\n")
    valgrind.chmod(0o755)
    done = _run_script(fake, tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "nowhere-1.0" in done.stderr
    done = _run_script(fake, tmp_path / "no-corpus")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "no-corpus" in done.stderr
