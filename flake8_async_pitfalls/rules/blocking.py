"""2xx: calls that block the event loop when made directly in async context."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..analysis.scopes import Scope
from .base import FixSafety, Hook, Rule, source_of

if TYPE_CHECKING:
    from ..checker import FileContext


def _args_text(call: ast.Call) -> str:
    return ", ".join(source_of(arg, 30) for arg in [*call.args, *call.keywords])


def _call_text(ctx: FileContext, call: ast.Call, scope: Scope, qualname: str) -> str:
    """``time.sleep(2)``, or ``nap(2) (time.sleep)`` when the call is spelled through an alias."""
    text = source_of(call)
    spelled = source_of(call.func)
    return text if spelled == qualname else f"{text} ({qualname})"


class BlockingSleep(Rule):
    code = "APF201"
    name = "blocking-sleep"
    summary = "`time.sleep()` in async context (also when wrongly awaited)"
    message = "{call} blocks the event loop in {where}; use 'await asyncio.sleep({args})'"
    what = (
        "Reports `time.sleep()` called directly in an `async def` (the innermost enclosing function), "
        "however it is imported (`import time as t`, `from time import sleep as nap`), and also when it is "
        "wrongly awaited (`await time.sleep(1)` fails at run time after sleeping)."
    )
    why = (
        "An event loop runs one task at a time and switches only at `await`. `time.sleep()` does not "
        "return to the loop: for the whole duration no other task runs, no timer fires, no socket is "
        "served. `await asyncio.sleep()` suspends only the current task and lets the others run."
    )
    fix = (
        "Replace it with `await asyncio.sleep(...)` (adding `import asyncio` when needed). A plain `def` "
        "that sleeps and is run in a thread (`asyncio.to_thread`, `run_in_executor`) is not async context "
        "and is not reported."
    )
    fix_safety = FixSafety.SAFE
    probe = "stall"

    def hooks(self) -> Mapping[type[ast.AST], Hook]:
        return {ast.Call: self.check_call}

    def check_call(self, ctx: FileContext, node: ast.AST, parent: ast.AST | None, scope: Scope) -> None:
        assert isinstance(node, ast.Call)
        if not scope.is_async:
            return
        if ctx.module.qualname(node.func, scope) != "time.sleep":
            return
        ctx.report(self, node, call=_call_text(ctx, node, scope, "time.sleep"), where=scope.describe(),
                   args=_args_text(node))
