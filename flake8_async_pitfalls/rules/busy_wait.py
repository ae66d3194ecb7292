"""APF302: a ``while`` loop in async context that spins without ever giving the event loop a turn.

Two shapes are reported, both only when the loop (test and body) never awaits, never ``yield``s (an
async generator's ``yield`` hands control back to its consumer) and contains no ``async for``/``async with``:

1. *never leaves*: ``while True:`` (any constant true test) whose body has no ``break`` of this loop, no
   ``return``, no ``raise``, no call that ends the program (``sys.exit``). Such a loop can only end by an
   exception escaping a call; when that is the design (``while True: q.get_nowait()`` drained until
   ``QueueEmpty``) the loop stands in a ``try`` with an ``except`` clause or in ``contextlib.suppress``, or
   calls a method named like those (``get_nowait``, ``pop``, ``popleft``, ``next``): then it is not reported.
2. *polls shared state*: a test that only reads names, attributes and subscripts (``while not self.done:``,
   ``while flag is None:``, ``while len(self.items) == 0:``) or asks an asyncio object about its state
   (``while not event.is_set():``, ``while not fut.done():``), and a body that does not assign any of
   what the test reads, does not leave, and calls nothing but a short list of calls that cannot change
   it (``time.sleep``, ``print``, ...). Another task would have to change the state, but no other task
   runs until this one awaits: the loop never ends. A body that calls anything else (which might change
   the state) is not reported.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from ..analysis.scopes import Scope
from .base import Rule, async_context_only, source_of

if TYPE_CHECKING:
    from .base import Hook
    from ..checker import FileContext

_SCOPE_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_TRY_NODES: tuple[type[ast.AST], ...] = (ast.Try, *((ast.TryStar,) if hasattr(ast, "TryStar") else ()))

# calls that end the program: a loop calling them leaves
_EXITS = frozenset({"sys.exit", "os._exit", "os.abort", "builtins.exit", "builtins.quit"})
# methods and functions that raise to signal "nothing more" (QueueEmpty, IndexError, KeyError,
# StopIteration): a `while True` around them is usually ended by that exception
_RAISE_TO_END = frozenset({"get_nowait", "put_nowait", "pop", "popleft", "popitem", "next", "__next__"})
# calls a polling loop may make that cannot change the state it polls (they run no project code)
_INERT_CALLS = frozenset({
    "time.sleep", "time.time", "time.monotonic", "time.perf_counter", "time.process_time",
    "time.time_ns", "time.monotonic_ns", "time.perf_counter_ns", "os.sched_yield",
    "builtins.print", "builtins.len",
})
# no-argument queries of asyncio objects whose answer only another task can change
_STATE_QUERIES: Mapping[str, str] = {
    "asyncio.Event.is_set": "'await {receiver}.wait()'",
    "asyncio.Future.done": "'await {receiver}' (or asyncio.wait)",
    "asyncio.Future.cancelled": "'await asyncio.wait([{receiver}])'",
    "asyncio.Task.done": "'await {receiver}' (or asyncio.wait)",
    "asyncio.Task.cancelled": "'await asyncio.wait([{receiver}])'",
    "asyncio.Queue.empty": "'await {receiver}.get()'",
    "asyncio.Queue.full": "'await {receiver}.put(item)'",
    "asyncio.Queue.qsize": "'await {receiver}.get()'",
    "asyncio.Lock.locked": "'async with {receiver}:'",
    "asyncio.Semaphore.locked": "'async with {receiver}:'",
}
_GENERIC_FIX = "await an asyncio.Event that the other task sets ('await event.wait()'), or a queue"


def _path(expr: ast.expr) -> str | None:
    """``self.state.done`` -> "self.state.done" for a name or an attribute chain rooted at a name."""
    parts: list[str] = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if not isinstance(expr, ast.Name):
        return None
    parts.append(expr.id)
    return ".".join(reversed(parts))


def _target_path(expr: ast.expr) -> str | None:
    """The state an assignment target changes: ``self.items[k]`` changes "self.items"."""
    while isinstance(expr, (ast.Subscript, ast.Starred)):
        expr = expr.value
    return _path(expr)


def _overlaps(a: str, b: str) -> bool:
    """Whether changing one dotted path may change the other (one is a prefix of the other)."""
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


def _walk_loop(node: ast.While) -> Iterator[tuple[ast.AST, int]]:
    """The nodes of a while loop's test and body with their inner-loop depth (0: directly in this loop).

    Nested functions, lambdas and classes are yielded but not entered; an inner loop's ``else`` is at the
    depth of the loop itself (a ``break`` there leaves the outer loop).
    """
    stack: list[tuple[ast.AST, int]] = [(node.test, 0)]
    stack.extend((stmt, 0) for stmt in node.body)
    while stack:
        current, depth = stack.pop()
        yield current, depth
        if isinstance(current, _SCOPE_NODES):
            continue
        if isinstance(current, _LOOPS):
            inner = [current.target, current.iter] if isinstance(current, (ast.For, ast.AsyncFor)) else [current.test]
            stack.extend((child, depth) for child in inner)
            stack.extend((child, depth + 1) for child in current.body)
            stack.extend((child, depth) for child in current.orelse)
            continue
        stack.extend((child, depth) for child in ast.iter_child_nodes(current))


class BusyWait(Rule):
    code = "APF302"
    name = "busy-wait"
    summary = ("a `while` loop in async context that never awaits and never leaves, or polls state that only "
               "another task could change")
    message = "'{loop}' in {where} {problem}: it spins forever and starves every other task; {fix}"
    what = (
        "Reports a `while` loop in an `async def` that contains no `await`, `async for`, `async with` or "
        "`yield` and either\n\n"
        "- never leaves: its test is always true (`while True:`) and its body has no `break` of this "
        "loop, no `return`, no `raise` and no `sys.exit()`; or\n"
        "- polls state: its test only reads variables, attributes and subscripts (`while not self.done:`, "
        "`while flag is None:`, `while len(self.items) == 0:`) or asks an asyncio object about its state "
        "(`while not event.is_set():`, `while not fut.done():`), and its body neither assigns what the "
        "test reads, nor leaves, nor calls anything but calls that cannot change it (`time.sleep`, "
        "`print`, ...).\n\n"
        "To avoid false alarms, a loop whose body calls other functions is not reported as a polling "
        "loop (the call might change the state), and a `while True:` that is evidently ended by an "
        "exception (it stands in a `try` with an `except` clause or in `contextlib.suppress`, or it "
        "calls `get_nowait()`, `pop()`, `popleft()` or `next()`) is not reported either. A loop that "
        "gives up after a deadline (`if time.monotonic() > end: break`) leaves, so it is not reported, "
        "although it still blocks the loop until the deadline."
    )
    why = (
        "An event loop runs one task at a time and switches tasks only at an `await`. A loop with no "
        "`await` keeps the thread: no other task, callback, timer or socket is served while it spins. "
        "If it is waiting for another task to set a flag, that task never gets a turn, so the flag never "
        "changes and the program hangs at 100% CPU (only another *thread* could still change it)."
    )
    fix = (
        "Wait instead of polling: let the other task set an `asyncio.Event` and `await event.wait()`; "
        "hand work over through an `asyncio.Queue` and `await queue.get()`; `await` the task or future "
        "itself. If the loop really must poll, put `await asyncio.sleep(interval)` in its body so the "
        "other tasks run between checks. There is no autofix: the right primitive depends on the program."
    )
    probe = "stall"

    def hooks(self) -> Mapping[type[ast.AST], Hook]:
        return {ast.While: self.check_while}

    @async_context_only
    def check_while(self, ctx: FileContext, node: ast.AST, parent: ast.AST | None, scope: Scope) -> None:
        assert isinstance(node, ast.While)
        if not scope.is_async or node in ctx.awaiting_loops:
            return
        body = list(_walk_loop(node))
        if any(isinstance(n, (ast.Yield, ast.YieldFrom, ast.Await, ast.AsyncFor, ast.AsyncWith)) for n, _ in body):
            return
        if self._leaves(ctx, body, scope):
            return
        test = node.test
        where = scope.describe()
        if isinstance(test, ast.Constant):
            if not test.value or self._ended_by_exception(ctx, node, body, scope):
                return
            ctx.report(self, node, loop=f"while {source_of(test)}", where=where,
                       problem="never awaits and never leaves",
                       fix="await an asyncio.Event, a queue or 'asyncio.sleep()' in its body, or leave it")
            return
        polled = self._polled_state(ctx, test, scope)
        if polled is None:
            return
        paths, fix = polled
        if not self._body_is_inert(ctx, node, body, paths, scope):
            return
        shown = ", ".join(f"'{p}'" for p in sorted(paths))
        ctx.report(self, node, loop=f"while {source_of(test, 40)}", where=where,
                   problem=f"waits for {shown} to change but never awaits, so no other task can change it",
                   fix=fix)

    # -- leaving ------------------------------------------------------------------------------
    def _leaves(self, ctx: FileContext, body: list[tuple[ast.AST, int]], scope: Scope) -> bool:
        for node, depth in body:
            if isinstance(node, (ast.Return, ast.Raise)) or (isinstance(node, ast.Break) and depth == 0):
                return True
            if isinstance(node, ast.Call) and ctx.module.qualname(node.func, scope) in _EXITS:
                return True
        return False

    def _ended_by_exception(self, ctx: FileContext, node: ast.While, body: list[tuple[ast.AST, int]],
                            scope: Scope) -> bool:
        for child, _ in body:
            if isinstance(child, ast.Call):
                func = child.func
                name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
                if name in _RAISE_TO_END:
                    return True
        return any(self._guards(ctx, ancestor, node, scope) for ancestor in _ancestors(scope.function.node, node))

    def _guards(self, ctx: FileContext, ancestor: ast.AST, node: ast.While, scope: Scope) -> bool:
        """Whether ``ancestor`` catches exceptions raised in ``node``."""
        if isinstance(ancestor, _TRY_NODES):
            return bool(getattr(ancestor, "handlers", None)) and _contains_stmt(getattr(ancestor, "body", []), node)
        if isinstance(ancestor, ast.With):
            for item in ancestor.items:
                expr = item.context_expr
                if isinstance(expr, ast.Call) and ctx.module.qualname(expr.func, scope) == "contextlib.suppress":
                    return True
        return False

    # -- polling ------------------------------------------------------------------------------
    def _polled_state(self, ctx: FileContext, test: ast.expr, scope: Scope) -> tuple[set[str], str] | None:
        """What the test reads (dotted paths) and the fix to suggest, or None if it is not a pure state read."""
        paths: set[str] = set()
        fixes: list[str] = []
        pending: list[ast.expr] = [test]
        while pending:
            expr = pending.pop()
            if isinstance(expr, ast.Constant):
                continue
            if isinstance(expr, (ast.Name, ast.Attribute)):
                path = _path(expr)
                if path is None or self._computed_attribute(ctx, expr, scope):
                    return None
                paths.add(path)
            elif isinstance(expr, ast.Subscript):
                pending.append(expr.value)
                if not isinstance(expr.slice, (ast.Constant, ast.Name, ast.Attribute)):
                    return None
                pending.append(expr.slice)
            elif isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Not):
                pending.append(expr.operand)
            elif isinstance(expr, ast.BoolOp):
                pending.extend(expr.values)
            elif isinstance(expr, ast.Compare):
                pending.append(expr.left)
                pending.extend(expr.comparators)
            elif isinstance(expr, ast.Call):
                fix = self._state_query(ctx, expr, scope, pending)
                if fix is None:
                    return None
                if fix:
                    fixes.append(fix)
            else:
                return None
        if not paths:
            return None
        return paths, (fixes[0] if len(fixes) == 1 else _GENERIC_FIX)

    def _computed_attribute(self, ctx: FileContext, expr: ast.expr, scope: Scope) -> bool:
        """Whether an attribute in the chain is a method or property of a class of this file (a property
        may compute a fresh answer each time, from the clock say)."""
        module = ctx.module
        while isinstance(expr, ast.Attribute):
            owner = module.infer_type(expr.value, scope)
            if owner is not None and owner.is_class and module.class_member(owner, expr.attr) is not None:
                return True
            expr = expr.value
        return False

    def _state_query(self, ctx: FileContext, call: ast.Call, scope: Scope, pending: list[ast.expr]) -> str | None:
        """``len(x)`` or ``event.is_set()``: queue the state it reads and return its fix ("" for generic)."""
        if call.keywords:
            return None
        func = call.func
        if len(call.args) == 1 and ctx.module.qualname(func, scope) == "builtins.len":
            pending.append(call.args[0])
            return ""
        if call.args or not isinstance(func, ast.Attribute) or _path(func.value) is None:
            return None
        for key in ctx.module.call_keys(call, scope):
            template = _STATE_QUERIES.get(key)
            if template is not None:
                pending.append(func.value)
                return f"use {template.format(receiver=source_of(func.value, 30))} instead of polling"
        return None

    def _body_is_inert(self, ctx: FileContext, node: ast.While, body: list[tuple[ast.AST, int]],
                       paths: set[str], scope: Scope) -> bool:
        """The body cannot change any of ``paths``: no assignment to them and only inert calls."""
        test_nodes = set(ast.walk(node.test))
        for child, _ in body:
            if child in test_nodes:
                continue
            if isinstance(child, _SCOPE_NODES):
                return False
            if isinstance(child, ast.Call):
                if ctx.module.qualname(child.func, scope) not in _INERT_CALLS:
                    return False
                continue
            for target in _targets(child):
                changed = _target_path(target)
                if changed is None or any(_overlaps(changed, p) for p in paths):
                    return False
        return True


def _targets(node: ast.AST) -> list[ast.expr]:
    """The expressions a statement (or walrus) stores to or deletes."""
    if isinstance(node, ast.Assign):
        return list(node.targets)
    if isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.NamedExpr)):
        return [node.target]
    if isinstance(node, (ast.For, ast.AsyncFor)):
        return [node.target]
    if isinstance(node, ast.Delete):
        return list(node.targets)
    if isinstance(node, (ast.With, ast.AsyncWith)):
        return [item.optional_vars for item in node.items if item.optional_vars is not None]
    if isinstance(node, (ast.Global, ast.Nonlocal, ast.Import, ast.ImportFrom)):
        return [ast.Name(id=name) for name in _declared_names(node)]
    if isinstance(node, ast.ExceptHandler) and node.name:
        return [ast.Name(id=node.name)]
    return []


def _declared_names(node: ast.Global | ast.Nonlocal | ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return list(node.names)
    return [(alias.asname or alias.name).partition(".")[0] for alias in node.names]


def _contains_stmt(statements: list[ast.stmt], target: ast.stmt) -> bool:
    return any(target is s or target in _descendant_statements(s) for s in statements)


def _descendant_statements(stmt: ast.stmt) -> list[ast.stmt]:
    out: list[ast.stmt] = []
    pending: list[ast.AST] = [stmt]
    while pending:
        current = pending.pop()
        for child in ast.iter_child_nodes(current):
            if isinstance(child, ast.stmt):
                out.append(child)
                if not isinstance(child, _SCOPE_NODES):
                    pending.append(child)
            elif isinstance(child, (ast.ExceptHandler, ast.match_case)):
                pending.append(child)
    return out


def _ancestors(function: ast.AST, target: ast.stmt) -> list[ast.AST]:
    """The statements enclosing ``target`` inside ``function`` (outermost first), by a search of that
    function's statements only (done for the rare loop that is otherwise reported)."""
    pending: list[tuple[ast.AST, tuple[ast.AST, ...]]] = [(function, ())]
    while pending:
        current, chain = pending.pop()
        for child in ast.iter_child_nodes(current):
            if child is target:
                return list(chain)
            if isinstance(child, (ast.stmt, ast.ExceptHandler, ast.match_case)) and not isinstance(child, _SCOPE_NODES):
                pending.append((child, (*chain, child)))
    return []
