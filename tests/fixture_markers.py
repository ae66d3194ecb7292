"""Reading fixture files: expected findings are written as comments on the offending lines.

    time.sleep(1)  # APF201
    fetch()  # APF101 col=4
    time.sleep(1); fetch()  # APF201, APF101
    await asyncio.sleep(1)  # ok: the async sleep is fine

A marker is ``APFnnn`` optionally followed by ``col=N`` (1-based, as flake8 prints it) and
``msg="substring"``. ``# ok: reason`` marks a deliberate negative (nothing may be reported there).

A fixture or example that needs options declares them in a comment among its first lines, as Settings
field names: ``# apf-settings: blocking_calls=mylib.fetch->mylib.afetch,legacy.db.*`` (several fields are
separated by ``;``).
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

from flake8_async_pitfalls.settings import Settings, settings_from_mapping

_SETTINGS = re.compile(r"^#\s*apf-settings:\s*(.*)$")
_SETTINGS_LINES = 10
_MARKER = re.compile(r'\b(APF\d{3})(?:\s+col=(\d+))?(?:\s+msg="([^"]*)")?')


@dataclass(frozen=True)
class Expected:
    line: int
    code: str
    col: int | None  # 1-based, or None for "any column"
    message: str | None


def read_markers(path: Path) -> tuple[list[Expected], list[int]]:
    """The expected findings of a fixture, and the lines marked ``# ok:``."""
    source = path.read_text(encoding="utf-8")
    expected: list[Expected] = []
    negatives: list[int] = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type != tokenize.COMMENT:
            continue
        text = token.string.lstrip("#").strip()
        line = token.start[0]
        if text.startswith("ok:"):
            negatives.append(line)
            continue
        if not text.startswith("APF"):
            continue
        for match in _MARKER.finditer(text):
            col = int(match.group(2)) if match.group(2) else None
            expected.append(Expected(line, match.group(1), col, match.group(3)))
    return expected, negatives


def read_settings(path: Path) -> Settings:
    """The settings a file declares with ``# apf-settings: field=value; ...`` in its first lines."""
    values: dict[str, object] = {}
    for line in path.read_text(encoding="utf-8").splitlines()[:_SETTINGS_LINES]:
        match = _SETTINGS.match(line.strip())
        if match is None:
            continue
        for item in match.group(1).split(";"):
            name, sep, value = item.partition("=")
            if not sep:
                raise ValueError(f"{path}: apf-settings item without '=': {item!r}")
            values[name.strip()] = value.strip()
    return settings_from_mapping(values)
