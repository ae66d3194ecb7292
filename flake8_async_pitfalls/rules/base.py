"""What a rule is: its metadata (code, name, message, docs prose, fix safety) and its node hooks."""

from __future__ import annotations

import ast
import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, TypeVar

if TYPE_CHECKING:
    from ..analysis.scopes import Scope
    from ..checker import FileContext

    # a rule's handler for one node type: (file context, node, its parent, the scope it stands in)
    Hook = Callable[[FileContext, ast.AST, ast.AST | None, Scope], None]


_F = TypeVar("_F", bound=Callable[..., None])


class FixSafety(enum.Enum):
    SAFE = "safe"  # applied by `fix`; keeps the program's meaning apart from the pitfall
    UNSAFE = "unsafe"  # applied only with --unsafe-fixes; changes behaviour the user should review


@dataclass(frozen=True, slots=True)
class Finding:
    """One reported problem. Columns are ``ast`` columns (0-based UTF-8 byte offsets), as flake8 expects."""

    line: int
    col: int
    code: str
    message: str
    # where the reported node ends (``ast`` end position), so the fixers can tell apart nodes that start at
    # the same place (``requests.get(u).json()``); not part of a finding's identity
    end_line: int | None = field(default=None, compare=False)
    end_col: int | None = field(default=None, compare=False)
    # the dotted name of what was found (a blocking call's knowledge-table key), for fixers that decide by it
    subject: str | None = field(default=None, compare=False)

    def flake8_text(self) -> str:
        return f"{self.code} {self.message}"


_ASYNC_ONLY: set[object] = set()


def async_context_only(hook: _F) -> _F:
    """Mark a hook that does nothing outside async context (it must still check ``scope.is_async`` itself):
    the walk then queues it only for nodes that stand in async context."""
    _ASYNC_ONLY.add(getattr(hook, "__func__", hook))
    return hook


def is_async_context_only(hook: object) -> bool:
    return getattr(hook, "__func__", hook) in _ASYNC_ONLY


_METHOD_NAMES: dict[object, frozenset[str]] = {}


def method_names(names: frozenset[str]) -> Callable[[_F], _F]:
    """Mark an ``ast.Call`` hook that does nothing for a method call ``x.attr(...)`` unless ``attr`` is one of
    ``names`` (it must still check that itself): the walk then hands it only such method calls, and every
    call of a plain name (which may be an alias of anything)."""

    def mark(hook: _F) -> _F:
        _METHOD_NAMES[getattr(hook, "__func__", hook)] = names
        return hook

    return mark


def method_names_of(hook: object) -> frozenset[str] | None:
    """The method names a Call hook is limited to (see ``method_names``), or None."""
    return _METHOD_NAMES.get(getattr(hook, "__func__", hook))


class RuleError(Exception):
    """Raised by a hook shared between rules, to name the rule that failed (for its APF000 finding)."""

    def __init__(self, rule: Rule, original: Exception) -> None:
        super().__init__(f"{type(original).__name__}: {original}")
        self.rule = rule
        self.original = original


class Rule:
    """Base of every rule. Subclasses set the metadata and implement ``hooks``.

    ``message`` is a ``str.format`` template with named placeholders, filled by ``FileContext.report``.
    The docs page (docs/rules/<code>.md) is generated from these attributes and the rule's examples.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]  # one line: what is reported
    message: ClassVar[str]
    what: ClassVar[str]  # "What it does" prose (markdown)
    why: ClassVar[str]  # "Why is this bad?" prose (markdown)
    fix: ClassVar[str]  # how to fix it (markdown), shown under "Fix"
    options: ClassVar[tuple[str, ...]] = ()  # flags of the settings that change this rule
    probe: ClassVar[str]  # how the example pair is verified: "stall", "never-awaited", "syntax", "error"

    def hooks(self) -> Mapping[type[ast.AST], Hook]:
        raise NotImplementedError

    @property
    def fix_safety(self) -> FixSafety | None:
        """The class of the rule's autofix, None without one: derived from the fixer registered for the code in
        ``fixes.FIXERS`` (never declared twice). Reading it imports the fixers, hence libcst: never on the lint
        path."""
        from ..fixes import FIXERS  # here, not at the top: the fixers import this module

        fixer = FIXERS.get(self.code)
        return None if fixer is None else fixer.safety

    def __repr__(self) -> str:
        return f"<{self.code} {self.name}>"


def source_of(node: ast.AST, limit: int = 60) -> str:
    """Short source text for messages: ``time.sleep(2)``, cut with an ellipsis when long."""
    try:
        text = ast.unparse(node)
    except (RecursionError, ValueError, AttributeError):
        return "..."
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
