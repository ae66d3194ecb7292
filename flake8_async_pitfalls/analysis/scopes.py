"""Scopes and bindings, filled in by the checker's single walk and read by the rules afterwards.

Bindings are recorded for the whole file before any rule runs, so a name assigned late in a function
still shadows an import for the whole function, as it does in Python.
"""

from __future__ import annotations

import ast
import enum


class ScopeKind(enum.Enum):
    MODULE = "module"
    CLASS = "class"
    FUNCTION = "def"
    ASYNC_FUNCTION = "async def"
    LAMBDA = "lambda"
    COMPREHENSION = "comprehension"


class BindingKind(enum.Enum):
    IMPORT = "import"  # qualname holds the imported dotted name
    ASSIGN = "assign"  # value holds the assigned expression when the target was a plain name
    AUG_ASSIGN = "augassign"
    ANNOTATION = "annotation"  # annotated without value: `x: T`
    PARAMETER = "parameter"  # annotation holds the parameter's annotation
    DEF = "def"  # node is the FunctionDef / AsyncFunctionDef
    CLASS = "class"  # node is the ClassDef
    LOOP = "loop"  # for-loop or comprehension target
    WITH = "with"  # value holds the context expression of `with EXPR as name`
    OTHER = "other"  # except-as, match captures, del, walrus without a simple value, type params


class Binding:
    """One place that binds a name in a scope. (Plain classes here, not dataclasses: they are made by the
    hundred thousand on a large run, and making a dataclass at import costs what flake8 users pay at
    every start.)"""

    __slots__ = ("kind", "node", "qualname", "value", "annotation", "is_async_with", "unpack_index")

    def __init__(self, kind: BindingKind, node: ast.AST, qualname: str | None = None, value: ast.expr | None = None,
                 annotation: ast.expr | None = None, is_async_with: bool = False,
                 unpack_index: int | None = None) -> None:
        self.kind = kind
        self.node = node
        self.qualname = qualname
        self.value = value
        self.annotation = annotation
        self.is_async_with = is_async_with
        self.unpack_index = unpack_index  # position when bound by tuple unpacking of `value`

    def __repr__(self) -> str:
        return f"Binding({self.kind.name}, {type(self.node).__name__}, qualname={self.qualname!r})"


