"""Autofixes (libcst), used only by the command line's ``fix``: never imported on flake8's lint path.

``FIXERS`` maps each fixable rule code to its fixer; a fixer declares its safety, and ``Rule.fix_safety`` is
derived from this table (a rule is fixable exactly when it has a fixer here). Safe fixes keep the program's
meaning apart from the pitfall; unsafe ones change behaviour the user should review and are applied only on
request (``unsafe=True``, the command line's ``--unsafe-fixes``).

- ``fix_source(source, findings, unsafe=...)``: one pass over a text whose findings are given.
- ``fix_file(path, settings, unsafe=..., dry_run=...)``: read, lint, fix and re-lint until nothing more
  applies, then write atomically (see fixes/files.py).
"""

from __future__ import annotations

from collections.abc import Mapping

from .async_constructs import AsyncConstructFixer
from .async_def import AsyncDefFixer
from .await_coroutine import AwaitFixer
from .base import Fixer
from .engine import CONFLICT, NEEDS_UNSAFE, NO_FIXER, FixError, FixResult, fix_source
from .files import FileFixOutcome, fix_file
from .gather import GatherFixer
from .run_in_loop import AwaitInsteadOfRunFixer
from .running_loop import RunningLoopFixer
from .sleep import SleepFixer
from .to_thread import ToThreadFixer

# APF208's to_thread fix declines sqlite3 (see fixes/to_thread.py): its objects belong to their thread
_TO_THREAD = ToThreadFixer("APF202", "APF203", "APF204", "APF205", "APF206", "APF207", "APF208", "APF209",
                           "APF303")
_ALL: tuple[Fixer, ...] = (
    AwaitFixer(),
    GatherFixer(),
    SleepFixer(),
    _TO_THREAD,
    AsyncDefFixer(),
    AwaitInsteadOfRunFixer(),
    AsyncConstructFixer(),
    RunningLoopFixer(),
)

FIXERS: Mapping[str, Fixer] = {code: fixer for fixer in _ALL for code in fixer.codes}

__all__ = [
    "CONFLICT", "FIXERS", "NEEDS_UNSAFE", "NO_FIXER", "FileFixOutcome", "FixError", "FixResult", "Fixer",
    "fix_file", "fix_source",
]
