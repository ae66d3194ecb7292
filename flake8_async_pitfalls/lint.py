"""One file in, the findings flake8 would show out: read and decode, parse, run the checker, apply noqa.

The source is read as flake8 reads it (encoding from the coding cookie or BOM, Latin-1 when that fails,
universal newlines, BOM stripped), checked by the same engine (``checker.check_tree``), and filtered by
the same ``# noqa`` rules, with flake8's own regular expressions (``flake8.defaults``): a bare ``# noqa``
silences the line, ``# noqa: APF2,APF301`` the codes it lists (prefixes count), a multi-line string is
one line for this purpose, and a line ``# flake8: noqa`` skips the file.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

from flake8 import defaults as flake8_defaults  # type: ignore[import-untyped]

from .checker import check_tree
from .config import SYNTAX_ERROR, Selection
from .rules.base import Finding
from .settings import Settings

_NOQA_INLINE: re.Pattern[str] = flake8_defaults.NOQA_INLINE_REGEXP
_NOQA_FILE: re.Pattern[str] = flake8_defaults.NOQA_FILE
_MAYBE_NOQA = re.compile(r"noqa", re.IGNORECASE)
_MAYBE_FILE_NOQA = re.compile(r"flake8[:=]", re.IGNORECASE)
_CODE_SPLIT = re.compile(r"[,\s]")


@dataclass(frozen=True, slots=True)
class Report:
    """A finding as shown to the user.

    ``column`` is what flake8 prints (the UTF-8 byte offset + 1); ``utf16_column`` is the 1-based column
    in UTF-16 code units, the unit SARIF counts in by default.
    """

    path: str
    line: int
    column: int
    code: str
    message: str
    utf16_column: int
    finding: Finding | None = field(default=None, compare=False)  # the engine's finding (for the fixers)


@dataclass(frozen=True, slots=True)
class Source:
    """A decoded file: its text as flake8 sees it, and how it was stored."""

    text: str
    encoding: str
    had_bom: bool
    newline: str


def decode(data: bytes) -> Source:
    """Decode like flake8 (cookie or BOM, else UTF-8; Latin-1 when that fails) with universal newlines."""
    encoding = "utf-8"
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, UnicodeError, LookupError):
        encoding = "latin-1"
        text = data.decode("latin-1")
    had_bom = text.startswith("\ufeff")
    if had_bom:
        text = text[1:]
    newline = "\r\n" if "\r\n" in text else "\r" if "\r" in text else "\n"
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Source(text, encoding, had_bom, newline)


def _utf16_column(line_text: str, byte_col: int) -> int:
    prefix = line_text.encode("utf-8")[:byte_col].decode("utf-8", "ignore")
    return len(prefix.encode("utf-16-le")) // 2 + 1


def _noqa_lines(text: str, lines: Sequence[str]) -> dict[int, str]:
    """flake8's map from line number to the text searched for ``noqa``: a token spanning several lines
    (a multi-line string) makes them one."""
    mapping: dict[int, str] = {}
    first = len(lines) + 2
    last = -1
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            kind = token.type
            if kind == tokenize.ENDMARKER or kind == tokenize.DEDENT:
                continue
            first = min(first, token.start[0])
            last = max(last, token.end[0])
            if kind == tokenize.NL or kind == tokenize.NEWLINE:
                joined = "".join(lines[first - 1: last])
                for number in range(first, last + 1):
                    mapping[number] = joined
                first = len(lines) + 2
                last = -1
    except (tokenize.TokenError, SyntaxError):
        return {}
    return mapping


def is_noqa(line_text: str, code: str) -> bool:
    """Whether flake8 would ignore ``code`` on a line with this text."""
    match = _NOQA_INLINE.search(line_text)
    if match is None:
        return False
    codes_text = match.group("codes")
    if codes_text is None:
        return True
    codes = tuple(c.strip() for c in _CODE_SPLIT.split(codes_text) if c.strip())
    return code in codes or code.startswith(codes)


def skips_file(lines: Sequence[str]) -> bool:
    """A line that is only ``# flake8: noqa`` turns the whole file off, as in flake8."""
    return any(_NOQA_FILE.match(line) for line in lines)


def _syntax_error(exc: SyntaxError) -> Finding:
    line = exc.lineno or 1
    col = exc.offset or 1  # Python's offset is 1-based; Finding columns are 0-based
    return Finding(line, max(col - 1, 0), SYNTAX_ERROR, f"{type(exc).__name__}: {exc.msg}")


def parse(text: str, filename: str) -> ast.Module | Finding:
    """The tree, or the E999 finding that stands for the whole file when it does not parse."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings are the compiler's business, not a finding
            return ast.parse(text, filename=filename)
    except SyntaxError as exc:
        return _syntax_error(exc)
    except ValueError as exc:  # source code with null bytes on older Pythons
        return Finding(1, 0, SYNTAX_ERROR, f"SyntaxError: {exc}")


def lint_text(text: str, path: str, settings: Settings, selection: Selection) -> list[Report]:
    """The findings of one decoded file that the selection and the file's ``noqa`` comments let through.

    Raises RecursionError/MemoryError when the source is too deep to parse or check.
    """
    lines = text.splitlines(keepends=True)
    if _MAYBE_FILE_NOQA.search(text) and skips_file(lines):
        return []
    parsed = parse(text, path)
    findings = [parsed] if isinstance(parsed, Finding) else check_tree(parsed, path, lines, settings)
    ignore = selection.ignore_for(path)
    findings = [f for f in findings if selection.reports(f.code, ignore)]
    if not findings:
        return []
    has_noqa = _MAYBE_NOQA.search(text) is not None
    noqa_lines: dict[int, str] | None = None
    reports = []
    for finding in findings:
        line_text = lines[finding.line - 1] if 0 < finding.line <= len(lines) else ""
        if has_noqa:
            if noqa_lines is None:
                noqa_lines = _noqa_lines(text, lines)
            if is_noqa(noqa_lines.get(finding.line, line_text), finding.code):
                continue
        column = finding.col + 1
        utf16 = column if line_text.isascii() else _utf16_column(line_text, finding.col)
        reports.append(Report(path, finding.line, column, finding.code, finding.message, utf16, finding))
    return reports
