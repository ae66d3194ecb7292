"""4xx: mixing sync and async."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..analysis.callgraph import CallGraph
from ..analysis.coroutines import Verdict
from ..analysis.project import CallSite, callee_names
from ..analysis.resolve import Symbol
from ..analysis.scopes import BindingKind, Scope, ScopeKind
from ..knowledge.asyncio_api import ASYNC_ONLY_CONTEXT_MANAGERS
from .base import Rule, async_context_only, method_names, source_of

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


# -- APF402: running an event loop from inside one --------------------------------------------------

# call -> what it runs: "coroutine" (the fix awaits its first argument) or "forever"
_LOOP_RUNNERS: Mapping[str, str] = {
    "asyncio.run": "coroutine",
    "asyncio.Runner.run": "coroutine",
    "asyncio.AbstractEventLoop.run_until_complete": "coroutine",
    "asyncio.AbstractEventLoop.run_forever": "forever",
}


def _uses_nest_asyncio(ctx: FileContext) -> bool:
    """Whether the file imports nest_asyncio, which patches asyncio to allow nested loops."""
    memo: dict[str, bool] = ctx.rule_state.setdefault("nest-asyncio", {})
    if "found" not in memo:
        memo["found"] = any(
            binding.kind is BindingKind.IMPORT and (binding.qualname or "").partition(".")[0] == "nest_asyncio"
            for scope in ctx.module.scopes.values()
            for bindings in scope.bindings.values()
            for binding in bindings
        )
    return memo["found"]


def _forks(ctx: FileContext, scope: Scope) -> bool:
    """Whether the function calls ``os.fork()``: a forked child has no running loop (asyncio checks the pid)."""
    function = scope.function.node
    memo: dict[ast.AST, bool] = ctx.rule_state.setdefault("forking-functions", {})
    found = memo.get(function)
    if found is None:
        found = memo[function] = any(
            isinstance(node, ast.Call) and ctx.module.qualname(node.func, scope) in ("os.fork", "os.forkpty")
            for node in _own_nodes(function)
        )
    return found


class AsyncioRunInRunningLoop(Rule):
    code = "APF402"
    name = "asyncio-run-in-running-loop"
    summary = "`asyncio.run()`, `loop.run_until_complete()`, `loop.run_forever()` in async context"
    message = "{call} in {where} raises RuntimeError, as an event loop is already running there; {fix}"
    what = (
        "Reports, in an `async def`, calls that start an event loop: `asyncio.run(...)`, "
        "`asyncio.Runner(...).run(...)`, and `run_until_complete(...)` / `run_forever()` on a loop whose "
        "type is known (from `asyncio.get_event_loop()`, `get_running_loop()`, `new_event_loop()`, an "
        "annotation, or `self.loop = ...`). A plain `def` or `lambda`, even one nested in an `async def`, "
        "is not async context: `await asyncio.to_thread(asyncio.run, job())` runs the loop in another "
        "thread and is not reported, nor is a function that calls `os.fork()` (the child process has no "
        "running loop: asyncio checks the pid). Files that import `nest_asyncio` (which patches asyncio to "
        "allow nested loops) are skipped. A call, in async context, of a plain `def` of the project that "
        "(directly or through further plain defs, across modules, up to `--apf-project-depth`) starts a "
        "loop is reported too, with the chain in the message."
    )
    why = (
        "A coroutine only runs inside an event loop that is already running in this thread, and asyncio "
        "allows one running loop per thread. `asyncio.run()` called there raises `RuntimeError: "
        "asyncio.run() cannot be called from a running event loop` (and the coroutine passed to it is "
        "never awaited); `run_until_complete()` and `run_forever()` raise `RuntimeError: This event loop "
        "is already running` (or `Cannot run the event loop while another loop is running` for a second "
        "loop)."
    )
    fix = (
        "You are already inside the loop: `await coro` directly instead of `asyncio.run(coro)` or "
        "`loop.run_until_complete(coro)` (use `asyncio.create_task` / `gather` to run several at once). "
        "Instead of `run_forever()`, await whatever should end the program, such as an `asyncio.Event`."
    )
    probe = "error"
    probe_error = "cannot be called from a running event loop"

    def hooks(self) -> Mapping[type[ast.AST], Hook]:
        return {ast.Call: self.check_call}

    @async_context_only
    def check_call(self, ctx: FileContext, node: ast.AST, parent: ast.AST | None, scope: Scope) -> None:
        assert isinstance(node, ast.Call)
        if not scope.is_async:
            return
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr not in _RUNNER_NAMES:
            self._check_chain(ctx, node, scope)
            return  # cheap filter: a method's name is the name it is known by
        kind = next((_LOOP_RUNNERS[k] for k in ctx.module.call_keys(node, scope) if k in _LOOP_RUNNERS), None)
        if kind is None:
            self._check_chain(ctx, node, scope)
            return
        if _uses_nest_asyncio(ctx) or _forks(ctx, scope):
            return
        if kind == "forever":
            fix = "the loop already runs: await what should end the program instead (e.g. 'await stop.wait()')"
        elif node.args and not isinstance(node.args[0], ast.Starred):
            fix = f"use 'await {source_of(node.args[0], 50)}'"
        else:
            fix = "await the coroutine directly"
        ctx.report(self, node, call=source_of(node, 50), where=scope.describe(), fix=fix)

    def _check_chain(self, ctx: FileContext, node: ast.Call, scope: Scope) -> None:
        """The call-chain form: a plain project def that starts a loop somewhere down its calls."""
        names = callee_names(ctx.module, node, scope)
        if not names:
            return
        graph = CallGraph.of(ctx)
        target = graph.plain_target(names)
        if target is None:
            return
        chain = graph.search(target, _starts_loop, self.code)
        if chain is not None and not _uses_nest_asyncio(ctx) and not _forks(ctx, scope):
            fix = (f"it reaches {chain.text()}; make that chain async and 'await' the coroutine instead of "
                   "starting a loop")
            ctx.report(self, node, call=source_of(node, 50), where=scope.describe(), fix=fix)


def _starts_loop(site: CallSite) -> tuple[str, str] | None:
    for name in site[1]:
        if name in _LOOP_RUNNERS:
            return _LOOP_RUNNERS[name], name
    return None


_RUNNER_NAMES = frozenset({"run", "run_until_complete", "run_forever"})


# -- APF403: async generators and async context managers used with plain for / with -------------------

# async-only context managers (no __enter__) of popular libraries, besides asyncio's own
_ASYNC_ONLY_CM_TYPES = ASYNC_ONLY_CONTEXT_MANAGERS | frozenset({
    "contextlib.AsyncExitStack",
    "aiohttp.ClientSession",
    "httpx.AsyncClient",
})
# calls that return an async-only context manager
_ASYNC_ONLY_CM_CALLS = frozenset({"aiofiles.open"})
# async-only iterables (__aiter__ and no __iter__) of libraries
_ASYNC_ONLY_ITERABLE_TYPES = frozenset({"asyncio.StreamReader"})
# class decorators known not to add protocol methods
_PLAIN_CLASS_DECORATORS = frozenset({
    "dataclasses.dataclass", "functools.total_ordering", "typing.final", "typing_extensions.final",
})
_COMPREHENSION_NAMES = {
    ast.ListComp: "list comprehension",
    ast.SetComp: "set comprehension",
    ast.DictComp: "dict comprehension",
    ast.GeneratorExp: "generator expression",
}


def _own_nodes(function: ast.AST) -> list[ast.AST]:
    """The nodes of a function's body, nested functions, lambdas and classes excluded."""
    out: list[ast.AST] = []
    pending: list[ast.AST] = list(getattr(function, "body", []))
    while pending:
        node = pending.pop()
        out.append(node)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            pending.extend(ast.iter_child_nodes(node))
    return out


