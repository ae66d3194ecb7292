"""Applying fixes to one source text: locate each finding, let its fixer plan edits, apply them in one pass.

The result is checked before it is returned: a source that compiled must still compile, and every comment
must still be there. When the joint result fails a check (two fixes that do not fit together, a construct
no fixer foresaw), the fixes are tried one at a time and only those that pass are kept, so a fix never
breaks a file.
"""

from __future__ import annotations

import io
import tokenize
import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import MetadataWrapper

from ..rules.base import Finding, FixSafety
from .base import Edit, FixContext, Fixer, Skip
from .locate import Locator

NO_FIXER = "no autofix for this rule"
NEEDS_UNSAFE = "unsafe fix: applied only when unsafe fixes are enabled (--unsafe-fixes)"
CONFLICT = "overlaps another fix made in the same pass (fixing again applies it)"


class FixError(Exception):
    """The source cannot be fixed at all (libcst cannot parse it); the caller leaves the file alone."""


@dataclass(frozen=True)
class FixResult:
    """The fixed source, the findings fixed, and the findings left with the reason."""

    source: str
    applied: tuple[Finding, ...]
    skipped: tuple[tuple[Finding, str], ...]


@dataclass(eq=False)
class _Planned:
    finding: Finding
    edits: list[Edit]


class _Apply(cst.CSTTransformer):
    def __init__(self, edits: Mapping[cst.CSTNode, Edit]) -> None:
        super().__init__()
        self._edits = edits

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> cst.CSTNode:  # type: ignore[override]
        edit = self._edits.get(original_node)
        return updated_node if edit is None else edit.apply(updated_node)


def fix_source(source: str, findings: Sequence[Finding], *, unsafe: bool = False,
               fixers: Mapping[str, Fixer] | None = None) -> FixResult:
    """Fix the findings of ``source`` that have a fixer (safe ones; unsafe ones too when ``unsafe``).

    ``findings`` are the linter's findings for exactly this text. Raises ``FixError`` when libcst cannot
    parse the source.
    """
    if fixers is None:
        from . import FIXERS

        fixers = FIXERS
    skipped: list[tuple[Finding, str]] = []
    wanted: list[tuple[Finding, Fixer]] = []
    for finding in findings:
        fixer = fixers.get(finding.code)
        if fixer is None:
            skipped.append((finding, NO_FIXER))
        elif fixer.safety is FixSafety.UNSAFE and not unsafe:
            skipped.append((finding, NEEDS_UNSAFE))
        else:
            wanted.append((finding, fixer))
    if not wanted:
        return FixResult(source, (), tuple(skipped))

    module = parse(source)
    ctx = FixContext(MetadataWrapper(module, unsafe_skip_copy=True))
    locator = Locator(ctx, source)
    planned: list[_Planned] = []
    taken: dict[cst.CSTNode, Edit] = {}
    for finding, fixer in wanted:
        try:
            node = locator.find(finding, fixer.targets)
            edits = list(fixer.plan(ctx, node, finding))
        except Skip as exc:
            skipped.append((finding, str(exc)))
            continue
        mine: list[Edit] = []
        clash = False
        for edit in edits:
            other = taken.get(edit.node)
            if other is None:
                mine.append(edit)
            elif other.key != edit.key:
                clash = True
        if clash:
            skipped.append((finding, CONFLICT))
            continue
        for edit in mine:
            taken[edit.node] = edit
        planned.append(_Planned(finding, edits))  # shared edits too: the item may be tried alone
    if not planned:
        return FixResult(source, (), tuple(skipped))

    compiled_before = _compiles(source)
    comments_before = _comments(source)
    fixed = _render(ctx.module, planned)
    problem = _problem(fixed, compiled_before, comments_before)
    if problem is not None:
        # the fixes together break something: keep those that pass alone, in order
        kept: list[_Planned] = []
        fixed = source
        for item in planned:
            trial = _render(ctx.module, [*kept, item])
            problem = _problem(trial, compiled_before, comments_before)
            if problem is None:
                kept.append(item)
                fixed = trial
            else:
                skipped.append((item.finding, f"the fix was not applied: {problem}"))
        planned = kept
    applied = tuple(item.finding for item in planned)
    order = {id(f): index for index, f in enumerate(findings)}
    skipped.sort(key=lambda pair: order.get(id(pair[0]), 0))
    return FixResult(fixed, applied, tuple(skipped))


