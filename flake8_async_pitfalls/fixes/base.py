"""What a fixer is, and the libcst facts fixers share: parents, async context, the name of ``asyncio``, ``await``.

A fixer never re-detects a pitfall. It is handed a finding the linter already reported and the libcst node
found at the finding's position, and it *plans* edits: which original node to replace, and how (a function
of the node as already rewritten below it, so that nested fixes compose). When the code around the finding
makes the fix wrong (not in async context, ``asyncio`` shadowed, a callee with side effects, ...) the fixer
raises ``Skip`` with the reason, and the file is left as it was at that place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

import libcst as cst
from libcst.metadata import Assignment, BaseAssignment, MetadataWrapper, ParentNodeProvider, Scope, ScopeProvider

from ..rules.base import Finding, FixSafety

# expressions whose value is tested or handed on right where they stand: an ``await`` put in their place
# needs no parentheses, except as the object of ``.attr``, ``[index]`` or ``(...)``
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp)


class Skip(Exception):
    """A fixer declines to fix one finding; the message says why (shown to the user)."""


@dataclass(frozen=True, eq=False)
class Edit:
    """Replace ``node`` (a node of the original tree) by ``apply(node as rewritten below it)``.

    ``key`` names what the edit does, so that two findings asking for the very same edit (two ``await``s in
    one plain def both asking for ``async def``) share it instead of conflicting.
    """

    node: cst.CSTNode
    key: str
    apply: Callable[[cst.CSTNode], cst.CSTNode]
    imports_asyncio: bool = False  # the edit spells ``asyncio`` where no such name is bound yet


class Fixer:
    """Base of the fixers: one fix kind, its safety, the node types its findings point at."""

    codes: tuple[str, ...]
    safety: ClassVar[FixSafety]
    description: ClassVar[str]  # one sentence for the docs: what the fix rewrites, and when it declines
    targets: ClassVar[tuple[type[cst.CSTNode], ...]]  # the node types a finding of these codes is reported at

    def plan(self, ctx: FixContext, node: cst.CSTNode, finding: Finding) -> Sequence[Edit]:
        """The edits that fix ``finding`` reported at ``node``; raises ``Skip`` when it cannot be fixed here."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {'/'.join(self.codes)} ({self.safety.value})>"


