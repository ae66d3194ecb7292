"""Fixing a file on disk: read it as Python reads it, lint and fix until nothing more applies, write atomically.

- Reading: the encoding comes from the BOM or the ``# -*- coding: ... -*-`` cookie (UTF-8 otherwise), and the
  text keeps its own line endings (no newline translation), so CRLF files and BOMs survive byte for byte.
- Fixing: lint (the same ``check_tree`` flake8 runs), fix, lint the result again, ... until a pass applies
  nothing (at most ``MAX_ROUNDS`` passes): a fix can expose another finding (a def made async makes its
  dropped calls APF101), and the file converges to a fixed point.
- Writing: a temporary file in the same directory, flushed to disk, given the original's permission bits,
  then ``os.replace``d over the original: a crash leaves either the old file or the new one, never a mix.
  The file is re-checked just before the rename; if it changed since it was read, nothing is written.
"""

from __future__ import annotations

import ast
import contextlib
import errno
import io
import os
import re
import stat
import tempfile
import tokenize
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..checker import check_tree
from ..rules.base import Finding
from ..settings import Settings
from .engine import FixError, fix_source

MAX_ROUNDS = 5
NOT_CONVERGED = f"not applied: the file still changed after {MAX_ROUNDS} fix passes"
TOO_DEEP = "cannot fix: the code is nested too deeply to be parsed and rewritten; left unchanged"
READ_ONLY = "the file is read-only"

# flake8's own syntax: `# noqa` alone silences every code on the line, `# noqa: A1,B2` the codes listed (and
# the codes they prefix); a line `# flake8: noqa` skips the whole file
_NOQA = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
_NOQA_FILE = re.compile(r"\s*# flake8[:=]\s*noqa(?P<codes>:\s?[A-Z]+[0-9]*)?", re.IGNORECASE)
_CODE_SEPARATOR = re.compile(r"[,\s]+")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_WRITE_BITS = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH


@dataclass(frozen=True)
class FileFixOutcome:
    """What fixing one file did. ``error`` is set (and the file untouched) when it could not be fixed."""

    path: Path
    old_text: str
    new_text: str
    applied: tuple[Finding, ...] = ()  # in the order applied (positions are those of the text each pass saw)
    skipped: tuple[tuple[Finding, str], ...] = ()  # the findings left in the final text, with the reason
    error: str | None = None
    written: bool = False
    rounds: int = 0

    @property
    def changed(self) -> bool:
        return self.new_text != self.old_text


class FileChangedError(Exception):
    """The file changed on disk between reading and writing."""


def read_source(data: bytes) -> tuple[str, str]:
    """``(text, encoding)`` of a Python file's bytes, as the interpreter decodes them, line endings kept."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding), encoding


def noqa_suppressed(finding: Finding, lines: Sequence[str]) -> bool:
    """Whether the finding's line carries ``# noqa`` (bare) or ``# noqa: ...`` naming its code (or a prefix)."""
    if not 1 <= finding.line <= len(lines):
        return False
    match = _NOQA.search(lines[finding.line - 1])
    if match is None:
        return False
    codes = match.group("codes")
    if codes is None:
        return True
    return any(finding.code.startswith(code) for code in _CODE_SEPARATOR.split(codes) if code)


def noqa_file(lines: Sequence[str]) -> bool:
    """Whether a line ``# flake8: noqa`` (without codes, as flake8 reads it) excludes the whole file."""
    for line in lines:
        match = _NOQA_FILE.match(line)
        if match is not None and match.group("codes") is None:
            return True
    return False


def lint_text(text: str, filename: str, settings: Settings) -> list[Finding]:
    """The linter's findings for a text (raises SyntaxError / ValueError when it does not parse)."""
    tree = ast.parse(text, filename=filename)
    return check_tree(tree, filename, text.splitlines(keepends=True), settings)


