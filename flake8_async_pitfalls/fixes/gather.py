"""APF105: ``asyncio.gather([a, b])`` / ``gather(coros)`` -> ``gather(a, b)`` / ``gather(*coros)`` (safe)."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from ..rules.base import Finding, FixSafety
from .base import Edit, FixContext, Fixer, Skip, has_comment


class GatherFixer(Fixer):
    codes = ("APF105",)
    safety = FixSafety.SAFE
    description = (
        "spreads a list or tuple display into separate arguments (`gather([a(), b()])` -> `gather(a(), b())`) "
        "and unpacks any other collection with `*` (`gather(jobs)` -> `gather(*jobs)`)"
    )
    targets = (cst.BaseExpression,)

    def plan(self, ctx: FixContext, node: cst.CSTNode, finding: Finding) -> Sequence[Edit]:
        arg = ctx.parent(node)
        call = ctx.parent(arg) if arg is not None else None
        if not (isinstance(arg, cst.Arg) and isinstance(call, cst.Call) and arg.value is node
                and arg.keyword is None and not arg.star):
            raise Skip("the reported value is not a positional argument of the call")
        index = next(i for i, a in enumerate(call.args) if a is arg)

        def apply(updated: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(updated, cst.Call)
            return _spread(updated, index) or _starred(updated, index)

        return [Edit(call, "gather-unpack", apply)]


def _starred(call: cst.Call, index: int) -> cst.Call:
    arg = call.args[index]
    value = arg.value
    if isinstance(value, cst.GeneratorExp) and not value.lpar:
        value = value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    args = list(call.args)
    args[index] = arg.with_changes(star="*", value=value)
    return call.with_changes(args=args)


def _spread(call: cst.Call, index: int) -> cst.Call | None:
    """The call with a list or tuple display argument spread into separate arguments, or None when that
    would lose a comment or needs more than moving the elements."""
    arg = call.args[index]
    value = arg.value
    if isinstance(value, cst.List) and not value.lpar:
        opening: cst.BaseParenthesizableWhitespace = value.lbracket.whitespace_after
        closing: cst.BaseParenthesizableWhitespace = value.rbracket.whitespace_before
    elif isinstance(value, cst.Tuple) and len(value.lpar) == 1 and value.elements:
        opening, closing = value.lpar[0].whitespace_after, value.rpar[0].whitespace_before
    else:
        return None
    if has_comment(closing) or has_comment(arg.whitespace_after_arg):
        return None
    spread: list[cst.Arg] = []
    for element in value.elements:
        if isinstance(element, cst.StarredElement):
            if element.lpar:
                return None
            spread.append(cst.Arg(value=element.value, star="*", whitespace_after_star=element.whitespace_before_value,
                                  comma=element.comma))
        else:
            spread.append(cst.Arg(value=element.value, comma=element.comma))
    if spread and isinstance(arg.comma, cst.Comma):
        last = spread[-1]
        if isinstance(last.comma, cst.Comma) and has_comment(last.comma):
            return None
        spread[-1] = last.with_changes(comma=arg.comma)
    whitespace_before_args = call.whitespace_before_args
    if index == 0 and not _code(whitespace_before_args):
        whitespace_before_args = opening
    elif has_comment(opening):
        return None
    args = list(call.args)
    args[index:index + 1] = spread
    return call.with_changes(args=args, whitespace_before_args=whitespace_before_args)


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)