class FixContext:
    """The parsed file and its libcst metadata (scopes are computed only if a fixer asks for names)."""

    def __init__(self, wrapper: MetadataWrapper) -> None:
        self.wrapper = wrapper
        self.module = wrapper.module
        self.parents: Mapping[cst.CSTNode, cst.CSTNode] = wrapper.resolve(ParentNodeProvider)
        self._scopes: Mapping[cst.CSTNode, Scope | None] | None = None

    # -- structure -----------------------------------------------------------------------------------
    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self.parents.get(node)

    def ancestors(self, node: cst.CSTNode) -> list[tuple[cst.CSTNode, cst.CSTNode]]:
        """``(ancestor, its child on the way to node)`` pairs, innermost first."""
        out: list[tuple[cst.CSTNode, cst.CSTNode]] = []
        child = node
        parent = self.parents.get(child)
        while parent is not None:
            out.append((parent, child))
            child = parent
            parent = self.parents.get(child)
        return out

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    # -- where an await may go -----------------------------------------------------------------------
    def enclosing_function(self, node: cst.CSTNode) -> cst.FunctionDef | cst.Lambda | cst.ClassDef | None:
        """The def, lambda or class body whose code ``node`` is (None at module level).

        Decorators, default values, annotations and class bases belong to the enclosing code;
        comprehensions are transparent.
        """
        for ancestor, child in self.ancestors(node):
            if isinstance(ancestor, (cst.FunctionDef, cst.ClassDef)) and child is ancestor.body:
                return ancestor
            if isinstance(ancestor, cst.Lambda) and child is ancestor.body:
                return ancestor
        return None

    def async_context_problem(self, node: cst.CSTNode) -> str | None:
        """Why ``await`` / ``async for`` / ``async with`` cannot be written at ``node``, or None if it can."""
        for ancestor, child in self.ancestors(node):
            if isinstance(ancestor, cst.Annotation):
                return "it is in an annotation"
            if isinstance(ancestor, cst.GeneratorExp):
                return "it is in a generator expression (an await there would make it an async generator)"
            if isinstance(ancestor, cst.Lambda) and child is ancestor.body:
                return "it is in a lambda, which cannot be async"
            if isinstance(ancestor, cst.ClassDef) and child is ancestor.body:
                return f"it is in the body of class '{ancestor.name.value}'"
            if isinstance(ancestor, cst.FunctionDef) and child is ancestor.body:
                if ancestor.asynchronous is None:
                    return f"it is in plain def '{ancestor.name.value}', not in async context"
                return None
        return "it is at module level, not in async context"

    def require_async_context(self, node: cst.CSTNode) -> None:
        problem = self.async_context_problem(node)
        if problem is not None:
            raise Skip(problem)

    def is_awaited(self, node: cst.CSTNode) -> bool:
        parent = self.parents.get(node)
        return isinstance(parent, cst.Await) and parent.expression is node

    def needs_parentheses(self, node: cst.CSTNode) -> bool:
        """Whether an ``await ...`` put in place of ``node`` must be parenthesized (``(await f()).x``)."""
        parent = self.parents.get(node)
        if isinstance(parent, (cst.Attribute, cst.Subscript)) and parent.value is node:
            return True
        if isinstance(parent, cst.Call) and parent.func is node:
            return True
        # `await a ** b` reads as `(await a) ** b`; as the right operand `a ** await b` is fine
        return isinstance(parent, cst.BinaryOperation) and isinstance(parent.operator, cst.Power) \
            and parent.left is node

    # -- names ---------------------------------------------------------------------------------------
    @property
    def scopes(self) -> Mapping[cst.CSTNode, Scope | None]:
        if self._scopes is None:
            self._scopes = self.wrapper.resolve(ScopeProvider)
        return self._scopes

    def scope_of(self, node: cst.CSTNode) -> Scope | None:
        current: cst.CSTNode | None = node
        while current is not None:
            scope = self.scopes.get(current)
            if scope is not None:
                return scope
            current = self.parents.get(current)
        return None

    def asyncio_name(self, node: cst.CSTNode) -> tuple[str, bool]:
        """How to spell the asyncio module at ``node``: ``(name, needs "import asyncio")``.

        ``asyncio`` when it is bound there to the asyncio module (or bound nowhere: the fix then adds
        ``import asyncio`` at the top of the module), else a module-level alias (``import asyncio as aio``)
        that nothing shadows there. Raises Skip when ``asyncio`` means something else at ``node``.
        """
        scope = self.scope_of(node)
        if scope is None:
            raise Skip("cannot tell which names are bound here")
        bound = scope["asyncio"]
        kinds = {self._asyncio_import_kind(a, "asyncio") for a in bound}
        if kinds == {"runtime"} or kinds == {"runtime", "type-checking"}:
            return "asyncio", False
        if kinds == {"type-checking"} and all(a.scope is scope.globals for a in bound):
            return "asyncio", True  # imported for type checkers only: a real import is needed
        if kinds:
            raise Skip("the name 'asyncio' is bound to something else here")
        for assignment in scope.globals.assignments:
            name = assignment.name
            if name != "asyncio" and self._asyncio_import_kind(assignment, name) == "runtime":
                if {self._asyncio_import_kind(a, name) for a in scope[name]} == {"runtime"}:
                    return name, False
        return "asyncio", True

    def _asyncio_import_kind(self, assignment: BaseAssignment, name: str) -> str:
        """``runtime`` for ``import asyncio`` (or ``import asyncio.x``, or ``import asyncio as name``) binding
        ``name``, ``type-checking`` for such an import under ``if TYPE_CHECKING:``, else ``other``."""
        if not isinstance(assignment, Assignment) or not isinstance(assignment.node, cst.Import):
            return "other"
        statement = assignment.node
        for alias in statement.names:
            dotted = self.code(alias.name)
            if alias.asname is None:
                if name == "asyncio" and (dotted == "asyncio" or dotted.startswith("asyncio.")):
                    break
            elif dotted == "asyncio" and isinstance(alias.asname.name, cst.Name) \
                    and alias.asname.name.value == name:
                break
        else:
            return "other"
        for ancestor, _ in self.ancestors(statement):
            if isinstance(ancestor, cst.If) and "TYPE_CHECKING" in self.code(ancestor.test):
                return "type-checking"
        return "runtime"


def attribute(dotted: str) -> cst.BaseExpression:
    """``asyncio.sleep`` as a libcst expression."""
    parts = dotted.split(".")
    expr: cst.BaseExpression = cst.Name(parts[0])
    for part in parts[1:]:
        expr = cst.Attribute(value=expr, attr=cst.Name(part))
    return expr


# what ``await`` may stand before without parentheses (a "primary": atoms, attributes, calls, subscripts)
_PRIMARIES = (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.List, cst.Tuple, cst.Set, cst.Dict,
              cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp, cst.SimpleString, cst.ConcatenatedString,
              cst.FormattedString, cst.Integer, cst.Float, cst.Imaginary, cst.Ellipsis)


def awaited(expr: cst.BaseExpression, parenthesize: bool) -> cst.Await:
    """``await expr``: the parentheses ``expr`` had go around the whole ``await`` (a pair is added when
    ``parenthesize``), and ``expr`` itself is parenthesized when it is not a primary (``await (a or b)``)."""
    lpar: Sequence[cst.LeftParen] = expr.lpar
    rpar: Sequence[cst.RightParen] = expr.rpar
    if not lpar and parenthesize:
        lpar, rpar = [cst.LeftParen()], [cst.RightParen()]
    inner = expr.with_changes(lpar=[], rpar=[])
    if not isinstance(inner, _PRIMARIES):
        inner = inner.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return cst.Await(expression=inner, lpar=lpar, rpar=rpar)


def callee_name(call: cst.Call) -> str | None:
    """The name a call's callee ends with: ``sleep`` for ``time.sleep(...)`` and ``nap(...)``'s ``nap``."""
    func = call.func
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return None


def has_comment(node: cst.CSTNode) -> bool:
    return "#" in _EMPTY.code_for_node(node)


_EMPTY = cst.Module(body=[])


def is_comprehension(node: cst.CSTNode) -> bool:
    return isinstance(node, _COMPREHENSIONS)