def fix_file(path: Path, settings: Settings, *, unsafe: bool = False, dry_run: bool = False,
             accept: Callable[[Finding], bool] | None = None, honour_noqa: bool = True) -> FileFixOutcome:
    """Fix one file in place (or only compute the fix with ``dry_run``).

    ``accept`` narrows which findings may be fixed (the command line's --select/--ignore); findings on a line
    with a matching ``# noqa`` are never fixed unless ``honour_noqa`` is False. Never raises for a problem
    with the file itself: the outcome's ``error`` says what went wrong and the file is left as it was.
    """
    path = Path(path)
    try:
        before = os.stat(path)
        data = path.read_bytes()
    except OSError as exc:
        return FileFixOutcome(path, "", "", error=f"cannot read the file: {exc.strerror or exc}")
    try:
        old_text, encoding = read_source(data)
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
        return FileFixOutcome(path, "", "", error=f"cannot decode the file: {exc}; left unchanged")

    filename = str(path)
    text = old_text
    applied: list[Finding] = []
    skipped: tuple[tuple[Finding, str], ...] = ()
    rounds = 0
    for round_number in range(MAX_ROUNDS + 1):
        try:
            findings = lint_text(text, filename, settings)
        except (SyntaxError, ValueError) as exc:
            if round_number == 0:
                return FileFixOutcome(path, old_text, old_text, error=f"{_syntax_error_text(exc)}; left unchanged")
            break  # cannot happen (a fix never breaks parsing): keep the last good text
        except (RecursionError, MemoryError):
            return FileFixOutcome(path, old_text, old_text, error=TOO_DEEP)
        lines = _NEWLINE.split(text)
        if honour_noqa and noqa_file(lines):
            findings = []
        wanted = [f for f in findings
                  if (accept is None or accept(f)) and not (honour_noqa and noqa_suppressed(f, lines))]
        try:
            result = fix_source(text, wanted, unsafe=unsafe)
        except FixError as exc:
            if round_number == 0:
                return FileFixOutcome(path, old_text, old_text, error=f"{exc}; left unchanged")
            break
        except (RecursionError, MemoryError):  # libcst's visitors recurse once per level of nesting
            return FileFixOutcome(path, old_text, old_text, error=TOO_DEEP)
        skipped = result.skipped
        if not result.applied:
            break
        if round_number == MAX_ROUNDS:
            skipped = (*skipped, *((f, NOT_CONVERGED) for f in result.applied))
            break
        applied.extend(result.applied)
        text = result.source
        rounds = round_number + 1

    outcome = FileFixOutcome(path, old_text, text, tuple(applied), skipped, rounds=rounds)
    if dry_run or text == old_text:
        return outcome
    try:
        new_data = text.encode(encoding)
    except UnicodeEncodeError as exc:
        return _failed(outcome, f"the fixed text cannot be encoded as {encoding}: {exc}")
    try:
        write_atomically(path, new_data, data, before)
    except FileChangedError:
        return _failed(outcome, "the file changed on disk while it was being fixed; nothing written")
    except OSError as exc:
        return _failed(outcome, f"cannot write the file: {exc.strerror or exc}; left unchanged")
    return FileFixOutcome(path, old_text, text, tuple(applied), skipped, written=True, rounds=rounds)


def _failed(outcome: FileFixOutcome, error: str) -> FileFixOutcome:
    return FileFixOutcome(outcome.path, outcome.old_text, outcome.new_text, outcome.applied, outcome.skipped,
                          error=error, rounds=outcome.rounds)


def _syntax_error_text(exc: BaseException) -> str:
    if isinstance(exc, SyntaxError):
        where = f" (line {exc.lineno})" if exc.lineno else ""
        return f"syntax error: {exc.msg}{where}"
    return f"cannot parse the file: {exc}"


def write_atomically(path: Path, data: bytes, expected: bytes, expected_stat: os.stat_result) -> None:
    """Replace the file's content by ``data`` in one rename, if it still holds ``expected``.

    A symbolic link is followed (the file it points to is replaced, the link stays). Raises FileChangedError
    when the file no longer matches what was read (size, modification time or content), OSError when the
    write fails or the file is read-only (no write permission bit, or no write access); in both cases the file
    is untouched and no temporary file is left behind.
    """
    target = Path(os.path.realpath(path))
    current = os.stat(target)
    if (current.st_size, current.st_mtime_ns) != (expected_stat.st_size, expected_stat.st_mtime_ns) \
            or target.read_bytes() != expected:
        raise FileChangedError(str(path))
    if not current.st_mode & _WRITE_BITS or not os.access(target, os.W_OK):
        # the rename below would replace it all the same: a read-only file (even for root) is left alone
        raise PermissionError(errno.EACCES, READ_ONLY, str(path))
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".apf-fix", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, stat.S_IMODE(current.st_mode))
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable where the platform allows it
        directory = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


__all__ = ["FileFixOutcome", "FileChangedError", "MAX_ROUNDS", "fix_file", "lint_text", "noqa_file",
           "noqa_suppressed", "read_source", "write_atomically"]
