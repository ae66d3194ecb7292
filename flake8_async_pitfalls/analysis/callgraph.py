"""Call chains through plain functions of the project: what a helper does two, three, N calls down.

A chain starts at a plain ``def`` called directly in async context and follows the calls made directly in
the bodies of plain defs (of this file, or of other modules through the project index). A function handed
to ``asyncio.to_thread``, ``run_in_executor``, ``executor.submit`` or a thread is an argument, not a call,
so it is never followed; calls inside nested defs and lambdas belong to those, not to the helper.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from .project import PROJECT, CallSite, FunctionKind, FunctionSummary, LocalFunctions, display

if TYPE_CHECKING:
    from ..checker import FileContext

_STATE_KEY = "call-graph"


class Hit(NamedTuple):
    """What a chain ends in: the offending call's dotted name, what the predicate said, and where."""

    name: str
    label: str
    path: str
    line: int


class Chain(NamedTuple):
    functions: tuple[FunctionSummary, ...]
    hit: Hit

    def text(self) -> str:
        """``download() -> fetch_page() -> requests.get() (client.py:12)``."""
        shown = self.hit.name[len("builtins."):] if self.hit.name.startswith("builtins.") else self.hit.name
        steps = [display(f) for f in self.functions]
        steps.append(f"{shown}() ({os.path.basename(self.hit.path)}:{self.hit.line})")
        return " -> ".join(steps)


# given a call site, what makes it a hit: (label such as a rule code, the dotted name to show), or None
Predicate = Callable[[CallSite], "tuple[str, str] | None"]


class CallGraph:
    """Per-file access to function summaries (this file's, and the project's) and chain searches."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.local = LocalFunctions(ctx)
        self.root = PROJECT.root_of(ctx.filename) if ctx.settings.project else None
        self._memo: dict[tuple[str, str], Chain | None] = {}
        self._functions: dict[tuple[str, ...], FunctionSummary | None] = {}

    @classmethod
    def of(cls, ctx: FileContext) -> CallGraph:
        graph = ctx.rule_state.get(_STATE_KEY)
        if graph is None:
            graph = ctx.rule_state[_STATE_KEY] = cls(ctx)
        assert isinstance(graph, CallGraph)
        return graph

    def function(self, names: tuple[str, ...]) -> FunctionSummary | None:
        """The summary of the function a call's callee names stand for, if it is defined in the project."""
        try:
            return self._functions[names]
        except KeyError:
            found = self._functions[names] = self._function(names)
            return found

    def _function(self, names: tuple[str, ...]) -> FunctionSummary | None:
        for name in names:
            found = self.local.get(name)
            if found is None and self.root is not None:
                found = PROJECT.find_function(self.root, name, self.ctx.settings)
            if found is not None:
                return found
        return None

    def plain_target(self, names: tuple[str, ...]) -> FunctionSummary | None:
        found = self.function(names)
        return found if found is not None and found[1] == FunctionKind.PLAIN else None

    def search(self, start: FunctionSummary, predicate: Predicate, key: str) -> Chain | None:
        """The first chain from ``start`` (a plain def) down to a call the predicate flags."""
        limit = self.ctx.settings.project_depth
        return self._search(start, predicate, key, 1, limit, frozenset())

    def _search(self, fn: FunctionSummary, predicate: Predicate, key: str, depth: int, limit: int,
                visiting: frozenset[str]) -> Chain | None:
        qualname, _kind, path, _line, calls = fn
        memo_key = (key, qualname)
        if memo_key in self._memo:
            return self._memo[memo_key]
        if calls is None:
            # a plain def of a module read from its outline: its calls are read now, the module whole
            whole = PROJECT.whole_function(fn, self.ctx.settings)
            calls = whole[4] if whole is not None and whole[4] is not None else ()
        result: Chain | None = None
        for site in calls:
            hit = predicate(site)
            if hit is not None:
                result = Chain((fn,), Hit(hit[1], hit[0], path, site[0]))
                break
        if result is None and depth < limit:
            inner = visiting | {qualname}
            for _site_line, names, _blocking in calls:
                callee = self.plain_target(names)
                if callee is None or callee[0] in inner:
                    continue
                found = self._search(callee, predicate, key, depth + 1, limit, inner)
                if found is not None:
                    result = Chain((fn, *found.functions), found.hit)
                    break
        if not visiting or result is not None:
            # a miss found while inside a cycle may depend on the cycle's entry point: memoize only
            # answers from the top of a search, and hits (a hit is a hit from anywhere)
            self._memo[memo_key] = result
        return result
