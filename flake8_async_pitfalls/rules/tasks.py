"""1xx: tasks nobody keeps (APF104) and ``asyncio.gather`` given a list instead of awaitables (APF105)."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..analysis.scopes import BindingKind, Scope
from .base import Rule, method_names, source_of

if TYPE_CHECKING:
    from ..checker import FileContext
    from .base import Hook

# calls that schedule a new task the event loop keeps only by weak reference; TaskGroup.create_task is not
# here (the group holds its tasks until they finish), nor are anyio/trio nurseries
_TASK_SPAWNERS = frozenset({
    "asyncio.create_task",
    "asyncio.ensure_future",
    "asyncio.AbstractEventLoop.create_task",
    "asyncio.BaseEventLoop.create_task",
})
_SPAWNER_NAMES = frozenset(name.rsplit(".", 1)[1] for name in _TASK_SPAWNERS)
# what ensure_future returns unchanged (no new task is made): already kept by whoever made it
_FUTURE_TYPES = frozenset({"asyncio.Future", "asyncio.Task"})


class DanglingTask(Rule):
    code = "APF104"
    name = "dangling-task"
    summary = "`asyncio.create_task()` / `ensure_future()` / `loop.create_task()` whose task is not kept"
    message = (
        "the task made by {call} is not kept: the event loop holds tasks only by weak reference, so it can "
        "be garbage-collected or cut short before it finishes; keep a reference (add it to a set and call "
        "task.add_done_callback(tasks.discard)) or use asyncio.TaskGroup"
    )
    what = (
        "Reports `asyncio.create_task(...)`, `asyncio.ensure_future(...)` and `loop.create_task(...)` used as "
        "a statement, so that the task they return is thrown away. The event loop is recognised by its type: "
        "`asyncio.get_running_loop()`, `get_event_loop()`, `new_event_loop()`, or an annotation "
        "`asyncio.AbstractEventLoop`. `TaskGroup.create_task(...)` is not reported: the group keeps its "
        "tasks and waits for them."
    )
    why = (
        "The event loop keeps only a weak reference to a task. A task nobody else refers to can be "
        "garbage-collected while it waits, and its work silently stops halfway (the asyncio documentation "
        "warns: \"Save a reference to the result of this function, to avoid a task disappearing mid-execution\"). "
        "Nobody awaits it either, so its exceptions are only logged as \"Task exception was never retrieved\", "
        "and when `main()` returns, `asyncio.run()` cancels it unfinished: fire-and-forget work such as "
        "writing an audit record is lost without a trace."
    )
    fix = (
        "Keep a reference for as long as the task runs, and wait for it before shutting down:\n\n"
        "```python\n"
        "background_tasks = set()\n\n"
        "task = asyncio.create_task(save_audit_record(event))\n"
        "background_tasks.add(task)\n"
        "task.add_done_callback(background_tasks.discard)\n"
        "```\n\n"
        "or, better, run the tasks in an `asyncio.TaskGroup` (Python 3.11+), which keeps them, waits for "
        "them and propagates their errors. There is no automatic fix: where the task should be kept and "
        "awaited depends on the program."
    )
    probe = "never-awaited"

    def hooks(self) -> Mapping[type[ast.AST], Hook]:
        return {ast.Expr: self.check_statement}

    def check_statement(self, ctx: FileContext, node: ast.AST, parent: ast.AST | None, scope: Scope) -> None:
        assert isinstance(node, ast.Expr)
        call = node.value
        if not isinstance(call, ast.Call):
            return
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "add_done_callback" and isinstance(func.value, ast.Call):
            # `create_task(...).add_done_callback(cb)`: the callback does not keep the task either
            call = func.value
        if not isinstance(call.func, (ast.Name, ast.Attribute)):
            return
        if isinstance(call.func, ast.Attribute) and call.func.attr not in _SPAWNER_NAMES:
            return  # cheap filter first: a method's name is the name it is known by
        keys = ctx.module.call_keys(call, scope)
        spawner = next((key for key in keys if key in _TASK_SPAWNERS), None)
        if spawner is None:
            return
        if spawner == "asyncio.ensure_future" and call.args and isinstance(call.args[0], (ast.Name, ast.Attribute)):
            # ensure_future(fut) of an existing future makes no task and returns fut, which its name keeps;
            # ensure_future(create_task(...)) still drops the new task, so calls are not skipped
            made = ctx.module.infer_type(call.args[0], scope)
            if made is not None and made.qualname in _FUTURE_TYPES:
                return
        ctx.report(self, call, call=source_of(call))


_SEQUENCE_DISPLAYS: Mapping[type[ast.AST], str] = {
    ast.List: "a list",
    ast.ListComp: "a list",
    ast.Tuple: "a tuple",
    ast.Set: "a set",
    ast.SetComp: "a set",
    ast.GeneratorExp: "a generator",
}
_GATHER = "asyncio.gather"


class GatherWithList(Rule):
    code = "APF105"
    name = "gather-with-list"
    summary = "`asyncio.gather()` given a list (or other collection) of awaitables as one argument"
    message = (
        "{func}() takes awaitables as separate arguments, but {arg} is {kind}: it raises TypeError and the "
        "coroutines never run; use '{func}(*{arg})'"
    )
    what = (
        "Reports an argument of `asyncio.gather(...)` (however it is imported) that is a list, a list "
        "comprehension, a tuple, a set or a generator expression, or a variable bound only to a list "
        "display, a list comprehension or `list(...)`: `asyncio.gather([fetch(a), fetch(b)])`, "
        "`asyncio.gather(jobs)` after `jobs = [fetch(u) for u in urls]`."
    )
    why = (
        "`gather(*aws)` takes each awaitable as its own positional argument, unlike `asyncio.wait()` and "
        "`asyncio.as_completed()`, which take one iterable. Given a list, it tries to use the list itself as "
        "an awaitable and fails with `TypeError: unhashable type: 'list'` (for a tuple or generator: "
        "`An asyncio.Future, a coroutine or an awaitable is required`), and the coroutines in the list are "
        "never awaited."
    )
    fix = (
        "Unpack the collection into separate arguments: `await asyncio.gather(*jobs)`. The fix is safe: it "
        "only adds the `*`."
    )
    probe = "error"
    probe_error = "unhashable type: 'list'"

    def hooks(self) -> Mapping[type[ast.AST], Hook]:
        return {ast.Call: self.check_call}

    @method_names(frozenset({"gather"}))
    def check_call(self, ctx: FileContext, node: ast.AST, parent: ast.AST | None, scope: Scope) -> None:
        assert isinstance(node, ast.Call)
        callee = node.func
        if not node.args or (isinstance(callee, ast.Attribute) and callee.attr != "gather"):
            return  # cheap filter first: a method's name is the name it is known by
        if ctx.module.qualname(callee, scope) != _GATHER:
            return
        suspects = [(arg, kind) for arg in node.args if (kind := self._collection_kind(ctx, arg, scope))]
        func = source_of(node.func)
        for arg, kind in suspects:
            ctx.report(self, arg, func=func, arg=source_of(arg), kind=kind)

    @staticmethod
    def _collection_kind(ctx: FileContext, arg: ast.expr, scope: Scope) -> str | None:
        kind = _SEQUENCE_DISPLAYS.get(type(arg))
        if kind is not None or not isinstance(arg, ast.Name):
            return kind
        found = scope.lookup(arg.id)
        if found is None:
            return None
        owner, bindings = found
        values = [b for b in bindings if b.kind is not BindingKind.AUG_ASSIGN]  # `jobs += [...]` keeps a list
        if not values:
            return None
        for binding in values:
            value = binding.value
            if binding.kind is not BindingKind.ASSIGN or binding.unpack_index is not None or value is None:
                return None
            if not isinstance(value, (ast.List, ast.ListComp)) and not _is_list_call(ctx, value, owner):
                return None
        return "a list"


def _is_list_call(ctx: FileContext, value: ast.expr, scope: Scope) -> bool:
    """``list(...)`` of the builtin ``list``."""
    if not isinstance(value, ast.Call) or value.keywords or len(value.args) > 1:
        return False
    return ctx.module.qualname(value.func, scope) == "builtins.list"
