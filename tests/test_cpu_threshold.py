"""APF301's `--apf-cpu-threshold`: the setting moves the line between reported and clean loops."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flake8_async_pitfalls.checker import check_tree
from flake8_async_pitfalls.settings import DEFAULT_CPU_THRESHOLD, Settings, settings_from_mapping

SOURCE = textwrap.dedent(
    """\
    import asyncio


    async def main():
        total = 0
        for i in range(50_000):
            total += i
        return total


    async def bigger():
        return [i for i in range(2_000_000)]


    if __name__ == "__main__":
        asyncio.run(main())
    """
)


def apf301_lines(settings: Settings) -> list[int]:
    tree = ast.parse(SOURCE)
    return [f.line for f in check_tree(tree, "t.py", SOURCE.splitlines(True), settings) if f.code == "APF301"]


def test_default_threshold_reports_only_the_big_loop() -> None:
    assert Settings().cpu_threshold == DEFAULT_CPU_THRESHOLD == 1_000_000
    assert apf301_lines(Settings()) == [12]


@pytest.mark.parametrize(
    ("threshold", "expected"),
    [(10_000, [6, 12]), (50_000, [6, 12]), (50_001, [12]), (2_000_000, [12]), (2_000_001, [])],
)
def test_threshold_setting_changes_the_result(threshold: int, expected: list[int]) -> None:
    # the estimate is compared with >=: a loop of exactly `threshold` iterations is reported
    assert apf301_lines(Settings(cpu_threshold=threshold)) == expected


def test_threshold_read_from_config_text() -> None:
    assert settings_from_mapping({"cpu_threshold": "10_000"}).cpu_threshold == 10_000
    with pytest.raises(ValueError, match="--apf-cpu-threshold"):
        settings_from_mapping({"cpu_threshold": "0"})


def _flake8(path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select=APF301", *options, str(path)],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )


def test_flake8_accepts_the_command_line_option(tmp_path: Path) -> None:
    path = tmp_path / "loops.py"
    path.write_text(SOURCE, encoding="utf-8")
    default = _flake8(path)
    assert default.returncode == 1, default.stderr
    assert [line.split(":")[1] for line in default.stdout.splitlines()] == ["12"]
    lowered = _flake8(path, "--apf-cpu-threshold=10000")
    assert lowered.returncode == 1, lowered.stderr
    assert [line.split(":")[1] for line in lowered.stdout.splitlines()] == ["6", "12"]
    raised = _flake8(path, "--apf-cpu-threshold", "5000000")
    assert raised.returncode == 0, raised.stdout + raised.stderr
    assert raised.stdout == ""


def test_flake8_rejects_a_bad_threshold(tmp_path: Path) -> None:
    path = tmp_path / "loops.py"
    path.write_text(SOURCE, encoding="utf-8")
    result = _flake8(path, "--apf-cpu-threshold=0")
    assert result.returncode != 0
    assert "--apf-cpu-threshold" in result.stdout + result.stderr
