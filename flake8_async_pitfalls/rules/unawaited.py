"""1xx: work that never runs."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..analysis.scopes import Scope
from .base import FixSafety, Rule, source_of

if TYPE_CHECKING:
    from .base import Hook
    from ..checker import FileContext


class UnawaitedCoroutine(Rule):
    code = "APF101"
    name = "unawaited-coroutine"
    summary = "a coroutine function called as a statement, its coroutine discarded without `await`"
    message = "coroutine {call} is never awaited in {where}, so it never runs; {fix}"
    what = (
        "Reports a call of a coroutine function whose result is thrown away (an expression statement), "
        "in async or sync code. Coroutine functions are recognised by resolving names: `async def` "
        "functions of the module (with decorators known to keep them coroutine functions), methods "
        "called through `self`, `cls`, the class or a local instance, asyncio's own coroutine functions, "
        "methods of asyncio objects whose type is known from a constructor, an annotation or a known "
        "call (`q = asyncio.Queue(); q.put(x)`), and names given with `--apf-coroutine-functions`."
    )
    why = (
        "Calling a coroutine function does not run it: it creates a coroutine object, and only "
        "`await` (or a task) runs it. A discarded coroutine never runs at all; Python at most prints "
        "`RuntimeWarning: coroutine '...' was never awaited` when it is garbage-collected, and the work "
        "(the write, the message, the lock release) silently does not happen."
    )
    fix = (
        "In an `async def`, `await` it. In synchronous code, run it with `asyncio.run(...)` at the "
        "program's entry point, or make the caller `async def` and await the call. Passing the coroutine "
        "on (to `asyncio.gather`, `create_task`, `return`, a list) is not reported."
    )
    fix_safety = FixSafety.UNSAFE
    options = ("--apf-coroutine-functions",)
    probe = "never-awaited"

    def hooks(self) -> Mapping[type[ast.AST], Hook]:
        return {ast.Expr: self.check_statement}

    def check_statement(self, ctx: FileContext, node: ast.AST, parent: ast.AST | None, scope: Scope) -> None:
        assert isinstance(node, ast.Expr)
        call = node.value
        if not isinstance(call, ast.Call):
            return
        if ctx.coroutines.coroutine_call(call, scope) is None:
            return
        text = source_of(call)
        where = scope.describe()
        if scope.is_async:
            fix = f"use 'await {text}'"
        elif scope.function.kind.value == "module":
            fix = f"run it with 'asyncio.run({text})'"
        else:
            fix = (f"run it with 'asyncio.run({text})' at the program's entry point, "
                   f"or make {where} async and 'await' it")
        ctx.report(self, call, call=text, where=where, fix=fix)
