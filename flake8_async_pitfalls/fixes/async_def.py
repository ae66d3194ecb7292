"""APF401: ``await`` / ``async for`` / ``async with`` in a plain ``def`` -> ``async def`` (unsafe).

The function then returns a coroutine, so its callers must await it: the fix also awaits the calls of the
function that it can see (by its name in the same module, or ``self.name(...)`` / ``cls.name(...)`` in the
same class) where they stand in async context. Calls from plain code, or from other modules, are left to
the user (the linter reports the dropped ones as APF101).
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst
from libcst.metadata import Assignment

from ..rules.base import Finding, FixSafety
from .await_coroutine import await_edit
from .base import Edit, FixContext, Fixer, Skip

# dunder methods that are meant to be async; any other dunder is called by a protocol that expects a value
_ASYNC_DUNDERS = frozenset({"__aenter__", "__aexit__", "__anext__"})


class AsyncDefFixer(Fixer):
    codes = ("APF401",)
    safety = FixSafety.UNSAFE
    description = (
        "makes the enclosing plain `def` an `async def` and awaits its calls that stand in async context in "
        "the same module (calls from plain code stay for you to change); not for a lambda, a class body or a "
        "protocol method such as `__init__`; unsafe because every caller now receives a coroutine"
    )
    targets = (cst.Await, cst.For, cst.With, cst.ListComp, cst.SetComp, cst.DictComp)

    def plan(self, ctx: FixContext, node: cst.CSTNode, finding: Finding) -> Sequence[Edit]:
        function = ctx.enclosing_function(node)
        if function is None:
            raise Skip("it is at module level")
        if isinstance(function, cst.Lambda):
            raise Skip("a lambda cannot be async: use an async def")
        if isinstance(function, cst.ClassDef):
            raise Skip("it is in a class body: move it into an async def method")
        if function.asynchronous is not None:
            raise Skip("the function is already async")
        name = function.name.value
        if name.startswith("__") and name.endswith("__") and name not in _ASYNC_DUNDERS:
            raise Skip(f"{name} is called by a protocol that expects a plain method")

        def apply(updated: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(updated, cst.FunctionDef)
            return updated.with_changes(asynchronous=cst.Asynchronous())

        edits = [Edit(function, "async-def", apply)]
        for call in _calls_of(ctx, function):
            if ctx.async_context_problem(call) is None and not ctx.is_awaited(call):
                edits.append(await_edit(ctx, call))
        return edits


def _calls_of(ctx: FixContext, function: cst.FunctionDef) -> list[cst.Call]:
    """The calls of ``function`` this module shows plainly: by its name where the name means this def, or
    as ``self.name(...)`` / ``cls.name(...)`` inside its class."""
    name = function.name.value
    calls: list[cst.Call] = []
    scope = ctx.scope_of(function)
    if scope is None:
        return calls
    assignments = list(scope.assignments[name])
    if len(assignments) == 1 and isinstance(assignments[0], Assignment) and assignments[0].node is function:
        for access in assignments[0].references:
            parent = ctx.parent(access.node)
            if isinstance(parent, cst.Call) and parent.func is access.node:
                calls.append(parent)
    klass = ctx.enclosing_function(function)
    if isinstance(klass, cst.ClassDef):
        defined = [s for s in klass.body.body if isinstance(s, cst.FunctionDef) and s.name.value == name]
        if len(defined) == 1:
            finder = _MethodCalls(name)
            klass.visit(finder)
            calls.extend(finder.calls)
    return calls


class _MethodCalls(cst.CSTVisitor):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.calls: list[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if (isinstance(func, cst.Attribute) and func.attr.value == self.name and isinstance(func.value, cst.Name)
                and func.value.value in ("self", "cls")):
            self.calls.append(node)
