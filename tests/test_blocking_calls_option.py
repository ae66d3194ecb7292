"""APF200 through flake8 itself: ``--apf-blocking-calls`` on the command line and in the config file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SOURCE = '''\
import legacy.db
import mylib


async def handler(url):
    mylib.fetch(url)
    legacy.db.query("select 1")
    await legacy.db.aquery("select 1")


def sync(url):
    mylib.fetch(url)
'''


def _flake8(tmp_path: Path, *args: str) -> list[str]:
    """flake8's findings on SOURCE as ``line:col: text``, run from ``tmp_path`` (where a setup.cfg may be)."""
    (tmp_path / "service.py").write_text(SOURCE, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", *args, "service.py"],
        capture_output=True, text=True, cwd=tmp_path, timeout=60,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return [line.split(":", 1)[1] for line in proc.stdout.splitlines()]


def test_command_line_option(tmp_path: Path) -> None:
    lines = _flake8(tmp_path, "--isolated", "--select=APF",
                    "--apf-blocking-calls=mylib.fetch->mylib.afetch, legacy.db.*")
    assert lines == [
        "6:5: APF200 mylib.fetch(url) blocks the event loop in async def 'handler'; use 'mylib.afetch' instead",
        "7:5: APF200 legacy.db.query('select 1') blocks the event loop in async def 'handler'; "
        "use 'await asyncio.to_thread(legacy.db.query, 'select 1')'",
    ]


def test_without_the_option_nothing_is_reported(tmp_path: Path) -> None:
    assert _flake8(tmp_path, "--isolated", "--select=APF") == []


def test_config_file_option(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text(
        "[flake8]\nselect = APF\napf-blocking-calls =\n    mylib.fetch\n", encoding="utf-8"
    )
    assert _flake8(tmp_path) == [
        "6:5: APF200 mylib.fetch(url) blocks the event loop in async def 'handler'; "
        "use 'await asyncio.to_thread(mylib.fetch, url)'",
    ]
