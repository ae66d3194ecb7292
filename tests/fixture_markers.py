"""Reading fixture files: expected findings are written as comments on the offending lines.

    time.sleep(1)  # APF201
    fetch()  # APF101 col=4
    time.sleep(1); fetch()  # APF201, APF101
    await asyncio.sleep(1)  # ok: the async sleep is fine

A marker is ``APFnnn`` optionally followed by ``col=N`` (1-based, as flake8 prints it) and
``msg="substring"``. ``# ok: reason`` marks a deliberate negative (nothing may be reported there).
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

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
