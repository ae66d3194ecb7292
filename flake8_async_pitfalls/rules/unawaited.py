"""1xx: work that never runs."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..analysis.scopes import Scope, ScopeKind
from .base import Rule, source_of

if TYPE_CHECKING:
    from .base import Hook
    from ..checker import FileContext


class UnawaitedCoroutine(Rule):
    code = "APF101"
    name = "unawaited-coroutine"
    summary = "a coroutine function called as a statement, its coroutine discarded without `await`"
    message = "coroutine {call} is never awaited {where}, so it never runs; {fix}"
    what = (
        "Reports a call of a coroutine function whose result is thrown away (an expression statement), "
        "in async or sync code. Coroutine functions are recognised by resolving names, never by a "
        "method name alone: `async def` functions of the module and of the project's other modules, "
        "methods called through `self`, `cls`, `super()`, the class or a local instance (inherited "
        "ones too), asyncio's own coroutine functions (`asyncio.sleep`, `wait_for`, ...), the coroutine "
        "methods of objects whose type is known from a constructor, an annotation or a known call "
        "(`q = asyncio.Queue(); q.put(x)`, `self.lock = asyncio.Lock()`, `reader, writer = await "
        "asyncio.open_connection(...)`), popular async libraries (aiohttp, httpx, asyncpg, redis.asyncio, "
        "aiofiles, Starlette/FastAPI requests and websockets), and names given with "
        "`--apf-coroutine-functions`.\n\n"
        "A decorated `async def` counts only when its decorators are known to keep it a coroutine "
        "function (`staticmethod`, `classmethod`, `functools.wraps`-style wrappers that are themselves "
        "`async def`, project decorators that return the function, route registrations such as "
        "`@app.get(...)`). An `async def` containing `yield` is an async generator function, and an "
        "`@asynccontextmanager` function returns a context manager: calling them makes no coroutine, "
        "so they are not reported; nor are functions behind unknown decorators."
    )
    why = (
        "Calling a coroutine function does not run it: it creates a coroutine object, and only "
        "`await` (or a task) runs it. A discarded coroutine never runs at all; Python at most prints "
        "`RuntimeWarning: coroutine '...' was never awaited` when it is garbage-collected, and the work "
        "(the write, the message, the lock release) silently does not happen."
    )
    fix = (
        "In an `async def`, `await` it (or hand it to `asyncio.create_task` / a `TaskGroup` and keep the "
        "task, to run it concurrently). In synchronous code, make the caller `async def` and await the "
        "call, or run it with `asyncio.run(...)` at the program's entry point. Passing the coroutine on "
        "(to `asyncio.gather`, `create_task`, `wait_for`, any call, `return`, `yield`, a list that is "
        "gathered later) is not reported."
    )
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
        function = scope.function
        where = f"in {scope.describe()}"
        if scope.is_async:
            fix = f"use 'await {text}'"
        elif function.kind is ScopeKind.MODULE:
            where = "at module level"
            fix = f"run it with 'asyncio.run({text})'"
        else:
            fix = (f"make '{function.name}' an async def and use 'await {text}', "
                   f"or run it with 'asyncio.run({text})' at the program's entry point")
        ctx.report(self, call, call=text, where=where, fix=fix)
