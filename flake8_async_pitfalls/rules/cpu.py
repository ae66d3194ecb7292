"""3xx: CPU-heavy work in async context."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..analysis.consteval import CAP, iteration_count, while_count
from ..analysis.scopes import Scope
from .base import Rule, source_of

if TYPE_CHECKING:
    from .base import Hook
    from ..checker import FileContext

_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_LOOPS = (ast.For, ast.While, *_COMPREHENSIONS)
_LOOP_NAMES = {
    ast.For: "for loop",
    ast.While: "while loop",
    ast.ListComp: "list comprehension",
    ast.SetComp: "set comprehension",
    ast.DictComp: "dict comprehension",
    ast.GeneratorExp: "generator expression",
}
# builtins that consume a whole iterable at C speed per item but still once per item
_CONSUMERS = frozenset({
    "builtins.sum", "builtins.min", "builtins.max", "builtins.sorted", "builtins.list", "builtins.tuple",
    "builtins.set", "builtins.frozenset", "builtins.any", "builtins.all", "builtins.dict",
})


class _Estimator:
    """Per-file memo of loop iteration counts and total work (iterations times nested work)."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self._iterations: dict[ast.AST, int | None] = {}
        self._totals: dict[ast.AST, int] = {}
        self._children: dict[ast.AST, list[ast.AST]] | None = None

    def children(self, node: ast.AST) -> list[ast.AST]:
        """Loops and consumer calls directly nested in a loop (same function)."""
        if self._children is None:
            table: dict[ast.AST, list[ast.AST]] = {}
            for child, loop in self.ctx.enclosing_loop.items():
                if isinstance(child, (*_LOOPS, ast.Call)):
                    table.setdefault(loop, []).append(child)
            self._children = table
        return self._children.get(node, [])

    def iterations(self, node: ast.AST) -> int | None:
        if node in self._iterations:
            return self._iterations[node]
        scope = self.ctx.scope_of(node)
        module = self.ctx.module
        count: int | None = None
        if scope is not None:
            if isinstance(node, ast.For):
                count = iteration_count(node.iter, scope, module)
            elif isinstance(node, ast.While):
                count = while_count(node, scope, module)
            elif isinstance(node, _COMPREHENSIONS):
                count = self._comprehension_count(node, scope)
            elif isinstance(node, ast.Call):
                count = self.consumer_count(node, scope)
        self._iterations[node] = count
        return count

    def _comprehension_count(self, node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp,
                             scope: Scope) -> int | None:
        module = self.ctx.module
        inner = module.scopes.get(node, scope)
        total: int | None = None
        for index, gen in enumerate(node.generators):
            count = iteration_count(gen.iter, scope if index == 0 else inner, module)
            if count is not None:
                total = min(CAP, (total or 1) * count)
        return total

    def consumer_count(self, call: ast.Call, scope: Scope) -> int | None:
        if len(call.args) != 1 or isinstance(call.args[0], (*_COMPREHENSIONS, ast.Starred)):
            return None  # a comprehension argument is a loop of its own
        if self.ctx.module.qualname(call.func, scope) not in _CONSUMERS:
            return None
        return iteration_count(call.args[0], scope, self.ctx.module)

    def total(self, node: ast.AST) -> int:
        """Estimated work: own iterations (1 when unknown) times the work nested inside (at least 1)."""
        cached = self._totals.get(node)
        if cached is not None:
            return cached
        self._totals[node] = 1  # guards against cycles in malformed tables
        nested = sum(
            self.total(child) for child in self.children(node)
            if not isinstance(child, ast.Call) or self.iterations(child) is not None
        )
        own = self.iterations(node)
        result = min(CAP, (own if own is not None else 1) * max(1, nested))
        self._totals[node] = result
        return result

    def is_heavy(self, node: ast.AST, threshold: int) -> bool:
        return (
            node not in self.ctx.awaiting_loops
            and self.iterations(node) is not None
            and self.total(node) >= threshold
        )