class SyncUseOfAsyncConstruct(Rule):
    code = "APF403"
    name = "sync-use-of-async-construct"
    summary = ("`for` over an async generator or async-only iterable, `with` on an async-only context manager "
               "(asyncio locks, `asyncio.timeout`, `TaskGroup`, `aiohttp.ClientSession`, `@asynccontextmanager`)")
    message = "{construct} in {where} {problem}, which raises {error}; {fix}"
    what = (
        "Reports, in any function, a plain `for` (or comprehension) over a call of an async generator "
        "function of this module (an `async def` that `yield`s, also a method called through `self` or "
        "its class) or over an async-only iterable (`asyncio.StreamReader`, a class of this file with "
        "`__aiter__` and neither `__iter__` nor `__getitem__`), and a plain `with` on an async-only context "
        "manager: `asyncio.Lock`, `Semaphore`, `BoundedSemaphore`, `Condition`, `Barrier`, `TaskGroup`, "
        "`asyncio.timeout()`/`timeout_at()`, `contextlib.AsyncExitStack`, `aiohttp.ClientSession`, "
        "`httpx.AsyncClient`, `aiofiles.open()`, a call of an `@asynccontextmanager` function of this "
        "module, or an instance of a class of this file with `__aenter__` and no `__enter__` (in its "
        "bases too; a base from elsewhere might define `__enter__`, so such classes are left alone). "
        "Values are recognised by their inferred type: `with self.lock:` after `self.lock = asyncio.Lock()`."
    )
    why = (
        "An async generator implements only `__aiter__`/`__anext__`, and an async context manager only "
        "`__aenter__`/`__aexit__`. A plain `for` or `with` looks for `__iter__` or `__enter__` and fails at "
        "run time: `TypeError: 'async_generator' object is not iterable`, `TypeError: 'Lock' object does "
        "not support the context manager protocol` (on Python 3.10: `AttributeError: __enter__`). The lock "
        "is never taken and the body never runs."
    )
    fix = (
        "In an `async def`, use `async for` / `async with` (and `[x async for x in agen()]` in a "
        "comprehension). In a plain `def`, the construct cannot be used: make the function `async def`, "
        "or use a synchronous equivalent (`threading.Lock`, a plain generator)."
    )
    probe = "error"
    probe_error = "'async_generator' object is not iterable"

    def hooks(self) -> Mapping[type[ast.AST], Hook]:
        hooks: dict[type[ast.AST], Hook] = {ast.For: self.check_for, ast.With: self.check_with}
        hooks.update({t: self.check_comprehension for t in _COMPREHENSION_NAMES})
        return hooks

    def _fix(self, scope: Scope, keyword: str, example: str) -> str:
        if scope.is_async:
            return f"use '{example}'"
        return f"'{keyword}' needs an async def: make {scope.describe()} async, or use a sync equivalent"

    def check_for(self, ctx: FileContext, node: ast.AST, parent: ast.AST | None, scope: Scope) -> None:
        assert isinstance(node, ast.For)
        problem = self._async_iterable(ctx, node.iter, scope)
        if problem is None:
            return
        header = f"for {source_of(node.target, 20)} in {source_of(node.iter, 40)}"
        ctx.report(self, node, construct=f"'{header}'", where=scope.describe(), problem=problem,
                   error="TypeError", fix=self._fix(scope, "async for", f"async {header}"))

    def check_comprehension(self, ctx: FileContext, node: ast.AST, parent: ast.AST | None,
                            scope: Scope) -> None:
        generators: list[ast.comprehension] = getattr(node, "generators", [])
        inner = ctx.module.scopes.get(node, scope)
        outer = inner.parent or scope
        for index, gen in enumerate(generators):
            if gen.is_async:
                continue
            # the first iterable is evaluated where the comprehension stands, the others inside it
            problem = self._async_iterable(ctx, gen.iter, outer if index == 0 else inner)
            if problem is None:
                continue
            header = f"for {source_of(gen.target, 20)} in {source_of(gen.iter, 40)}"
            construct = f"'{header}' in a {_COMPREHENSION_NAMES[type(node)]}"
            ctx.report(self, node, construct=construct, where=outer.describe(), problem=problem,
                       error="TypeError", fix=self._fix(outer, "async for", f"async {header}"))
            return

    def check_with(self, ctx: FileContext, node: ast.AST, parent: ast.AST | None, scope: Scope) -> None:
        assert isinstance(node, ast.With)
        for item in node.items:
            what = self._async_context_manager(ctx, item.context_expr, scope)
            if what is None:
                continue
            text = source_of(item.context_expr, 40)
            ctx.report(self, node, construct=f"'with {text}'", where=scope.describe(),
                       problem=f"enters {what} with a plain 'with'",
                       error="TypeError (AttributeError before Python 3.11)",
                       fix=self._fix(scope, "async with", f"async with {text}"))
            return

    # -- what is async-only ---------------------------------------------------------------------
    def _callee_def(self, ctx: FileContext, call: ast.Call, scope: Scope) -> tuple[ast.AST, Scope] | None:
        """The def of this file a call calls (a function, or a method through self/cls/class/instance)."""
        module = ctx.module
        symbol = module.resolve(call.func, scope)
        if symbol is None and isinstance(call.func, ast.Attribute):
            receiver = module.infer_type(call.func.value, scope)
            if receiver is not None and receiver.is_class:
                symbol = module.class_member(receiver, call.func.attr)
        if symbol is None or not isinstance(symbol.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        outer = module.scopes[symbol.node].parent
        return (symbol.node, outer) if outer is not None else None

    def _is_async_generator(self, ctx: FileContext, node: ast.AST, outer: Scope) -> bool:
        memo: dict[ast.AST, bool] = ctx.rule_state.setdefault(self.code, {})
        found = memo.get(node)
        if found is None:
            found = (
                isinstance(node, ast.AsyncFunctionDef)
                and ctx.module.is_generator(node)
                and all(ctx.coroutines.classify_decorator(d, outer, 0) is Verdict.PRESERVES
                        for d in node.decorator_list)
            )
            memo[node] = found
        return found

    def _async_iterable(self, ctx: FileContext, expr: ast.expr, scope: Scope) -> str | None:
        """Why iterating ``expr`` with a plain for fails, or None when it may well work."""
        if isinstance(expr, ast.Call):
            callee = self._callee_def(ctx, expr, scope)
            if callee is not None:
                node, outer = callee
                if self._is_async_generator(ctx, node, outer):
                    return f"iterates async generator '{getattr(node, 'name', '?')}()' with a plain 'for'"
                return None
        kind = ctx.module.infer_type(expr, scope)
        if kind is None:
            return None
        if kind.qualname in _ASYNC_ONLY_ITERABLE_TYPES or self._local_class_only_has(
                ctx, kind, "__aiter__", ("__iter__", "__getitem__")):
            shown = kind.short if kind.is_class else kind.qualname
            return f"iterates async-only iterable {shown} with a plain 'for'"
        return None

    def _async_context_manager(self, ctx: FileContext, expr: ast.expr, scope: Scope) -> str | None:
        """What async-only context manager ``expr`` is, or None when it may well support plain 'with'."""
        module = ctx.module
        if isinstance(expr, ast.Call):
            callee = self._callee_def(ctx, expr, scope)
            if callee is not None:
                node, outer = callee
                decorators = getattr(node, "decorator_list", [])
                if decorators and module.qualname(decorators[0], outer) == "contextlib.asynccontextmanager":
                    return f"@asynccontextmanager function '{getattr(node, 'name', '?')}()'"
                return None  # a function of this file that returns something else
            qualname = module.qualname(expr.func, scope)
            if qualname in _ASYNC_ONLY_CM_CALLS:
                return f"async-only context manager {qualname}()"
        kind = module.infer_type(expr, scope)
        if kind is None:
            return None
        if kind.qualname in _ASYNC_ONLY_CM_TYPES:
            return f"async-only context manager {kind.qualname}"
        if self._local_class_only_has(ctx, kind, "__aenter__", ("__enter__",)):
            return f"async-only context manager {kind.short} (it has __aenter__ but no __enter__)"
        return None

    def _local_class_only_has(self, ctx: FileContext, kind: Symbol, wanted: str, missing: tuple[str, ...]) -> bool:
        """A class of this file whose whole MRO is in this file, defining ``wanted`` and none of ``missing``."""
        if not kind.is_class:
            return False
        has_wanted = False
        for klass in ctx.module.class_mro(kind):
            if not isinstance(klass.node, ast.ClassDef):
                return False  # a base from elsewhere may define the missing method
            if klass.node.keywords or any(
                    ctx.module.qualname(d, ctx.module.scopes[klass.node].parent or ctx.module.module_scope)
                    not in _PLAIN_CLASS_DECORATORS for d in klass.node.decorator_list):
                return False  # a metaclass or an unknown class decorator may add it
            bindings = ctx.module.scopes[klass.node].bindings
            if any(name in bindings for name in missing):
                return False
            has_wanted = has_wanted or wanted in bindings
        return has_wanted


# -- APF404: asyncio.get_event_loop() in a coroutine ---------------------------------------------------

class GetEventLoopInCoroutine(Rule):
    code = "APF404"
    name = "get-event-loop-in-coroutine"
    summary = "`asyncio.get_event_loop()` in async context"
    message = ("{call} in {where}: use '{replacement}', the documented call for coroutines "
               "(get_event_loop() is deprecated where no loop runs, and its policy fallback hides such mistakes)")
    what = (
        "Reports `asyncio.get_event_loop()` (however imported) called in an `async def`. In a plain "
        "`def`, which may run with no loop, it is not reported by this rule."
    )
    why = (
        "Inside a coroutine a loop is always running and `asyncio.get_event_loop()` returns it, exactly "
        "like `asyncio.get_running_loop()`: this is not a runtime failure today, and the example pair "
        "shows both versions behaving the same. But `get_event_loop()` is the legacy call: where no loop "
        "runs, it falls back to the event loop policy, which used to create a new loop silently (a loop "
        "nothing runs, so futures made on it never complete). That fallback emits a `DeprecationWarning` "
        "on Python 3.12 and 3.13 (and on some 3.10/3.11 releases) and raises `RuntimeError` from 3.14 on. "
        "The Python documentation prefers `get_running_loop()` in coroutines and callbacks: it states the "
        "intent, and fails loudly (`RuntimeError: no running event loop`) if the code is ever moved to "
        "where no loop runs, as helpers copied out of coroutines often are."
    )
    fix = (
        "Replace the call with `asyncio.get_running_loop()`: in a coroutine it returns the running loop, "
        "and it raises a clear `RuntimeError` if the code is ever run where no loop runs."
    )
    probe = "lint-only"

    def hooks(self) -> Mapping[type[ast.AST], Hook]:
        return {ast.Call: self.check_call}

    @async_context_only
    @method_names(frozenset({"get_event_loop"}))
    def check_call(self, ctx: FileContext, node: ast.AST, parent: ast.AST | None, scope: Scope) -> None:
        assert isinstance(node, ast.Call)
        func = node.func
        if not scope.is_async or (isinstance(func, ast.Attribute) and func.attr != "get_event_loop"):
            return
        if ctx.module.qualname(func, scope) != "asyncio.get_event_loop":
            return
        if isinstance(func, ast.Attribute):
            replacement = f"{source_of(func.value, 30)}.get_running_loop()"
        else:
            replacement = "asyncio.get_running_loop()"
        ctx.report(self, node, call=source_of(node), where=scope.describe(), replacement=replacement)
