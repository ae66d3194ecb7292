"""APF402: ``asyncio.run(coro)`` / ``loop.run_until_complete(coro)`` in async context -> ``await coro`` (safe)."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from ..rules.base import Finding, FixSafety
from .base import Edit, FixContext, Fixer, Skip, awaited, callee_name

_RUNNERS = frozenset({"run", "run_until_complete"})


class AwaitInsteadOfRunFixer(Fixer):
    codes = ("APF402",)
    safety = FixSafety.SAFE
    description = (
        "rewrites `asyncio.run(coro)` and `loop.run_until_complete(coro)` (one argument, no options) to "
        "`await coro`, only in async context; `run_forever()` and calls of helpers that start a loop further "
        "down are left to you"
    )
    targets = (cst.Call,)

    def plan(self, ctx: FixContext, node: cst.CSTNode, finding: Finding) -> Sequence[Edit]:
        assert isinstance(node, cst.Call)
        # the direct form's message says what to await (run_forever() and the call-chain form do not)
        if "use 'await " not in finding.message:
            raise Skip("only a direct asyncio.run(coro) or run_until_complete(coro) is rewritten")
        if len(node.args) != 1 or node.args[0].keyword is not None or node.args[0].star:
            raise Skip("the call has other arguments than the coroutine")
        # a runner imported under another name must be the one the message names
        if callee_name(node) not in _RUNNERS and f"use 'await {ctx.code(node.args[0].value)}'" not in finding.message:
            raise Skip("only a direct asyncio.run(coro) or run_until_complete(coro) is rewritten")
        ctx.require_async_context(node)
        already_awaited = ctx.is_awaited(node)
        parenthesize = ctx.needs_parentheses(node)

        def apply(updated: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(updated, cst.Call)
            value = updated.args[0].value
            if already_awaited:
                # `await asyncio.run(c)` (which fails anyway) -> `await c`
                inner = awaited(value, False).expression
                return inner.with_changes(lpar=[*updated.lpar, *inner.lpar], rpar=[*inner.rpar, *updated.rpar])
            return awaited(value.with_changes(lpar=updated.lpar, rpar=updated.rpar), parenthesize)

        return [Edit(node, "await-argument", apply)]