def parse(source: str) -> cst.Module:
    try:
        return cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        raise FixError(f"libcst cannot parse the file: {exc.message} (line {exc.raw_line})") from None
    except (RecursionError, MemoryError) as exc:
        raise FixError(f"libcst cannot parse the file: {type(exc).__name__}") from None


def _render(module: cst.Module, planned: Sequence[_Planned]) -> str:
    edits = {edit.node: edit for item in planned for edit in item.edits}
    new_module = module.visit(_Apply(edits))
    if any(edit.imports_asyncio for edit in edits.values()):
        new_module = add_import_asyncio(new_module)
    return new_module.code


def _compiles(source: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, "<fix>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _problem(fixed: str, compiled_before: bool, comments_before: Counter[str] | None) -> str | None:
    """What is wrong with a fixed text (it no longer compiles, a comment vanished), or None."""
    if compiled_before:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                compile(fixed, "<fix>", "exec", dont_inherit=True)
        except SyntaxError as exc:
            return f"the result would not compile ({exc.msg}, line {exc.lineno})"
        except (ValueError, RecursionError, MemoryError) as exc:
            return f"the result would not compile ({type(exc).__name__})"
    if comments_before is not None:
        comments_after = _comments(fixed)
        if comments_after is None or comments_before - comments_after:
            return "a comment would be lost"
    return None


def _comments(source: str) -> Counter[str] | None:
    try:
        return Counter(token.string.rstrip() for token in tokenize.generate_tokens(io.StringIO(source).readline)
                       if token.type == tokenize.COMMENT)
    except (tokenize.TokenError, SyntaxError):
        return None


# -- import asyncio ----------------------------------------------------------------------------------

def _is_docstring(statement: cst.BaseStatement) -> bool:
    return (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
            and isinstance(statement.body[0], cst.Expr)
            and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))


def _is_future_import(statement: cst.BaseStatement) -> bool:
    return (isinstance(statement, cst.SimpleStatementLine)
            and any(isinstance(small, cst.ImportFrom) and isinstance(small.module, cst.Name)
                    and small.module.value == "__future__" for small in statement.body))


def _is_import(statement: cst.BaseStatement) -> bool:
    return (isinstance(statement, cst.SimpleStatementLine)
            and all(isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body))


def add_import_asyncio(module: cst.Module) -> cst.Module:
    """``import asyncio`` after the module docstring and ``__future__`` imports, heading the first import
    block when the module starts with one."""
    body = list(module.body)
    index = 0
    if body and _is_docstring(body[0]):
        index = 1
    while index < len(body) and _is_future_import(body[index]):
        index += 1
    statement = cst.SimpleStatementLine(body=[cst.Import(names=[cst.ImportAlias(name=cst.Name("asyncio"))])])
    if index < len(body) and _is_import(body[index]):
        following = body[index]
        assert isinstance(following, cst.SimpleStatementLine)
        statement = statement.with_changes(leading_lines=following.leading_lines)
        body[index] = following.with_changes(leading_lines=[])
    else:
        if index > 0:
            statement = statement.with_changes(leading_lines=[cst.EmptyLine()])
        if index < len(body):
            following = body[index]
            blank = sum(1 for line in following.leading_lines if line.comment is None)
            wanted = 2 if isinstance(following, (cst.FunctionDef, cst.ClassDef)) else 1
            if blank < wanted and hasattr(following, "leading_lines"):
                extra = [cst.EmptyLine()] * (wanted - blank)
                body[index] = following.with_changes(leading_lines=[*extra, *following.leading_lines])
    body.insert(index, statement)
    return module.with_changes(body=body)
