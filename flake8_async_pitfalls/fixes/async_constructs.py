"""APF403: a plain ``for`` / ``with`` on an async-only construct -> ``async for`` / ``async with`` (safe)."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from ..rules.base import Finding, FixSafety
from .base import Edit, FixContext, Fixer, Skip


class AsyncConstructFixer(Fixer):
    codes = ("APF403",)
    safety = FixSafety.SAFE
    description = (
        "turns the `for` into `async for` (also the single `for` clause of a list, set or dict comprehension) "
        "and the `with` into `async with`, only in async context; a `with` of several context managers, a "
        "comprehension with several `for` clauses and a generator expression are left to you"
    )
    targets = (cst.For, cst.With, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)

    def plan(self, ctx: FixContext, node: cst.CSTNode, finding: Finding) -> Sequence[Edit]:
        if isinstance(node, cst.GeneratorExp):
            raise Skip("an 'async for' would turn the generator expression into an async generator")
        if isinstance(node, cst.With) and len(node.items) != 1:
            raise Skip("the 'with' enters several context managers: 'async with' would apply to all of them")
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.DictComp)) and node.for_in.inner_for_in is not None:
            raise Skip("the comprehension has several 'for' clauses")
        if isinstance(node, (cst.For, cst.With)) and node.asynchronous is not None:
            raise Skip("it is already async")
        ctx.require_async_context(node)

        def apply(updated: cst.CSTNode) -> cst.CSTNode:
            if isinstance(updated, (cst.For, cst.With)):
                return updated.with_changes(asynchronous=cst.Asynchronous())
            assert isinstance(updated, (cst.ListComp, cst.SetComp, cst.DictComp))
            return updated.with_changes(for_in=updated.for_in.with_changes(asynchronous=cst.Asynchronous()))

        return [Edit(node, "async", apply)]
