"""Coroutine-function knowledge: does calling this make a coroutine object?

One lookup, ``CoroutineKnowledge.coroutine_call``, answers for every rule, from these sources in order:

1. ``async def`` functions of this file, and methods via ``self``/``cls``/``ClassName``/a local instance,
   when their decorators are known to keep them coroutine functions;
2. the project index (other modules of the same project), plugged in through ``project_lookup``;
3. asyncio's coroutine functions and the coroutine methods of asyncio objects whose type is inferred;
4. the user's ``--apf-coroutine-functions`` patterns.

Unknown means "not a coroutine": rules that use this stay silent rather than guess.
"""

from __future__ import annotations

import ast
import enum
import fnmatch
import re
from collections.abc import Callable

from ..knowledge.coroutines import (
    COROUTINE_FUNCTIONS,
    COROUTINE_METHODS,
    PRESERVING_DECORATOR_FACTORIES,
    PRESERVING_DECORATORS,
    PRESERVING_DECORATOR_PREFIXES,
    ROUTE_REGISTRAR_TYPES,
)
from ..settings import Settings
from .resolve import ModuleInfo, Symbol
from .scopes import Scope

_MAX_DECORATOR_DEPTH = 4


class Verdict(enum.Enum):
    PRESERVES = "preserves"  # the decorated function stays what it was
    PLAIN = "plain"  # the result is a plain (sync) callable
    UNKNOWN = "unknown"


ProjectLookup = Callable[[str], "bool | None"]


