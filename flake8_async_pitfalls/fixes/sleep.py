"""APF201: ``time.sleep(x)`` -> ``await asyncio.sleep(x)`` (safe)."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from ..rules.base import Finding, FixSafety
from .base import Edit, FixContext, Fixer, attribute, awaited


class SleepFixer(Fixer):
    codes = ("APF201",)
    safety = FixSafety.SAFE
    description = (
        "rewrites `time.sleep(x)` (however it is imported) to `await asyncio.sleep(x)`, or only the call when it "
        "is already awaited, and adds `import asyncio` when the module has none; it leaves the call alone where "
        "the name `asyncio` means something else"
    )
    targets = (cst.Call,)

    def plan(self, ctx: FixContext, node: cst.CSTNode, finding: Finding) -> Sequence[Edit]:
        assert isinstance(node, cst.Call)
        ctx.require_async_context(node)
        name, needs_import = ctx.asyncio_name(node)
        already_awaited = ctx.is_awaited(node)
        parenthesize = ctx.needs_parentheses(node)

        def apply(updated: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(updated, cst.Call)
            call = updated.with_changes(func=attribute(f"{name}.sleep"))
            return call if already_awaited else awaited(call, parenthesize)

        return [Edit(node, "asyncio.sleep", apply, needs_import)]
