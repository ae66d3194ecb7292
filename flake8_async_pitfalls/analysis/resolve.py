"""Name resolution and a small type inference over one module, read by every rule.

``resolve(expr, scope)`` says what a name or dotted expression stands for (an import's dotted name, a
function or class of this file), following import aliases and shadowing. ``infer_type(expr, scope)`` says
of which class a value is an instance, from a constructor call, a known library call, an annotation,
``with X() as v``, tuple unpacking of a known call, or ``self.x = X()`` in the class. Both answer None
when unsure: rules stay silent then.
"""

from __future__ import annotations

import ast
import builtins
import enum
from collections.abc import Callable
from typing import NamedTuple, TypeVar

from ..knowledge.types import (
    ATTRIBUTE_TYPES,
    AWAIT_RETURN_TYPES,
    KNOWN_BASES,
    NOT_CONSTRUCTORS,
    PATH_JOIN_TYPES,
    RETURN_TYPES,
    canonical,
)
from .scopes import Binding, BindingKind, Scope, ScopeKind

_MAX_DEPTH = 12  # alias and inference chains longer than this are given up on
# bases that give a class no methods of their own to call: left out of class_mro
_METHODLESS_BASES = frozenset({
    "builtins.object", "typing.Generic", "typing.Protocol", "typing_extensions.Protocol", "abc.ABC",
})


class OutlineTooShallow(Exception):
    """A question about a module read from its outline (analysis/outline.py) needs a function body the
    outline left out: the module must be read whole."""


class _Mark(enum.Enum):
    ABSENT = "absent"  # not in a memo table
    IN_PROGRESS = "in progress"  # being computed: asked again, it is a cycle


_K = TypeVar("_K")
_V = TypeVar("_V")


class Symbol(NamedTuple):
    """What an expression refers to.

    ``qualname`` is a dotted name (``time.sleep``; for something defined in this file, the module's dotted
    name plus its path in the file). ``node`` is the defining FunctionDef / AsyncFunctionDef / ClassDef when
    it is defined in this file. As a type, a Symbol is the class of an instance. (A named tuple: made for
    almost every name a rule asks about, and far cheaper to make than a frozen dataclass.)
    """

    qualname: str
    node: ast.AST | None = None

    @property
    def is_class(self) -> bool:
        return isinstance(self.node, ast.ClassDef)

    @property
    def short(self) -> str:
        return self.qualname.rsplit(".", 1)[-1]


# what each builtin name stands for when nothing in the file binds it
_BUILTINS = {name: Symbol(f"builtins.{name}") for name in dir(builtins)}


