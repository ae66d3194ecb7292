"""APF404: ``asyncio.get_event_loop()`` in a coroutine -> ``asyncio.get_running_loop()`` (safe)."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from ..rules.base import Finding, FixSafety
from .base import Edit, FixContext, Fixer, Skip, attribute


class RunningLoopFixer(Fixer):
    codes = ("APF404",)
    safety = FixSafety.SAFE
    description = (
        "renames the call to `get_running_loop()` (`asyncio.get_running_loop()` for a bare imported "
        "`get_event_loop()`, adding `import asyncio` when needed), only in async context"
    )
    targets = (cst.Call,)

    def plan(self, ctx: FixContext, node: cst.CSTNode, finding: Finding) -> Sequence[Edit]:
        assert isinstance(node, cst.Call)
        ctx.require_async_context(node)
        if node.args:
            raise Skip("get_event_loop() is called with arguments")
        func = node.func
        if isinstance(func, cst.Attribute):
            def rename(updated: cst.CSTNode) -> cst.CSTNode:
                assert isinstance(updated, cst.Call) and isinstance(updated.func, cst.Attribute)
                return updated.with_changes(func=updated.func.with_changes(attr=cst.Name("get_running_loop")))

            return [Edit(node, "get_running_loop", rename)]
        if isinstance(func, cst.Name):
            name, needs_import = ctx.asyncio_name(node)

            def replace(updated: cst.CSTNode) -> cst.CSTNode:
                assert isinstance(updated, cst.Call)
                return updated.with_changes(func=attribute(f"{name}.get_running_loop"))

            return [Edit(node, "get_running_loop", replace, needs_import)]
        raise Skip("the callee is not a plain name or attribute")