class CoroutineKnowledge:
    """Answers whether calls create coroutines, for one module."""

    def __init__(self, module: ModuleInfo, settings: Settings, project_lookup: ProjectLookup | None = None) -> None:
        self.module = module
        self.project_lookup = project_lookup
        patterns = settings.coroutine_functions
        self._user_patterns = (
            re.compile("|".join(fnmatch.translate(p) for p in patterns)) if patterns else None
        )
        self._def_cache: dict[ast.AST, bool] = {}

    # -- the one lookup -----------------------------------------------------------------------
    def coroutine_call(self, call: ast.Call, scope: Scope) -> str | None:
        """The dotted name of the coroutine function ``call`` calls, or None if it is not known to be one."""
        module = self.module
        func = call.func
        symbol = module.resolve(func, scope)
        if symbol is not None:
            return symbol.qualname if self.is_coroutine_function(symbol) else None
        if isinstance(func, ast.Attribute):
            receiver = module.infer_type(func.value, scope)
            if receiver is not None:
                return self._coroutine_method(receiver, func.attr)
        return None

    def is_coroutine_function(self, symbol: Symbol) -> bool:
        """Whether calling what ``symbol`` names returns a coroutine object."""
        node = symbol.node
        if node is not None:
            if isinstance(node, ast.AsyncFunctionDef) and self._async_def_stays_coroutine(node):
                return True
            if self._user_patterns is not None and not isinstance(node, ast.ClassDef):
                return self._user_patterns.match(symbol.qualname) is not None
            return False
        qualname = symbol.qualname
        if qualname in COROUTINE_FUNCTIONS:
            return True
        if self.project_lookup is not None and self.project_lookup(qualname):
            return True
        return self._user_patterns is not None and self._user_patterns.match(qualname) is not None

    def _coroutine_method(self, receiver: Symbol, attr: str) -> str | None:
        module = self.module
        for klass in module.class_mro(receiver):
            if isinstance(klass.node, ast.ClassDef):
                member = module.class_member(klass, attr)
                if member is not None:
                    return member.qualname if self.is_coroutine_function(member) else None
                if attr in module.scopes[klass.node].bindings:
                    return None  # a class attribute that is not a def: not a method we know
                continue
            key = f"{klass.qualname}.{attr}"
            if key in COROUTINE_METHODS:
                return key
            if self.project_lookup is not None and self.project_lookup(key):
                return key
            if self._user_patterns is not None and self._user_patterns.match(key):
                return key
        return None

    # -- decorators ---------------------------------------------------------------------------
    def _async_def_stays_coroutine(self, node: ast.AsyncFunctionDef) -> bool:
        cached = self._def_cache.get(node)
        if cached is None:
            outer = self.module.scopes[node].parent
            assert outer is not None
            cached = all(
                self.classify_decorator(decorator, outer, 0) is Verdict.PRESERVES
                for decorator in node.decorator_list
            )
            self._def_cache[node] = cached
        return cached

    def classify_decorator(self, decorator: ast.expr, scope: Scope, depth: int) -> Verdict:
        """What applying ``decorator`` to an ``async def`` gives: still a coroutine function, or not."""
        if depth > _MAX_DECORATOR_DEPTH:
            return Verdict.UNKNOWN
        module = self.module
        if isinstance(decorator, ast.Call):
            factory = module.resolve(decorator.func, scope)
            if factory is None:
                return self._registrar_method(decorator.func, scope)
            if factory.qualname in PRESERVING_DECORATOR_FACTORIES or _has_preserving_prefix(factory.qualname):
                return Verdict.PRESERVES
            if isinstance(factory.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                made = _returned_def(factory.node)
                if made is not None:
                    return self._classify_local_decorator(made, depth + 1)
            return Verdict.UNKNOWN
        symbol = module.resolve(decorator, scope)
        if symbol is None:
            return Verdict.UNKNOWN
        if symbol.qualname in PRESERVING_DECORATORS or _has_preserving_prefix(symbol.qualname):
            return Verdict.PRESERVES
        if isinstance(symbol.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return self._classify_local_decorator(symbol.node, depth + 1)
        return Verdict.UNKNOWN

    def _registrar_method(self, func: ast.expr, scope: Scope) -> Verdict:
        """``@app.get("/")`` on a web framework's app or router: registers and returns the function."""
        if isinstance(func, ast.Attribute):
            receiver = self.module.infer_type(func.value, scope)
            if receiver is not None and receiver.qualname in ROUTE_REGISTRAR_TYPES:
                return Verdict.PRESERVES
        return Verdict.UNKNOWN

    def _classify_local_decorator(self, deco: ast.FunctionDef | ast.AsyncFunctionDef, depth: int) -> Verdict:
        """A decorator defined in this file: look at what it returns."""
        params = [*deco.args.posonlyargs, *deco.args.args]
        if not params or isinstance(deco, ast.AsyncFunctionDef):
            return Verdict.UNKNOWN
        wrapped = params[0].arg
        verdicts: set[Verdict] = set()
        for returned in _returned_values(deco):
            if isinstance(returned, ast.Name) and returned.id == wrapped:
                verdicts.add(Verdict.PRESERVES)
                continue
            inner = _local_def_named(deco, returned)
            if isinstance(inner, ast.AsyncFunctionDef):
                verdicts.add(Verdict.PRESERVES)
            elif isinstance(inner, ast.FunctionDef):
                verdicts.add(Verdict.PLAIN)
            else:
                verdicts.add(Verdict.UNKNOWN)
        if len(verdicts) == 1:
            return verdicts.pop()
        return Verdict.UNKNOWN


def _has_preserving_prefix(qualname: str) -> bool:
    return qualname.startswith(PRESERVING_DECORATOR_PREFIXES)


def _own_statements(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.stmt]:
    """The statements of a function, nested blocks included, nested functions and classes excluded."""
    out: list[ast.stmt] = []
    pending: list[ast.stmt] = list(function.body)
    while pending:
        stmt = pending.pop()
        out.append(stmt)
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            block = getattr(stmt, field, None)
            if isinstance(block, list):
                for child in block:
                    if isinstance(child, ast.stmt):
                        pending.append(child)
                    elif hasattr(child, "body"):  # except handlers, match cases
                        pending.extend(s for s in child.body if isinstance(s, ast.stmt))
    return out


def _returned_values(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr | None]:
    return [stmt.value for stmt in _own_statements(function) if isinstance(stmt, ast.Return)]


def _local_def_named(function: ast.FunctionDef | ast.AsyncFunctionDef,
                     name: ast.expr | None) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    if not isinstance(name, ast.Name):
        return None
    found = [
        stmt for stmt in _own_statements(function)
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == name.id
    ]
    return found[0] if len(found) == 1 else None


def _returned_def(factory: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """For a decorator factory, the single nested def it returns (the actual decorator)."""
    returned = _returned_values(factory)
    if len(returned) != 1:
        return None
    inner = _local_def_named(factory, returned[0])
    return inner if isinstance(inner, ast.FunctionDef) else None
