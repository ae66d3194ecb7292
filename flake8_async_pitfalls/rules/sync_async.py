"""4xx: mixing sync and async."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..analysis.scopes import Scope, ScopeKind
from .base import FixSafety, Rule

if TYPE_CHECKING:
    from .base import Hook
    from ..checker import FileContext

# an async generator expression is allowed anywhere, so only these can be async comprehensions in error
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp)
_CONSTRUCT = {
    ast.Await: "'await'",
    ast.AsyncFor: "'async for'",
    ast.AsyncWith: "'async with'",
}


def _syntax_context(scope: Scope) -> Scope | None:
    """The scope that makes an await-like construct here a SyntaxError, or None when it is allowed.

    List/set/dict comprehensions are transparent (an async comprehension in an async def is fine);
    a generator expression is not: `await` or `async for` in one makes it an asynchronous generator
    expression, which Python accepts in any function (3.7+ for `async for`, 3.8+ for `await`).
    A plain def, a lambda or a class body is where await is not allowed. Module level is left alone:
    notebooks and the asyncio REPL accept top-level await.
    """
    current: Scope | None = scope
    while current is not None and current.kind is ScopeKind.COMPREHENSION:
        if isinstance(current.node, ast.GeneratorExp):
            return None
        current = current.parent
    if current is None or current.kind in (ScopeKind.ASYNC_FUNCTION, ScopeKind.MODULE):
        return None
    return current


class AwaitOutsideAsync(Rule):
    code = "APF401"
    name = "await-outside-async"
    summary = "`await` / `async for` / `async with` / async comprehension inside a plain `def` or `lambda`"
    message = "{construct} inside {where} is a SyntaxError; {fix}"
    what = (
        "Reports `await`, `async for`, `async with` and asynchronous comprehensions inside a plain `def` "
        "(a method, or a def nested in an `async def`, too), a `lambda`, or a class body. An asynchronous "
        "generator expression (`(x async for x in source)`, `(await c for c in coros)`) is legal in any "
        "function and is not reported; code at module level is left alone (notebooks and the asyncio REPL "
        "accept top-level `await`)."
    )
    why = (
        "These constructs are only allowed in an `async def`. Python's parser accepts them anywhere, so "
        "flake8 (which only parses) reports nothing, but compiling the module raises `SyntaxError`: the "
        "module cannot even be imported."
    )
    fix = (
        "Make the function `async def` and `await` it at its call sites, or, at a synchronous entry "
        "point, run the coroutine with `asyncio.run(...)`. A lambda cannot be async: use an `async def`."
    )
    fix_safety = FixSafety.UNSAFE
    probe = "syntax"

    def hooks(self) -> Mapping[type[ast.AST], Hook]:
        hooks: dict[type[ast.AST], Hook] = {t: self.check_construct for t in _CONSTRUCT}
        hooks.update({t: self.check_comprehension for t in _COMPREHENSIONS})
        return hooks

    def check_construct(self, ctx: FileContext, node: ast.AST, parent: ast.AST | None, scope: Scope) -> None:
        self._report(ctx, node, scope, _CONSTRUCT[type(node)])

    def check_comprehension(self, ctx: FileContext, node: ast.AST, parent: ast.AST | None,
                            scope: Scope) -> None:
        generators = getattr(node, "generators", ())
        if any(gen.is_async for gen in generators):
            # the comprehension's own scope is transparent: judge from where it stands
            outer = ctx.module.scopes[node].parent
            assert outer is not None
            self._report(ctx, node, outer, "an asynchronous comprehension")

    def _report(self, ctx: FileContext, node: ast.AST, scope: Scope, construct: str) -> None:
        context = _syntax_context(scope)
        if context is None:
            return
        if context.kind is ScopeKind.LAMBDA:
            where, fix = "a lambda", "a lambda cannot be async: use an 'async def' instead"
        elif context.kind is ScopeKind.CLASS:
            where, fix = f"the body of class '{context.name}'", "move it into an 'async def' method"
        else:
            where = f"plain def '{context.name}'"
            fix = (f"make it 'async def {context.name}' and await it at its call sites, or run the "
                   "coroutine with 'asyncio.run()' from a sync entry point")
        ctx.report(self, node, construct=construct, where=where, fix=fix)
