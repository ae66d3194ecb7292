"""APF101 / APF102: a coroutine call made without ``await`` -> ``await call`` in async context (unsafe)."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from ..rules.base import Finding, FixSafety
from .base import Edit, FixContext, Fixer, Skip, awaited


def await_edit(ctx: FixContext, call: cst.Call) -> Edit:
    """The edit that awaits ``call`` where it stands (its parentheses kept, or added where needed)."""
    parenthesize = ctx.needs_parentheses(call)

    def apply(updated: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(updated, cst.BaseExpression)
        return awaited(updated, parenthesize)

    return Edit(call, "await", apply)


class AwaitFixer(Fixer):
    codes = ("APF101", "APF102")
    safety = FixSafety.UNSAFE
    description = (
        "adds `await` before the coroutine call, only in async context (in a plain `def` or at module level "
        "there is no fix); unsafe because the coroutine now runs, with its side effects and its time, and a "
        "tested value may take the other branch"
    )
    targets = (cst.Call,)

    def plan(self, ctx: FixContext, node: cst.CSTNode, finding: Finding) -> Sequence[Edit]:
        assert isinstance(node, cst.Call)
        ctx.require_async_context(node)
        if ctx.is_awaited(node):
            raise Skip("the call is already awaited")
        return [await_edit(ctx, node)]
