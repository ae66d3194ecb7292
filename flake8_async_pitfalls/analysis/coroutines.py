"""Coroutine-function knowledge: does calling this make a coroutine object?

One lookup, ``CoroutineKnowledge.coroutine_call``, answers for every rule, from these sources in order:

1. ``async def`` functions of this file, and methods via ``self``/``cls``/``ClassName``/a local instance/
   ``super()``, when their decorators are known to keep them coroutine functions (an ``async def`` that
   contains ``yield`` is an async generator function, not a coroutine function);
2. the project index (other modules of the same project), plugged in through ``project_lookup``;
3. asyncio's coroutine functions, the coroutine methods of asyncio objects whose type is inferred, and the
   table of popular async libraries (knowledge/coroutines.py);
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
    NON_COROUTINE_DECORATORS,
    PRESERVING_DECORATOR_FACTORIES,
    PRESERVING_DECORATOR_PREFIXES,
    PRESERVING_DECORATORS,
    ROUTE_REGISTRAR_TYPES,
)
from ..knowledge.types import KNOWN_BASES
from ..settings import Settings
from .resolve import ModuleInfo, Symbol
from .scopes import BindingKind, Scope, ScopeKind

_MAX_DECORATOR_DEPTH = 4
_FUNCTION_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef)

_Def = ast.FunctionDef | ast.AsyncFunctionDef


class Verdict(enum.Enum):
    """What a decorator (or a chain of them) makes of the function it decorates."""

    PRESERVES = "preserves"  # the decorated function stays what it was (a coroutine function stays one)
    PLAIN = "plain"  # the result is not a coroutine function (a plain callable, a context manager factory)
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
        self._def_cache: dict[ast.AST, Verdict] = {}
        self._generator_cache: dict[ast.AST, bool] = {}

    # -- the one lookup -----------------------------------------------------------------------
    def coroutine_call(self, call: ast.Call, scope: Scope) -> str | None:
        """The dotted name of the coroutine function ``call`` calls, or None if it is not known to be one."""
        module = self.module
        func = call.func
        symbol = module.resolve(func, scope)
        if symbol is not None:
            return symbol.qualname if self.is_coroutine_function(symbol) else None
        if isinstance(func, ast.Attribute):
            mro = self._receiver_mro(func.value, scope)
            if mro:
                return self._coroutine_method(mro, func.attr)
        return None

    def is_coroutine_function(self, symbol: Symbol) -> bool:
        """Whether calling what ``symbol`` names returns a coroutine object."""
        node = symbol.node
        if node is not None:
            if isinstance(node, ast.AsyncFunctionDef):
                verdict = self.async_def_verdict(node)
                if verdict is Verdict.PRESERVES:
                    return True
                if verdict is Verdict.PLAIN:
                    return False
            if self._user_patterns is not None and not isinstance(node, ast.ClassDef):
                return self._user_patterns.match(symbol.qualname) is not None
            return False
        qualname = symbol.qualname
        if qualname in COROUTINE_FUNCTIONS or qualname in COROUTINE_METHODS:
            return True
        if self.project_lookup is not None and self.project_lookup(qualname):
            return True
        return self._user_patterns is not None and self._user_patterns.match(qualname) is not None

    def is_async_generator(self, node: ast.AsyncFunctionDef) -> bool:
        """Whether this ``async def`` contains ``yield`` (in its own body): calling it gives an async generator."""
        cached = self._generator_cache.get(node)
        if cached is None:
            cached = self.module.is_generator(node)
            self._generator_cache[node] = cached
        return cached

    def async_def_verdict(self, node: ast.AsyncFunctionDef) -> Verdict:
        """PRESERVES: calling the (decorated) ``async def`` makes a coroutine; PLAIN: it does not; or UNKNOWN."""
        cached = self._def_cache.get(node)
        if cached is None:
            self._def_cache[node] = Verdict.UNKNOWN  # a decorator chain that leads back here is unknown
            cached = self._async_def_verdict(node)
            self._def_cache[node] = cached
        return cached

    def _async_def_verdict(self, node: ast.AsyncFunctionDef) -> Verdict:
        if self.is_async_generator(node):
            return Verdict.PLAIN
        outer = self.module.scopes[node].parent
        assert outer is not None
        if not self._same_kind_redefinitions(node, outer):
            return Verdict.UNKNOWN
        return self._decorated(node, outer, 0)

    def _same_kind_redefinitions(self, node: ast.AsyncFunctionDef, outer: Scope) -> bool:
        """A name also bound otherwise (a plain ``def`` in a version branch, say) is not known to be a coroutine."""
        for binding in outer.bindings.get(node.name, ()):
            other = binding.node
            if binding.kind is not BindingKind.DEF or not isinstance(other, ast.AsyncFunctionDef):
                return False
            if other is not node and self.is_async_generator(other):
                return False
        return True

    def _decorated(self, node: _Def, outer: Scope, depth: int) -> Verdict:
        """What the decorators of ``node`` make of it, relative to the undecorated function."""
        verdicts = {self.classify_decorator(d, outer, depth) for d in node.decorator_list}
        if Verdict.UNKNOWN in verdicts:
            return Verdict.UNKNOWN
        return Verdict.PLAIN if Verdict.PLAIN in verdicts else Verdict.PRESERVES

    # -- receivers ----------------------------------------------------------------------------
    def _receiver_mro(self, receiver: ast.expr, scope: Scope) -> list[Symbol]:
        """The classes to look a method up in, for ``receiver.method(...)``."""
        module = self.module
        if (
            isinstance(receiver, ast.Call) and not receiver.args and not receiver.keywords
            and module.qualname(receiver.func, scope) == "builtins.super"
        ):
            klass = _class_of_method(scope)
            if klass is None or klass.parent is None:
                return []
            own = Symbol(module.local_qualname(klass.parent, klass.name), klass.node)
            return module.class_mro(own)[1:]
        inferred = module.infer_type(receiver, scope)
        return module.class_mro(inferred) if inferred is not None else []

    def _coroutine_method(self, mro: list[Symbol], attr: str) -> str | None:
        """Look ``attr`` up along the classes of a receiver; the first definition found decides."""
        module = self.module
        for klass in mro:
            if klass.qualname == "<unknown>":
                return None  # a base we cannot see may define it
            if isinstance(klass.node, ast.ClassDef):
                module.require_instance_attributes(klass.node)
                class_scope = module.scopes[klass.node]
                if attr in class_scope.instance_attrs:
                    return None  # `self.attr = ...` on instances hides the method
                bindings = class_scope.bindings.get(attr)
                if not bindings:
                    continue
                last = bindings[-1]
                if last.kind is BindingKind.DEF:
                    member = Symbol(module.local_qualname(class_scope, attr), last.node)
                    return member.qualname if self.is_coroutine_function(member) else None
                return None  # a class attribute that is not a def: not a method we know
            # a class from elsewhere: only what the tables know of it and its known bases; a method it
            # defines that the tables do not know would hide the rest of the chain, so stop here
            return self._external_method(klass.qualname, attr)
        return None

    def _external_method(self, qualname: str, attr: str) -> str | None:
        seen: set[str] = set()
        klass: str | None = qualname
        while klass is not None and klass not in seen:
            seen.add(klass)
            key = f"{klass}.{attr}"
            if key in COROUTINE_METHODS:
                return key
            if self.project_lookup is not None:
                known = self.project_lookup(key)
                if known is not None:
                    return key if known else None
            if self._user_patterns is not None and self._user_patterns.match(key):
                return key
            klass = KNOWN_BASES.get(klass)
        return None

    # -- decorators ---------------------------------------------------------------------------
    def classify_decorator(self, decorator: ast.expr, scope: Scope, depth: int) -> Verdict:
        """What applying ``decorator`` to an ``async def`` gives: still a coroutine function, or not."""
        if depth > _MAX_DECORATOR_DEPTH:
            return Verdict.UNKNOWN
        module = self.module
        if isinstance(decorator, ast.Call):
            factory = module.resolve(decorator.func, scope)
            if factory is None:
                return self._method_decorator(decorator.func, scope, depth, factory=True)
            if factory.qualname in PRESERVING_DECORATOR_FACTORIES or _has_preserving_prefix(factory.qualname):
                return Verdict.PRESERVES
            if factory.qualname in NON_COROUTINE_DECORATORS:
                return Verdict.PLAIN
            if isinstance(factory.node, _FUNCTION_TYPES):
                return self._classify_local_factory(factory.node, depth + 1)
            return Verdict.UNKNOWN
        symbol = module.resolve(decorator, scope)
        if symbol is None:
            return self._method_decorator(decorator, scope, depth, factory=False)
        if symbol.qualname in PRESERVING_DECORATORS or _has_preserving_prefix(symbol.qualname):
            return Verdict.PRESERVES
        if symbol.qualname in NON_COROUTINE_DECORATORS:
            return Verdict.PLAIN
        if isinstance(symbol.node, _FUNCTION_TYPES):
            return self._classify_local_decorator(symbol.node, self._bound_params(symbol.node), depth + 1)
        return Verdict.UNKNOWN

    def _method_decorator(self, func: ast.expr, scope: Scope, depth: int, factory: bool) -> Verdict:
        """``@app.get("/")`` / ``@registry.register``: a method of an object whose type is inferred.

        A web framework's app or router registers the function and returns it unchanged; a method of a
        class of this file is read like any project decorator (``self`` is skipped).
        """
        if not isinstance(func, ast.Attribute):
            return Verdict.UNKNOWN
        module = self.module
        receiver = module.infer_type(func.value, scope)
        if receiver is None:
            return Verdict.UNKNOWN
        for klass in module.class_mro(receiver):
            if klass.qualname in ROUTE_REGISTRAR_TYPES:
                return Verdict.PRESERVES if factory else Verdict.UNKNOWN
            if not isinstance(klass.node, ast.ClassDef):
                return Verdict.UNKNOWN
            bindings = module.scopes[klass.node].bindings.get(func.attr)
            if not bindings:
                continue
            method = bindings[-1].node
            if bindings[-1].kind is not BindingKind.DEF or not isinstance(method, _FUNCTION_TYPES):
                return Verdict.UNKNOWN
            skip = 0 if _has_decorator(method, "staticmethod") else 1
            if factory:
                return self._classify_local_factory(method, depth + 1)
            return self._classify_local_decorator(method, skip, depth + 1)
        return Verdict.UNKNOWN

    def _bound_params(self, node: _Def) -> int:
        """How many leading parameters of ``node`` are bound already when it is reached by name.

        A module function, a staticmethod or a plain function reached through its class
        (``@Registry.register``): none. A classmethod: one (``cls``).
        """
        owner = self.module.scopes[node].parent
        if owner is None or owner.kind is not ScopeKind.CLASS:
            return 0
        return 1 if _has_decorator(node, "classmethod") else 0

    def _classify_local_factory(self, factory: _Def, depth: int) -> Verdict:
        """``@factory(args)`` with a factory of this file: what the decorator it returns does."""
        if isinstance(factory, ast.AsyncFunctionDef) or not all(
            isinstance(d, ast.Name) and d.id in ("staticmethod", "classmethod") for d in factory.decorator_list
        ):
            return Verdict.UNKNOWN
        self.module.require_body(factory)
        made = _returned_def(factory)
        if made is None:
            return Verdict.UNKNOWN
        return self._classify_local_decorator(made, 0, depth)

    def _classify_local_decorator(self, deco: _Def, skip: int, depth: int) -> Verdict:
        """A decorator defined in this file: look at what it returns.

        ``return fn`` (the decorated function itself, after registering it, say) keeps it what it was. A
        nested wrapper that is ``async def`` (``functools.wraps``-style) keeps it a coroutine function; a
        plain ``def`` wrapper makes it a plain function, unless the wrapper only hands the call on
        (``return fn(*args, **kwargs)``), which still gives the coroutine. Anything else is unknown.
        """
        if depth > _MAX_DECORATOR_DEPTH or isinstance(deco, ast.AsyncFunctionDef):
            return Verdict.UNKNOWN
        self.module.require_body(deco)
        params = [*deco.args.posonlyargs, *deco.args.args]
        if len(params) <= skip:
            return Verdict.UNKNOWN
        module = self.module
        deco_scope = module.scopes[deco]
        outer = deco_scope.parent
        assert outer is not None
        if any(self.classify_decorator(d, outer, depth + 1) is not Verdict.PRESERVES for d in deco.decorator_list):
            return Verdict.UNKNOWN
        wrapped = params[skip].arg
        if len(deco_scope.bindings.get(wrapped, ())) != 1:
            return Verdict.UNKNOWN  # the parameter is rebound in the decorator: no longer the function
        returned = _returned_values(deco)
        if not returned or module.is_generator(deco):
            return Verdict.UNKNOWN
        verdicts: set[Verdict] = set()
        for value in returned:
            if isinstance(value, ast.Name) and value.id == wrapped:
                verdicts.add(Verdict.PRESERVES)
                continue
            inner = _local_def_named(deco, value)
            if inner is None:
                return Verdict.UNKNOWN
            verdicts.add(self._wrapper_verdict(inner, wrapped, deco_scope, depth))
        return verdicts.pop() if len(verdicts) == 1 else Verdict.UNKNOWN

    def _wrapper_verdict(self, wrapper: _Def, wrapped: str, deco_scope: Scope, depth: int) -> Verdict:
        decorated = self._decorated(wrapper, deco_scope, depth + 1)
        if decorated is not Verdict.PRESERVES:
            return decorated
        if isinstance(wrapper, ast.AsyncFunctionDef):
            return Verdict.PLAIN if self.is_async_generator(wrapper) else Verdict.PRESERVES
        if self.module.is_generator(wrapper):
            return Verdict.PLAIN
        returned = _returned_values(wrapper)
        if returned and all(_is_call_of(value, wrapped) for value in returned):
            return Verdict.PRESERVES  # the wrapper hands the coroutine of the wrapped call back
        return Verdict.PLAIN


def _has_preserving_prefix(qualname: str) -> bool:
    return qualname.startswith(PRESERVING_DECORATOR_PREFIXES)


def _has_decorator(node: _Def, name: str) -> bool:
    return any(isinstance(d, ast.Name) and d.id == name for d in node.decorator_list)


def _class_of_method(scope: Scope) -> Scope | None:
    """For code in a method (or nested in one), the class whose method it is; None elsewhere."""
    function: Scope | None = scope.function
    while function is not None and function.kind is ScopeKind.LAMBDA:
        function = function.parent.function if function.parent is not None else None
    if function is None or function.kind not in (ScopeKind.FUNCTION, ScopeKind.ASYNC_FUNCTION):
        return None
    klass = function.parent
    return klass if klass is not None and klass.kind is ScopeKind.CLASS else None


def _is_call_of(value: ast.expr | None, name: str) -> bool:
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == name


def _own_statements(function: _Def) -> list[ast.stmt]:
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


def _returned_values(function: _Def) -> list[ast.expr | None]:
    return [stmt.value for stmt in _own_statements(function) if isinstance(stmt, ast.Return)]


def _local_def_named(function: _Def, name: ast.expr | None) -> _Def | None:
    if not isinstance(name, ast.Name):
        return None
    found = [
        stmt for stmt in _own_statements(function)
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == name.id
    ]
    if len(found) != 1:
        return None
    # the name must not be rebound otherwise (`wrapper = functools.partial(...)`)
    bindings = [
        stmt for stmt in _own_statements(function)
        if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign))
        and any(isinstance(t, ast.Name) and t.id == name.id
                for t in (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]))
    ]
    return found[0] if not bindings else None


def _returned_def(factory: _Def) -> _Def | None:
    """For a decorator factory, the single nested def it returns (the actual decorator)."""
    returned = _returned_values(factory)
    if len(returned) != 1:
        return None
    inner = _local_def_named(factory, returned[0])
    return inner if isinstance(inner, ast.FunctionDef) else None