class CpuHeavyLoop(Rule):
    code = "APF301"
    name = "cpu-heavy-loop"
    summary = "a loop or comprehension with no `await` whose estimated work exceeds `--apf-cpu-threshold`"
    message = (
        "{construct} runs about {iterations} iterations without an await, blocking the event loop in "
        "{where}; move it into a plain def and use 'await asyncio.to_thread(fn)', or "
        "'await loop.run_in_executor(ProcessPoolExecutor(), fn)' to use another core"
    )
    what = (
        "Reports a `for`/`while` loop, comprehension or generator expression in an `async def` that contains "
        "no `await`, `async for` or `async with` and whose estimated work reaches `--apf-cpu-threshold` "
        "iterations. The estimate is static: constant `range()` bounds (literals, arithmetic, module- and "
        "class-level constants, constants of the function), `while i < N` counters, literal sequences, "
        "`zip`/`enumerate`/`itertools.product` over those; nested loops multiply, and "
        "`sum`/`min`/`max`/`sorted`/`list`/`any`/`all` over such ranges count as loops. Loops over data of "
        "unknown size are never reported; of nested heavy loops, only the outermost is."
    )
    why = (
        "asyncio gives concurrency, not parallelism: one thread runs every task and switches only at "
        "`await`. A long computation with no `await` keeps the thread, so every other task, timer and "
        "connection waits until it ends. Pure-Python CPU work is also bound by the GIL: a thread keeps the "
        "loop responsive, but only a process pool makes the work itself run in parallel."
    )
    fix = (
        "Move the loop into a plain function and run it with `await asyncio.to_thread(fn)` (the loop stays "
        "responsive) or `await loop.run_in_executor(ProcessPoolExecutor(), fn)` (real parallelism for "
        "pure-Python CPU work), or, if it must stay, `await asyncio.sleep(0)` every few thousand iterations."
    )
    options = ("--apf-cpu-threshold",)
    probe = "stall"

    def hooks(self) -> Mapping[type[ast.AST], Hook]:
        hooks: dict[type[ast.AST], Hook] = {t: self.check_loop for t in _LOOPS}
        hooks[ast.Call] = self.check_call
        return hooks

    def _estimator(self, ctx: FileContext) -> _Estimator:
        estimator = ctx.rule_state.get(self.code)
        if estimator is None:
            estimator = ctx.rule_state[self.code] = _Estimator(ctx)
        assert isinstance(estimator, _Estimator)
        return estimator

    def check_call(self, ctx: FileContext, node: ast.AST, parent: ast.AST | None, scope: Scope) -> None:
        # consumer calls are recorded for the loop totals, and reported themselves when heavy
        assert isinstance(node, ast.Call)
        if not node.args or isinstance(node.args[0], _COMPREHENSIONS) or not isinstance(node.func, ast.Name):
            return
        if self._estimator(ctx).iterations(node) is None:
            return
        self._maybe_report(ctx, node, scope, source_of(node, 50))

    def check_loop(self, ctx: FileContext, node: ast.AST, parent: ast.AST | None, scope: Scope) -> None:
        self._maybe_report(ctx, node, scope, _LOOP_NAMES[type(node)])

    def _maybe_report(self, ctx: FileContext, node: ast.AST, scope: Scope, construct: str) -> None:
        if not scope.is_async:
            return
        estimator = self._estimator(ctx)
        threshold = ctx.settings.cpu_threshold
        if not estimator.is_heavy(node, threshold):
            return
        outer = ctx.enclosing_loop.get(node)
        while outer is not None:
            if estimator.is_heavy(outer, threshold):
                return  # the enclosing loop is reported and covers this one
            outer = ctx.enclosing_loop.get(outer)
        count = estimator.iterations(node) or 0
        total = estimator.total(node)
        iterations = f"{total:,}" if total == count else f"{total:,} (nested)"
        ctx.report(self, node, construct=construct, iterations=iterations, where=scope.describe())