class Scope:
    """A module, class, function, lambda or comprehension scope."""

    __slots__ = ("kind", "node", "parent", "name", "bindings", "global_names", "nonlocal_names", "instance_attrs",
                 "instance_annotations", "is_generator", "_function", "qualname", "is_async")

    def __init__(self, kind: ScopeKind, node: ast.AST, parent: Scope | None, name: str) -> None:
        self.kind = kind
        self.node = node
        self.parent = parent
        self.name = name
        self.bindings: dict[str, list[Binding]] = {}
        self.global_names: set[str] = set()
        self.nonlocal_names: set[str] = set()
        # `self.lock = value` in methods of this class: {"lock": [(value, method scope)]}
        self.instance_attrs: dict[str, list[tuple[ast.expr, Scope]]] = {}
        # `self.lock: asyncio.Lock | None = None` in methods: {"lock": [(annotation, method scope)]}
        self.instance_annotations: dict[str, list[tuple[ast.expr, Scope]]] = {}
        # a def or lambda whose own body has a yield (set by the walk): calling it makes a generator
        self.is_generator = False
        # the innermost def / async def / lambda (or the module) when that is not this scope itself: a scope
        # never points at itself, so a file's scopes hold no reference cycle and are freed as soon as the
        # check is done (see ``function``)
        self._function: Scope | None = None
        if kind in (ScopeKind.COMPREHENSION, ScopeKind.CLASS) and parent is not None:
            self._function = parent.function
        # whether code here runs in async context: the innermost function is an ``async def`` (a plain
        # attribute, not a property: the walk and every async-context rule read it for each node)
        self.is_async: bool = self.function.kind is ScopeKind.ASYNC_FUNCTION
        # dotted path inside the module: "Client.get"
        self.qualname: str
        if parent is None or parent.kind is ScopeKind.MODULE:
            self.qualname = name if parent is not None else ""
        elif kind is ScopeKind.COMPREHENSION:
            self.qualname = parent.qualname
        else:
            self.qualname = f"{parent.qualname}.{name}"

    def __repr__(self) -> str:
        return f"Scope({self.kind.name}, {self.qualname!r})"

    @property
    def function(self) -> Scope:
        """The innermost def / async def / lambda this scope's code runs in, or the module."""
        return self._function or self

    # -- building -----------------------------------------------------------------------------
    def bind(self, name: str, binding: Binding) -> None:
        target = self
        if name in self.global_names:
            target = self.module
        elif self.kind is ScopeKind.COMPREHENSION and isinstance(binding.node, ast.NamedExpr):
            # a walrus in a comprehension binds in the enclosing non-comprehension scope
            while target.kind is ScopeKind.COMPREHENSION and target.parent is not None:
                target = target.parent
        target.bindings.setdefault(name, []).append(binding)

    # -- reading ------------------------------------------------------------------------------
    @property
    def module(self) -> Scope:
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope

    @property
    def enclosing_class(self) -> Scope | None:
        """The class whose method this function scope is (directly), if any."""
        fn = self.function
        if fn.kind in (ScopeKind.FUNCTION, ScopeKind.ASYNC_FUNCTION) and fn.parent is not None:
            if fn.parent.kind is ScopeKind.CLASS:
                return fn.parent
        return None

    def lookup(self, name: str) -> tuple[Scope, list[Binding]] | None:
        """Find the bindings a name refers to here, following Python's scoping (LEGB).

        Class scopes are visible only to code directly in the class body. Returns None for a name
        bound nowhere in the file (a builtin, or a star-import / undefined name).
        """
        scope: Scope | None = self
        first = True
        while scope is not None:
            if scope.kind is ScopeKind.CLASS and not first:
                scope = scope.parent
                continue
            if name in scope.global_names:
                scope = scope.module
                found = scope.bindings.get(name)
                return (scope, found) if found else None
            found = scope.bindings.get(name)
            if found:
                return scope, found
            first = False
            scope = scope.parent
        return None

    def describe(self) -> str:
        """How messages name this function: ``async def 'fetch'``, ``def 'helper'``, ``a lambda``."""
        fn = self.function
        if fn.kind is ScopeKind.LAMBDA:
            return "a lambda"
        if fn.kind is ScopeKind.MODULE:
            return "module level"
        return f"{fn.kind.value} '{fn.name}'"


def bind_target(scope: Scope, target: ast.expr, kind: BindingKind, node: ast.AST,
                value: ast.expr | None = None) -> None:
    """Record the names bound by an assignment-like target (names, tuples, starred)."""
    if isinstance(target, ast.Name):
        scope.bind(target.id, Binding(kind, node, value=value))
    elif isinstance(target, (ast.Tuple, ast.List)):
        for index, element in enumerate(target.elts):
            if isinstance(element, ast.Starred):
                bind_target(scope, element.value, kind, node)
            elif isinstance(element, ast.Name):
                scope.bind(element.id, Binding(kind, node, value=value, unpack_index=index))
            else:
                bind_target(scope, element, kind, node)
    elif isinstance(target, ast.Starred):
        bind_target(scope, target.value, kind, node)
    # attribute and subscript targets bind no name


def bind_import(scope: Scope, node: ast.Import | ast.ImportFrom, package: str) -> None:
    """Record import bindings with the dotted name each local name stands for.

    ``package`` is the dotted package holding the file being linted, for relative imports.
    """
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                scope.bind(alias.asname, Binding(BindingKind.IMPORT, node, qualname=alias.name))
            else:
                top = alias.name.partition(".")[0]
                scope.bind(top, Binding(BindingKind.IMPORT, node, qualname=top))
        return
    base = resolve_relative(node.module, node.level, package)
    for alias in node.names:
        if alias.name == "*":
            continue
        qualname = f"{base}.{alias.name}" if base else alias.name
        scope.bind(alias.asname or alias.name, Binding(BindingKind.IMPORT, node, qualname=qualname))


def resolve_relative(module: str | None, level: int, package: str) -> str:
    """The absolute dotted name of ``from <level dots><module> import ...``.

    ``package`` is the package holding the importing file (``pkg.sub`` for both ``pkg/sub/mod.py`` and
    ``pkg/sub/__init__.py``): one dot means that package, each further dot its parent.
    """
    if level == 0:
        return module or ""
    parts = package.split(".") if package else []
    anchor = parts[: max(len(parts) - (level - 1), 0)]
    if module:
        anchor.append(module)
    return ".".join(anchor)
