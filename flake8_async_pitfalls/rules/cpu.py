"""3xx: CPU-heavy work in async context."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..analysis.consteval import CAP, iteration_count, while_count
from ..analysis.scopes import Scope
from .base import Rule, async_context_only, method_names, source_of

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
# calls that consume a whole iterable right away, once per item (at C speed per item, but once per item)
_CONSUMERS = frozenset({
    "builtins.sum", "builtins.min", "builtins.max", "builtins.sorted", "builtins.list", "builtins.tuple",
    "builtins.set", "builtins.frozenset", "builtins.any", "builtins.all", "builtins.dict", "builtins.bytes",
    "builtins.bytearray", "math.fsum", "math.prod", "statistics.mean", "statistics.fmean", "statistics.median",
    "collections.Counter", "collections.deque",
})
_CONSUMER_NAMES = frozenset(name.rsplit(".", 1)[1] for name in _CONSUMERS)
# statements that leave a loop before its iterable is exhausted (Break: only its own loop)
_EXITS = (ast.Break, ast.Return)


class _Estimator:
    """Per-file memo of loop iteration counts and total work (iterations times nested work).

    Built on the facts the checker's single walk recorded (enclosing loops, awaiting loops, the queue of
    hooked nodes with their parents); nothing here walks the tree again.
    """

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self._iterations: dict[ast.AST, int | None] = {}
        self._totals: dict[ast.AST, int] = {}
        self._children: dict[ast.AST, list[ast.AST]] | None = None
        self._left_early: set[ast.AST] = set()  # loops a break or return can leave early
        self._yielding: set[ast.AST] = set()  # loops of async generators that yield to their consumer
        # comprehensions and calls -> parent, and `for ... in ...` clause -> comprehension: read from the whole
        # queue, so made only once a loop of known size needs them (most files never do)
        self._parents_made = False
        self._parents: dict[ast.AST, ast.AST | None] = {}
        self._generator_owner: dict[ast.comprehension, ast.AST] = {}

    def _index(self) -> dict[ast.AST, list[ast.AST]]:
        if self._children is None:
            enclosing = self.ctx.enclosing_loop
            table: dict[ast.AST, list[ast.AST]] = {}
            for child, loop in enclosing.items():
                if isinstance(child, (*_LOOPS, ast.Call)):
                    table.setdefault(loop, []).append(child)
                elif isinstance(child, ast.Break):
                    self._left_early.add(loop)
                elif isinstance(child, (ast.Return, ast.Yield)):
                    marked = self._left_early if isinstance(child, ast.Return) else self._yielding
                    outer: ast.AST | None = loop
                    while outer is not None and outer not in marked:
                        marked.add(outer)
                        outer = enclosing.get(outer)
            self._children = table
        return self._children

    def _parent(self, node: ast.AST) -> ast.AST | None:
        if not self._parents_made:
            self._parents_made = True
            for _, queued, parent, _ in self.ctx.queue:
                if isinstance(queued, (*_COMPREHENSIONS, ast.Call)):
                    self._parents[queued] = parent
                if isinstance(queued, _COMPREHENSIONS):
                    for generator in queued.generators:
                        self._generator_owner[generator] = queued
        return self._parents.get(node)

    def children(self, node: ast.AST) -> list[ast.AST]:
        """Loops and consumer calls directly nested in a loop (same function)."""
        return self._index().get(node, [])

    def iterations(self, node: ast.AST) -> int | None:
        """How often the loop (or consumer call) iterates; None when unknown or when it may stop early."""
        if node in self._iterations:
            return self._iterations[node]
        self._index()
        scope = self.ctx.scope_of(node)
        module = self.ctx.module
        count: int | None = None
        if scope is not None and node not in self._left_early:
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
        """Known generator counts multiply; an unknown one (``for x in data``) counts as at least once."""
        module = self.ctx.module
        inner = module.scopes.get(node, scope)
        total: int | None = None
        for index, gen in enumerate(node.generators):
            count = iteration_count(gen.iter, scope if index == 0 else inner, module)
            if count is not None:
                total = min(CAP, (1 if total is None else total) * count)
        return total

    def consumer_count(self, call: ast.Call, scope: Scope) -> int | None:
        """Items a consumer call such as ``sum(range(N))`` iterates over, when it is one."""
        args = call.args
        if not args or len(args) > 2 or (len(args) == 2 and not isinstance(call.func, ast.Name)):
            return None
        if isinstance(args[0], (*_COMPREHENSIONS, ast.Starred)):
            return None  # a comprehension argument is a loop of its own
        func = self.ctx.module.qualname(call.func, scope)
        if func not in _CONSUMERS or (len(args) == 2 and func != "builtins.sum"):
            return None  # sum(iterable, start) is the one two-argument form
        return iteration_count(args[0], scope, self.ctx.module)

    def consumed(self, node: ast.AST) -> bool:
        """Whether a generator expression runs where it stands (a consumer's argument, a loop's iterable).

        A generator expression stored, returned or handed to an unknown call runs later, possibly in a
        thread (``await asyncio.to_thread(sum, gen)``): not counted here.
        """
        if not isinstance(node, ast.GeneratorExp):
            return True
        parent = self._parent(node)
        if isinstance(parent, (ast.For, ast.comprehension)):
            return parent.iter is node
        if isinstance(parent, ast.Starred):
            return True  # unpacked into a call or a display right away
        if isinstance(parent, ast.Call) and node in parent.args:
            func = parent.func
            if isinstance(func, ast.Attribute) and func.attr == "join" and isinstance(func.value, ast.Constant):
                return isinstance(func.value.value, (str, bytes))
            scope = self.ctx.scope_of(node)
            return scope is not None and self.ctx.module.qualname(func, scope) in _CONSUMERS
        return False

    def iterated_by(self, node: ast.AST) -> ast.AST | None:
        """The loop or comprehension whose iterable ``node`` (a call or comprehension) is, if any."""
        parent = self._parent(node)
        if isinstance(parent, ast.For) and parent.iter is node:
            return parent
        if isinstance(parent, ast.comprehension) and parent.iter is node:
            return self._generator_owner.get(parent)
        return None

    def _counts_inside(self, child: ast.AST) -> bool:
        if isinstance(child, ast.Call):
            # a consumer call in a later `for` clause is already part of its comprehension's count
            return self.iterations(child) is not None and not isinstance(self._parent(child), ast.comprehension)
        return self.consumed(child)

    def nested(self, node: ast.AST) -> int:
        """Work done per iteration by the loops and consumer calls inside (at least 1)."""
        return min(CAP, max(1, sum(self.total(c) for c in self.children(node) if self._counts_inside(c))))

    def total(self, node: ast.AST) -> int:
        """Estimated work: own iterations (1 when unknown) times the work nested inside (at least 1)."""
        cached = self._totals.get(node)
        if cached is not None:
            return cached
        self._totals[node] = 1  # guards against cycles in malformed tables
        own = self.iterations(node)
        result = min(CAP, (own if own is not None else 1) * self.nested(node))
        self._totals[node] = result
        return result

    def is_heavy(self, node: ast.AST, threshold: int) -> bool:
        self._index()
        return (
            node not in self.ctx.awaiting_loops
            and node not in self._yielding
            and self.iterations(node) is not None
            and self.consumed(node)
            and self.total(node) >= threshold
        )


class CpuHeavyLoop(Rule):
    code = "APF301"
    name = "cpu-heavy-loop"
    summary = "a loop or comprehension with no `await` whose estimated work reaches `--apf-cpu-threshold`"
    message = (
        "{construct} runs about {iterations} iterations{nested} with no await, blocking the event loop in "
        "{where}; move it into a plain def and 'await asyncio.to_thread(fn)', or run it in a "
        "ProcessPoolExecutor to use another core"
    )
    what = (
        "Reports a `for`/`while` loop, comprehension or generator expression in an `async def` that contains "
        "no `await`, `async for` or `async with` and whose estimated work reaches `--apf-cpu-threshold` "
        "iterations (default 1,000,000). The estimate is static: constant `range()` bounds (literals, "
        "arithmetic, module- and class-level constants such as `ROWS`, `W * H`, `Config.SIZE` or "
        "`self.SIZE`, names of the function bound once), `while i < N` counters stepped by a constant, "
        "literal sequences, and `zip`/`map`/`enumerate`/`sorted`/`itertools.product`/`permutations`/"
        "`combinations`/`chain`/`repeat` over those. Nested loops multiply; "
        "`sum`/`min`/`max`/`sorted`/`list`/`any`/`all` (and the like) over such ranges count as loops, "
        "`any`/`all` at their full length. Only the outermost of nested heavy loops is reported.\n\n"
        "Not reported: loops over data of unknown size, bounds that are parameters or reassigned names, "
        "`while True`, loops that await anywhere in their body (even conditionally, such as "
        "`await asyncio.sleep(0)` every N items), `async for`, loops of an async generator that `yield`, "
        "generator expressions that are stored or handed on rather than consumed in place, and code in a "
        "plain `def` or `lambda`. A loop that a `break` or `return` can leave early is not reported "
        "either: its constant bound is then only a cap (a search, or a retry limit such as "
        "`for _ in range(10**6): ... break`), and how far it really runs depends on data. A `raise` does "
        "not count as leaving early, since it is the error path of a loop that normally runs to the end."
    )
    why = (
        "asyncio gives concurrency, not parallelism: one thread runs every task and switches only at "
        "`await`. A long computation with no `await` keeps the thread, so every other task, timer and "
        "connection waits until it ends. Pure-Python CPU work is also bound by the GIL: a thread keeps the "
        "loop responsive, but only a process pool makes the work itself run in parallel."
    )
    fix = (
        "Move the loop into a plain function and run it with `await asyncio.to_thread(fn)` (the loop stays "
        "responsive: the GIL is handed back to the event loop's thread every few milliseconds) or "
        "`await loop.run_in_executor(ProcessPoolExecutor(), fn)` (real parallelism for pure-Python CPU "
        "work). If it must stay in the coroutine, `await asyncio.sleep(0)` every few thousand iterations "
        "lets the other tasks run in between."
    )
    options = ("--apf-cpu-threshold",)
    probe = "stall"

    def hooks(self) -> Mapping[type[ast.AST], Hook]:
        hooks: dict[type[ast.AST], Hook] = {t: self.check_loop for t in _LOOPS}
        hooks[ast.Call] = self.check_call
        # recorded with their enclosing loop by the walk: early exits, and yields of async generators
        for node_type in (*_EXITS, ast.Yield):
            hooks[node_type] = _ignore
        return hooks

    def _estimator(self, ctx: FileContext) -> _Estimator:
        estimator = ctx.rule_state.get(self.code)
        if estimator is None:
            estimator = ctx.rule_state[self.code] = _Estimator(ctx)
        assert isinstance(estimator, _Estimator)
        return estimator

    @async_context_only
    @method_names(_CONSUMER_NAMES)
    def check_call(self, ctx: FileContext, node: ast.AST, parent: ast.AST | None, scope: Scope) -> None:
        # consumer calls are counted in the loop totals, and reported themselves when heavy
        assert isinstance(node, ast.Call)
        if not scope.is_async or not node.args or isinstance(node.args[0], _COMPREHENSIONS):
            return
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr not in _CONSUMER_NAMES:
            return  # cheap filter first: a method's name is the name it is known by
        if not isinstance(func, (ast.Name, ast.Attribute)) or ctx.module.qualname(func, scope) not in _CONSUMERS:
            return  # only consumer calls (the estimator would say so too, at more cost)
        if self._estimator(ctx).iterations(node) is None:
            return
        self._maybe_report(ctx, node, scope, source_of(node, 50))

    @async_context_only
    def check_loop(self, ctx: FileContext, node: ast.AST, parent: ast.AST | None, scope: Scope) -> None:
        if scope.is_async:
            self._maybe_report(ctx, node, scope, _LOOP_NAMES[type(node)])

    def _maybe_report(self, ctx: FileContext, node: ast.AST, scope: Scope, construct: str) -> None:
        estimator = self._estimator(ctx)
        threshold = ctx.settings.cpu_threshold
        if not estimator.is_heavy(node, threshold):
            return
        owner = estimator.iterated_by(node)
        if owner is not None and estimator.is_heavy(owner, threshold):
            return  # `for x in sorted(range(N))`: the loop over it is reported (or covered) instead
        outer = ctx.enclosing_loop.get(node)
        while outer is not None:
            if estimator.is_heavy(outer, threshold):
                return  # the enclosing loop is reported and covers this one
            outer = ctx.enclosing_loop.get(outer)
        total = estimator.total(node)
        count = estimator.iterations(node) or 0
        nested = f" ({count:,} x {estimator.nested(node):,} nested)" if total != count else ""
        ctx.report(self, node, construct=construct, iterations=f"{total:,}", nested=nested,
                   where=scope.describe())


@async_context_only
def _ignore(ctx: FileContext, node: ast.AST, parent: ast.AST | None, scope: Scope) -> None:
    """Hooked only so that the walk records the node's enclosing loop."""
