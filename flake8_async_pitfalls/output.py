"""How findings and rules are printed: text (flake8's lines), JSON, SARIF 2.1.0, GitHub workflow commands."""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from . import DOCS_URL, __version__
from .config import INTERNAL_ERROR, SYNTAX_ERROR
from .lint import Report
from .rules.base import Rule

FORMATS = ("text", "json", "sarif", "github")
TOOL_NAME = "flake8-async-pitfalls"
DOCS_PAGE = "docs/rules/{code}.md"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"

# what the codes that are no rule mean, for JSON and SARIF
_PSEUDO_RULES: Mapping[str, tuple[str, str]] = {
    SYNTAX_ERROR: ("syntax-error", "the file does not parse, so no rule could check it"),
    INTERNAL_ERROR: ("internal-error", "a rule failed on this file (a bug: please report it); the others ran"),
}

# the rule families (APF1xx ... APF4xx) as SARIF tags, which GitHub code scanning shows and filters by
_FAMILY_TAGS: Mapping[str, str] = {"1": "correctness", "2": "performance", "3": "performance", "4": "correctness"}


def docs_uri(code: str) -> str:
    """The rule's page on the documentation site (``DOCS_URL``; docs/rules/<code>.md built by mkdocs)."""
    return f"{DOCS_URL}rules/{code}/"


def fix_safety(rule: Rule | None) -> str | None:
    return None if rule is None or rule.fix_safety is None else rule.fix_safety.value


def _name(code: str, rules: Mapping[str, Rule]) -> str:
    rule = rules.get(code)
    if rule is not None:
        return rule.name
    return _PSEUDO_RULES.get(code, ("unknown", ""))[0]


# -- findings -------------------------------------------------------------------------------------------------

def text_lines(reports: Iterable[Report]) -> list[str]:
    """flake8's format: ``path:line:col: CODE message``."""
    return [f"{r.path}:{r.line}:{r.column}: {r.code} {r.message}" for r in reports]


def json_text(reports: Iterable[Report], rules: Mapping[str, Rule]) -> str:
    """A JSON list of findings (``column`` as in the text format: flake8's)."""
    items = [
        {
            "path": r.path,
            "line": r.line,
            "column": r.column,
            "code": r.code,
            "name": _name(r.code, rules),
            "message": r.message,
            "fix_safety": fix_safety(rules.get(r.code)),
        }
        for r in reports
    ]
    return json.dumps(items, indent=2, ensure_ascii=False)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _github_path(path: str, cwd: str) -> str:
    """The path relative to the working directory (the repository root in a workflow), ``/``-separated and
    without ``./``: GitHub attaches an annotation to the file of the repository with that path. A path
    outside the working directory stays as given."""
    if os.path.isabs(path):
        relative = os.path.relpath(path, cwd)
        if relative.split(os.sep, 1)[0] == os.pardir:
            return path
        path = relative
    return os.path.normpath(path).replace(os.sep, "/")


def github_lines(reports: Iterable[Report], cwd: str | None = None) -> list[str]:
    """GitHub Actions workflow commands, one annotation per finding, such as
    ``::warning file=app.py,line=8,col=5,title=APF201::message`` (``::error`` for E999 and APF000), escaped as
    GitHub requires: ``%``, CR and LF everywhere, also ``:`` and ``,`` in the properties. ``col`` is 1-based,
    in UTF-16 code units like SARIF's columns."""
    cwd = os.path.abspath(cwd or os.getcwd())
    lines = []
    for r in reports:
        level = "error" if r.code in _PSEUDO_RULES else "warning"
        properties = ",".join([
            f"file={_escape_property(_github_path(r.path, cwd))}",
            f"line={r.line}",
            f"col={r.utf16_column}",
            f"title={_escape_property(r.code)}",
        ])
        lines.append(f"::{level} {properties}::{_escape_data(r.message)}")
    return lines