class ModuleInfo:
    """The scopes of one file and the questions rules ask about them."""

    def __init__(self, tree: ast.AST, module_name: str, package: str) -> None:
        self.tree = tree
        self.module_name = module_name
        self.package = package
        self.scopes: dict[ast.AST, Scope] = {}  # scope-creating node -> its scope
        self.module_scope = Scope(ScopeKind.MODULE, tree, None, module_name)
        self.scopes[tree] = self.module_scope
        # expression -> (the scope it was resolved in, what it stands for there); keyed by the node itself,
        # not its id(), so that the nodes of a parsed string annotation, once freed, cannot alias another's
        self._resolve_cache: dict[ast.expr, tuple[Scope, Symbol | None]] = {}
        # what a name means in a scope, the type of its value there, and the type of a class's instance
        # attribute: the same for every use, so asked once (see _memoized; _Mark.IN_PROGRESS marks a key
        # being computed, for the cycle cut)
        self._name_cache: dict[tuple[Scope, str], Symbol | None | _Mark] = {}
        self._dotted_cache: dict[tuple[str, str], Symbol] = {}  # (module or class name, attribute) -> symbol
        self._name_type_cache: dict[tuple[Scope, str], Symbol | tuple[str, ...] | None | _Mark] = {}
        self._attribute_cache: dict[tuple[Symbol, str], Symbol | None | _Mark] = {}
        self._mro_cache: dict[Symbol, list[Symbol]] = {}
        self._infer_cache: dict[ast.expr, tuple[Scope, Symbol | None]] = {}
        self._cut_short = 0  # how many times _MAX_DEPTH (or a cycle) has stopped a chain
        # call node -> the dotted names its callee is known by (analysis/project.py callee_names)
        self.callee_cache: dict[ast.Call, tuple[str, ...]] = {}
        # for a module read from its outline: the functions whose bodies were left out, and the classes
        # with such a method (their ``self.x = ...`` records are incomplete)
        self.blanked: frozenset[ast.AST] = frozenset()
        self.partial_classes: frozenset[ast.AST] = frozenset()

    def set_blanked(self, functions: frozenset[ast.AST]) -> None:
        """Mark the functions an outline left without their bodies (see require_body)."""
        self.blanked = functions
        self.partial_classes = frozenset(
            scope.parent.node for node in functions
            if (scope := self.scopes.get(node)) is not None and scope.parent is not None
            and scope.parent.kind is ScopeKind.CLASS
        )

    def require_body(self, function: ast.AST) -> None:
        """Raise OutlineTooShallow when the body of ``function`` is not known (left out by an outline)."""
        if function in self.blanked:
            raise OutlineTooShallow(getattr(function, "name", "?"))

    def require_instance_attributes(self, klass: ast.AST) -> None:
        """Raise OutlineTooShallow when the ``self.x = ...`` records of ``klass`` may be incomplete."""
        if klass in self.partial_classes:
            raise OutlineTooShallow(getattr(klass, "name", "?"))

    def _memoized(self, cache: dict[_K, _V | _Mark], key: _K, compute: Callable[[], _V]) -> _V | None:
        """The memo tables of names and attributes: ``compute()`` once per key. A key asked again while it is
        being computed (``code = code.replace(...)``, ``self.x = self.x.f()``) is a cycle, cut at once with
        None; an answer cut short (by a cycle or by _MAX_DEPTH) is not kept, since it depends on the path."""
        found = cache.get(key, _Mark.ABSENT)
        if found is _Mark.IN_PROGRESS:
            self._cut_short += 1
            return None
        if found is not _Mark.ABSENT:
            return found
        cut_short = self._cut_short
        cache[key] = _Mark.IN_PROGRESS
        try:
            result = compute()
        finally:
            del cache[key]
        if cut_short == self._cut_short:
            cache[key] = result
        return result

    def release(self) -> None:
        """Drop what ties the scopes into cycles (``self.x = ...`` records point from a class to the method
        scopes, which point back through their parents) once the file is done."""
        for scope in self.scopes.values():
            if scope.instance_attrs:
                scope.instance_attrs.clear()
            if scope.instance_annotations:
                scope.instance_annotations.clear()

    def is_generator(self, function: ast.AST) -> bool:
        """Whether a def or lambda of this file has a ``yield`` of its own (noted by the walk). Exact for the
        functions an outline left without their bodies too: it keeps every body that mentions ``yield``."""
        scope = self.scopes.get(function)
        if scope is not None:
            return scope.is_generator
        # a def this walk did not see (not expected): look for a yield outside nested scopes
        pending = list(ast.iter_child_nodes(function))
        while pending:
            node = pending.pop()
            if isinstance(node, (ast.Yield, ast.YieldFrom)):
                return True
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                pending.extend(ast.iter_child_nodes(node))
        return False

    # -- names --------------------------------------------------------------------------------
    def local_qualname(self, scope: Scope, name: str) -> str:
        inner = f"{scope.qualname}.{name}" if scope.qualname else name
        return f"{self.module_name}.{inner}" if self.module_name else inner

    def resolve(self, expr: ast.expr, scope: Scope) -> Symbol | None:
        """What ``expr`` (a name or dotted attribute chain) stands for, or None when unknown."""
        if type(expr) is ast.Name:  # memoized per scope and name already (see _resolve)
            known = self._name_cache.get((scope, expr.id), _Mark.ABSENT)
            if known is not _Mark.ABSENT and known is not _Mark.IN_PROGRESS:
                return known
            return self._resolve(expr, scope, 0)
        cached = self._resolve_cache.get(expr)
        if cached is not None and cached[0] is scope:
            return cached[1]
        result = self._resolve(expr, scope, 0)
        self._resolve_cache[expr] = (scope, result)
        return result

    def qualname(self, expr: ast.expr, scope: Scope) -> str | None:
        symbol = self.resolve(expr, scope)
        return symbol.qualname if symbol is not None else None

    def _resolve(self, expr: ast.expr, scope: Scope, depth: int) -> Symbol | None:
        if depth > _MAX_DEPTH:
            self._cut_short += 1
            return None
        if isinstance(expr, ast.Name):
            name = expr.id
            cache = self._name_cache
            key = (scope, name)
            known = cache.get(key, _Mark.ABSENT)
            if known is not _Mark.ABSENT and known is not _Mark.IN_PROGRESS:
                return known  # the common case, without making the closure below
            found = scope.lookup(name)
            if found is None:
                cache[key] = result = _BUILTINS.get(name)
                return result
            # what a name means depends only on the scope that binds it: asked from the many functions of a
            # module, an import is resolved once
            binder, bindings = found
            binder_key = (binder, name)
            known = cache.get(binder_key, _Mark.ABSENT)
            if known is not _Mark.ABSENT and known is not _Mark.IN_PROGRESS:
                cache[key] = known
                return known
            cut_short = self._cut_short
            result = self._memoized(cache, binder_key, lambda: self._resolve_bindings(name, binder, bindings, depth))
            if binder is not scope and cut_short == self._cut_short:
                cache[key] = result
            return result
        if isinstance(expr, ast.Attribute):
            base = self._resolve(expr.value, scope, depth + 1)
            if base is None:
                return None
            base_node = base.node
            if base_node is not None:
                if isinstance(base_node, ast.ClassDef):
                    return self.class_member(base, expr.attr)
                return None  # an attribute of a function object
            attribute_key = (base.qualname, expr.attr)
            symbol = self._dotted_cache.get(attribute_key)
            if symbol is None:
                symbol = self._dotted_cache[attribute_key] = Symbol(canonical(f"{base.qualname}.{expr.attr}"))
            return symbol
        return None

    def _resolve_bindings(self, name: str, owner: Scope, bindings: list[Binding], depth: int) -> Symbol | None:
        if len(bindings) == 1:  # most names are bound once
            return self._symbol_of_binding(name, owner, bindings[0], depth)
        if all(b.kind is BindingKind.DEF for b in bindings):
            # redefinitions (overloads, conditional defs): the last one is what the name ends up as
            return Symbol(self.local_qualname(owner, name), bindings[-1].node)
        results = {self._symbol_of_binding(name, owner, b, depth) for b in bindings}
        if len(results) == 1:
            return results.pop()
        return None

    def _symbol_of_binding(self, name: str, owner: Scope, binding: Binding, depth: int) -> Symbol | None:
        if binding.kind is BindingKind.IMPORT and binding.qualname:
            return Symbol(canonical(binding.qualname))
        if binding.kind in (BindingKind.DEF, BindingKind.CLASS):
            return Symbol(self.local_qualname(owner, name), binding.node)
        if (
            binding.kind is BindingKind.ASSIGN
            and binding.unpack_index is None
            and isinstance(binding.value, (ast.Name, ast.Attribute))
        ):
            # `sleep = time.sleep`: an alias of what the right-hand side is
            return self._resolve(binding.value, owner, depth + 1)
        return None

    def class_member(self, cls: Symbol, attr: str) -> Symbol | None:
        """A function or class defined in the body of a class of this file (or its local bases)."""
        for klass in self.class_mro(cls):
            if not isinstance(klass.node, ast.ClassDef):
                return None  # an external base: it may define the member
            class_scope = self.scopes[klass.node]
            bindings = class_scope.bindings.get(attr)
            if bindings:
                last = bindings[-1]
                if last.kind in (BindingKind.DEF, BindingKind.CLASS):
                    return Symbol(self.local_qualname(class_scope, attr), last.node)
                return None
        return None

    def class_mro(self, cls: Symbol) -> list[Symbol]:
        """The class and its bases, depth first; an unresolved base ends the list with a placeholder.

        The list is shared between callers: do not change it."""
        cached = self._mro_cache.get(cls)
        if cached is None:
            cached = self._mro_cache[cls] = self._class_mro(cls)
        return cached

    def _class_mro(self, cls: Symbol) -> list[Symbol]:
        order: list[Symbol] = []
        pending = [cls]
        seen: set[str] = set()
        while pending and len(order) < 32:
            klass = pending.pop(0)
            if klass.qualname in seen:
                continue
            seen.add(klass.qualname)
            order.append(klass)
            if isinstance(klass.node, ast.ClassDef):
                class_scope = self.scopes[klass.node]
                assert class_scope.parent is not None
                for base in klass.node.bases:
                    # `Base[T]` / `Generic[T]`: the class subscripted
                    target = base.value if isinstance(base, ast.Subscript) else base
                    resolved = self.resolve(target, class_scope.parent)
                    if resolved is None:
                        pending.append(Symbol("<unknown>"))
                    elif resolved.qualname not in _METHODLESS_BASES:
                        pending.append(resolved)
            elif klass.qualname in KNOWN_BASES:
                pending.append(Symbol(KNOWN_BASES[klass.qualname]))
        return order

    # -- types --------------------------------------------------------------------------------
    def infer_type(self, expr: ast.expr, scope: Scope) -> Symbol | None:
        """The class ``expr`` evaluates to an instance of, or None when unsure."""
        if type(expr) is ast.Name:  # memoized per scope and name already (see _infer)
            known = self._name_type_cache.get((scope, expr.id), _Mark.ABSENT)
            if known is not _Mark.ABSENT and known is not _Mark.IN_PROGRESS:
                return known if isinstance(known, Symbol) else None
        cached = self._infer_cache.get(expr)
        if cached is not None and cached[0] is scope:
            return cached[1]
        cut_short = self._cut_short
        inferred = self._infer(expr, scope, 0)
        result = inferred if isinstance(inferred, Symbol) else None
        if cut_short == self._cut_short:
            self._infer_cache[expr] = (scope, result)
        return result

    def _infer(self, expr: ast.expr, scope: Scope, depth: int) -> Symbol | tuple[str, ...] | None:
        if depth > _MAX_DEPTH:
            self._cut_short += 1
            return None
        if isinstance(expr, ast.Call):
            return self._call_result(expr, scope, depth, awaited=False)
        if isinstance(expr, ast.Await) and isinstance(expr.value, ast.Call):
            return self._call_result(expr.value, scope, depth, awaited=True)
        if isinstance(expr, ast.Name):
            name = expr.id
            cache = self._name_type_cache
            key = (scope, name)
            memo = cache.get(key, _Mark.ABSENT)
            if memo is not _Mark.ABSENT and memo is not _Mark.IN_PROGRESS:
                return memo
            found = scope.lookup(name)
            if found is None:
                cache[key] = None
                return None
            binder, bindings = found  # as for names: the type depends only on the scope that binds it
            binder_key = (binder, name)
            memo = cache.get(binder_key, _Mark.ABSENT)
            if memo is not _Mark.ABSENT and memo is not _Mark.IN_PROGRESS:
                cache[key] = memo
                return memo
            cut_short = self._cut_short
            result = self._memoized(cache, binder_key, lambda: self._infer_bindings(binder, bindings, depth))
            if binder is not scope and cut_short == self._cut_short:
                cache[key] = result
            return result
        if isinstance(expr, ast.Attribute):
            owner = self._infer(expr.value, scope, depth + 1)
            if isinstance(owner, Symbol) and isinstance(owner.node, ast.ClassDef):
                return self._instance_attribute(owner, expr.attr, depth)
            if isinstance(owner, Symbol) and owner.node is None:
                known = ATTRIBUTE_TYPES.get(f"{owner.qualname}.{expr.attr}")
                return Symbol(known) if known is not None else None
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Div):
            # `base / "name"` on a path is a path of the same type
            left = self._infer(expr.left, scope, depth + 1)
            if isinstance(left, Symbol) and left.node is None and left.qualname in PATH_JOIN_TYPES:
                return left
        return None

    def callee_key(self, call: ast.Call, scope: Scope) -> str | None:
        """A dotted name for what a call calls: ``time.sleep`` or, for a method, ``Type.method``."""
        func = call.func
        symbol = self.resolve(func, scope)
        if symbol is not None:
            return symbol.qualname
        if isinstance(func, ast.Attribute):
            receiver = self.infer_type(func.value, scope)
            if receiver is not None:
                return f"{receiver.qualname}.{func.attr}"
        return None

    def call_keys(self, call: ast.Call, scope: Scope) -> list[str]:
        """Dotted names a call may be known by in the knowledge tables, most specific first.

        A resolved callee gives its name (``requests.get``); a method on a receiver of inferred type
        gives ``Type.method`` for the type and each known base (``asyncio.PriorityQueue.put``,
        ``asyncio.Queue.put``). Never a bare method name: ``d.get(k)`` on an unknown ``d`` gives nothing.
        """
        func = call.func
        symbol = self.resolve(func, scope)
        if symbol is not None:
            return [symbol.qualname] if symbol.node is None else []
        if isinstance(func, ast.Attribute):
            receiver = self.infer_type(func.value, scope)
            if receiver is not None:
                return [
                    f"{klass.qualname}.{func.attr}" for klass in self.class_mro(receiver)
                    if not isinstance(klass.node, ast.ClassDef) and klass.qualname != "<unknown>"
                ]
        return []

    def _call_result(self, call: ast.Call, scope: Scope, depth: int,
                     awaited: bool) -> Symbol | tuple[str, ...] | None:
        func = call.func
        symbol = self._resolve(func, scope, depth + 1)
        key: str | None = None
        if symbol is not None:
            if isinstance(symbol.node, ast.ClassDef):
                return None if awaited else symbol
            if symbol.node is not None:
                return None  # a function of this file: its return type is not inferred
            key = symbol.qualname
        elif isinstance(func, ast.Attribute):
            receiver = self._infer(func.value, scope, depth + 1)
            if isinstance(receiver, Symbol):
                key = f"{receiver.qualname}.{func.attr}"
                for klass in self.class_mro(receiver)[1:]:
                    table = AWAIT_RETURN_TYPES if awaited else RETURN_TYPES
                    if f"{klass.qualname}.{func.attr}" in table:
                        key = f"{klass.qualname}.{func.attr}"
                        break
        if key is None:
            return None
        table = AWAIT_RETURN_TYPES if awaited else RETURN_TYPES
        known = table.get(key)
        if known is not None:
            return Symbol(known) if isinstance(known, str) else known
        if not awaited and symbol is not None and key not in NOT_CONSTRUCTORS and key.rsplit(".", 1)[-1][:1].isupper():
            return Symbol(key)  # an imported class: calling it makes an instance
        return None

    def _infer_bindings(self, owner: Scope, bindings: list[Binding],
                        depth: int) -> Symbol | tuple[str, ...] | None:
        if len(bindings) == 1:  # most names are bound once
            binding = bindings[0]
            return None if binding.kind is BindingKind.AUG_ASSIGN else self._type_of_binding(owner, binding, depth)
        results = set()
        for binding in bindings:
            if binding.kind is BindingKind.AUG_ASSIGN:
                continue
            results.add(self._type_of_binding(owner, binding, depth))
            if len(results) > 1:
                return None
        return results.pop() if results else None

    def _type_of_binding(self, owner: Scope, binding: Binding, depth: int) -> Symbol | tuple[str, ...] | None:
        kind = binding.kind
        if kind is BindingKind.PARAMETER:
            if binding.annotation is not None:
                return self.type_from_annotation(binding.annotation, owner.parent or owner)
            return self._implicit_first_parameter(owner, binding)
        if kind is BindingKind.ANNOTATION and binding.annotation is not None:
            return self.type_from_annotation(binding.annotation, owner)
        if kind in (BindingKind.ASSIGN, BindingKind.WITH) and binding.value is not None:
            if isinstance(binding.node, ast.AnnAssign) and binding.node.annotation is not None:
                return self.type_from_annotation(binding.node.annotation, owner)
            value = self._infer(binding.value, owner, depth + 1)
            if binding.unpack_index is None:
                return value if isinstance(value, Symbol) else None
            # (a tuple of type names, not a Symbol: a Symbol is a named tuple too)
            if isinstance(value, tuple) and not isinstance(value, Symbol) and binding.unpack_index < len(value):
                return Symbol(value[binding.unpack_index])
        return None

    def _implicit_first_parameter(self, function: Scope, binding: Binding) -> Symbol | None:
        """``self`` / ``cls``: the first parameter of a method is the class (or an instance of it)."""
        node = function.node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        klass = function.parent
        if klass is None or klass.kind is not ScopeKind.CLASS:
            return None
        params = [*node.args.posonlyargs, *node.args.args]
        if not params or params[0] is not binding.node:
            return None
        for decorator in node.decorator_list:
            if isinstance(decorator, ast.Name) and decorator.id == "staticmethod":
                return None
        assert klass.parent is not None
        return Symbol(self.local_qualname(klass.parent, klass.name), klass.node)

    def _instance_attribute(self, cls: Symbol, attr: str, depth: int) -> Symbol | None:
        return self._memoized(self._attribute_cache, (cls, attr),
                              lambda: self._instance_attribute_type(cls, attr, depth))

    def _instance_attribute_type(self, cls: Symbol, attr: str, depth: int) -> Symbol | None:
        """The type of ``self.attr`` from ``self.attr = X()`` in methods or ``attr: X`` in the class body.

        Declared types win: an annotation (``self._loop: Optional[AbstractEventLoop] = None`` or ``attr: X``
        in the class body) gives the type even when values such as ``None`` are assigned elsewhere.
        """
        declared: set[Symbol | None] = set()
        for klass in self.class_mro(cls):
            if not isinstance(klass.node, ast.ClassDef):
                break
            self.require_instance_attributes(klass.node)
            class_scope = self.scopes[klass.node]
            for annotation, where in class_scope.instance_annotations.get(attr, ()):
                declared.add(self.type_from_annotation(annotation, where))
            for binding in class_scope.bindings.get(attr, ()):
                if binding.annotation is not None and binding.kind in (BindingKind.ANNOTATION, BindingKind.ASSIGN):
                    declared.add(self.type_from_annotation(binding.annotation, class_scope))
            if declared:
                return declared.pop() if len(declared) == 1 else None
        results: set[Symbol | None] = set()
        for klass in self.class_mro(cls):
            if not isinstance(klass.node, ast.ClassDef):
                break
            class_scope = self.scopes[klass.node]
            for value, where in class_scope.instance_attrs.get(attr, ()):
                inferred = self._infer(value, where, depth + 1)
                results.add(inferred if isinstance(inferred, Symbol) else None)
            for binding in class_scope.bindings.get(attr, ()):
                if binding.kind is BindingKind.ANNOTATION and binding.annotation is not None:
                    results.add(self.type_from_annotation(binding.annotation, class_scope))
                elif binding.kind is BindingKind.ASSIGN and binding.value is not None:
                    inferred = self._infer(binding.value, class_scope, depth + 1)
                    results.add(inferred if isinstance(inferred, Symbol) else None)
            if results:
                break
        if len(results) == 1:
            return results.pop()
        return None

    def type_from_annotation(self, annotation: ast.expr, scope: Scope) -> Symbol | None:
        """The class an annotation names, seeing through ``Optional[X]``, ``X | None`` and strings."""
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                parsed = ast.parse(annotation.value, mode="eval").body
            except (SyntaxError, ValueError, RecursionError):
                return None
            # names in a string annotation resolve in the same scope; the parsed nodes are new, so the
            # resolution cache (keyed by node identity) is not polluted by them
            return self.type_from_annotation(parsed, scope)
        if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
            sides = [annotation.left, annotation.right]
            non_none = [s for s in sides if not (isinstance(s, ast.Constant) and s.value is None)]
            return self.type_from_annotation(non_none[0], scope) if len(non_none) == 1 else None
        if isinstance(annotation, ast.Subscript):
            outer = self.qualname(annotation.value, scope)
            if outer in ("typing.Optional", "typing.Annotated", "typing_extensions.Annotated"):
                inner = annotation.slice
                if isinstance(inner, ast.Tuple) and inner.elts:
                    inner = inner.elts[0]
                return self.type_from_annotation(inner, scope)
            return self.type_from_annotation(annotation.value, scope)
        symbol = self.resolve(annotation, scope)
        if symbol is None or (symbol.node is not None and not symbol.is_class):
            return None
        return symbol