# -- SARIF ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Replacement:
    """Replace lines ``[start, end)`` (1-based) of the original file by ``text``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class FileFix:
    """The fix of one file, for SARIF: the findings it fixes and its line replacements."""

    fixed: frozenset[tuple[int, str]]  # (line, code) of the fixed findings
    replacements: tuple[Replacement, ...]
    old_lines: tuple[str, ...]


def file_fix(old: str, new: str, fixed: Iterable[tuple[int, str]]) -> FileFix:
    """The line replacements that turn ``old`` into ``new``."""
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    replacements = tuple(
        Replacement(i1 + 1, i2 + 1, "".join(new_lines[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
    )
    return FileFix(frozenset(fixed), replacements, tuple(old_lines))


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _sarif_region(fix: FileFix, replacement: Replacement) -> dict[str, int]:
    lines = fix.old_lines
    if replacement.end <= len(lines):
        return {"startLine": replacement.start, "startColumn": 1, "endLine": replacement.end, "endColumn": 1}
    # up to the end of the file: end on the last line, after its last character
    last = len(lines)
    if last == 0:
        return {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 1}
    start = min(replacement.start, last)
    return {"startLine": start, "startColumn": 1, "endLine": last,
            "endColumn": _utf16_len(lines[last - 1].rstrip("\r\n")) + 1}


def _sarif_fixes(report: Report, fix: FileFix, location: dict[str, Any], safety: str) -> list[dict[str, Any]]:
    if (report.line, report.code) not in fix.fixed:
        return []
    fixed_lines = {line for line, _ in fix.fixed}
    mine = []
    for replacement in fix.replacements:
        touched = range(replacement.start, max(replacement.end, replacement.start + 1))
        if report.line in touched or not fixed_lines.intersection(touched):
            mine.append(replacement)  # its own lines, and edits no finding owns (such as an added import)
    if not mine:
        return []
    return [{
        "description": {"text": f"{report.code} autofix ({safety})"},
        "artifactChanges": [{
            "artifactLocation": location,
            "replacements": [
                {"deletedRegion": _sarif_region(fix, r), "insertedContent": {"text": r.text}} for r in mine
            ],
        }],
    }]


def _artifact_location(path: str, cwd: str) -> dict[str, Any]:
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute, cwd)
    except ValueError:
        relative = os.pardir
    if relative.split(os.sep, 1)[0] == os.pardir:
        return {"uri": Path(absolute).as_uri()}
    return {"uri": quote(Path(relative).as_posix()), "uriBaseId": "%SRCROOT%"}


def _plain(prose: str) -> str:
    """Markdown prose as plain text: each paragraph on one line, paragraphs apart by a blank line."""
    paragraphs = (" ".join(block.split()) for block in prose.strip().split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


def _text_help(rule: Rule, uri: str) -> str:
    parts = [f"{rule.code} {rule.name}: {_plain(rule.summary)}", _plain(rule.what),
             f"Why is this bad? {_plain(rule.why)}", f"Fix: {_plain(rule.fix)}", f"Documentation: {uri}"]
    return "\n\n".join(parts)


def _markdown_help(rule: Rule, uri: str) -> str:
    parts = [f"**{rule.code} {rule.name}**: {rule.summary.strip()}", "", "## What it does", "", rule.what.strip(),
             "", "## Why is this bad?", "", rule.why.strip(), "", "## Fix", "", rule.fix.strip(), "",
             f"[Full documentation of {rule.code}]({uri})"]
    return "\n".join(parts)


def _sarif_rule(rule: Rule) -> dict[str, Any]:
    uri = docs_uri(rule.code)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": _plain(rule.summary), "markdown": rule.summary.strip()},
        "fullDescription": {"text": _plain(rule.what), "markdown": rule.what.strip()},
        "help": {"text": _text_help(rule, uri), "markdown": _markdown_help(rule, uri)},
        "helpUri": uri,
        "defaultConfiguration": {"level": "warning"},
        "properties": {
            "tags": ["asyncio", _FAMILY_TAGS.get(rule.code[3:4], "correctness")],
            "fixSafety": fix_safety(rule) or "none",
        },
    }


def _sarif_pseudo_rule(code: str) -> dict[str, Any]:
    name, description = _PSEUDO_RULES[code]
    return {
        "id": code,
        "name": name,
        "shortDescription": {"text": description},
        "fullDescription": {"text": description},
        "help": {"text": description},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["asyncio"], "fixSafety": "none"},
    }


def sarif_log(reports: Sequence[Report], rules: Sequence[Rule], fixes: Mapping[str, FileFix],
              problems: Sequence[tuple[str, str]] = (), cwd: str | None = None) -> dict[str, Any]:
    """A SARIF 2.1.0 log of one run: every rule's metadata, the findings (with fixes where ``fixes`` has the
    finding's file), and the paths that could not be checked as tool notifications."""
    cwd = os.path.abspath(cwd or os.getcwd())
    descriptors = [_sarif_rule(rule) for rule in rules]
    descriptors += [_sarif_pseudo_rule(code) for code in _PSEUDO_RULES]
    index = {descriptor["id"]: position for position, descriptor in enumerate(descriptors)}
    by_code = {rule.code: rule for rule in rules}
    results = []
    for report in reports:
        location = _artifact_location(report.path, cwd)
        result: dict[str, Any] = {
            "ruleId": report.code,
            "level": "error" if report.code in _PSEUDO_RULES else "warning",
            "message": {"text": report.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": location,
                "region": {"startLine": report.line, "startColumn": report.utf16_column},
            }}],
        }
        if report.code in index:
            result["ruleIndex"] = index[report.code]
        fix = fixes.get(report.path)
        if fix is not None:
            sarif_fixes = _sarif_fixes(report, fix, location, fix_safety(by_code.get(report.code)) or "none")
            if sarif_fixes:
                result["fixes"] = sarif_fixes
        results.append(result)
    notifications = [
        {"level": "error", "message": {"text": message},
         "locations": [{"physicalLocation": {"artifactLocation": _artifact_location(path, cwd)}}]}
        for path, message in problems
    ]
    driver: dict[str, Any] = {
        "name": TOOL_NAME,
        "version": __version__,
        "semanticVersion": __version__,
        "informationUri": DOCS_URL,
        "rules": descriptors,
    }
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "invocations": [{"executionSuccessful": not problems, "toolExecutionNotifications": notifications}],
        "originalUriBaseIds": {"%SRCROOT%": {"uri": Path(cwd).as_uri() + "/"}},
        "columnKind": "utf16CodeUnits",
        "results": results,
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


# -- rules ----------------------------------------------------------------------------------------------------

def rules_table(rules: Sequence[Rule]) -> list[str]:
    """The rules as an aligned text table: code, name, fix safety, summary."""
    rows = [("code", "name", "fix", "summary")]
    rows += [(r.code, r.name, fix_safety(r) or "-", " ".join(r.summary.split())) for r in rules]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return [f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]}".rstrip()
            for row in rows]


def rules_json(rules: Sequence[Rule]) -> str:
    items = [
        {
            "code": r.code,
            "name": r.name,
            "summary": " ".join(r.summary.split()),
            "fix_safety": fix_safety(r),
            "options": list(r.options),
            "docs": docs_uri(r.code),
        }
        for r in rules
    ]
    return json.dumps(items, indent=2, ensure_ascii=False)
