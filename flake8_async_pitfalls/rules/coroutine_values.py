"""1xx: coroutine objects that are made but never run: tested for truth (APF102), or kept in a local
that nothing ever awaits or passes on (APF103).

Both ask ``ctx.coroutines.coroutine_call`` whether a call makes a coroutine: that lookup is the single
source of truth, and an unknown call is not a coroutine (silence rather than a guess).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from ..analysis.scopes import Scope, ScopeKind
from .base import Rule, method_names, source_of

if TYPE_CHECKING:
    from ..checker import FileContext
    from .base import Hook

# calls whose (single) argument is tested for truth
_TRUTH_FUNCTIONS = frozenset({"builtins.bool", "operator.truth", "operator.not_"})
_TRUTH_FUNCTION_NAMES = frozenset(name.rsplit(".", 1)[1] for name in _TRUTH_FUNCTIONS)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, *_COMPREHENSIONS)
# builtins that read a function's locals by name: a variable may be used without appearing as a Name
_DYNAMIC_ACCESS = frozenset({"locals", "vars", "eval", "exec"})


def _truth_tested_calls(expr: ast.expr) -> Iterator[ast.Call]:
    """The calls whose value is tested for truth when ``expr`` is: through ``not``, ``and``/``or``, ``:=``."""
    pending = [expr]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Call):
            yield node
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            pending.append(node.operand)
        elif isinstance(node, ast.BoolOp):
            pending.extend(reversed(node.values))
        elif isinstance(node, ast.NamedExpr):
            pending.append(node.value)


def _await_fix(text: str, scope: Scope) -> str:
    if scope.is_async:
        return f"use 'await {text}'"
    return f"'await' it in an async def, or run it with 'asyncio.run({text})' at the program's entry point"


class CoroutineInBooleanContext(Rule):
    code = "APF102"
    name = "coroutine-in-boolean-context"
    summary = "a coroutine call used as a truth value (`if`, `while`, `assert`, `not`, `and`/`or`, `bool()`)"
    message = "coroutine {call} is used as a truth value in {where}: it is always true and never runs; {fix}"
    what = (
        "Reports a call of a coroutine function whose result is tested for truth: the test of an `if`, "
        "`elif`, `while`, `assert` or conditional expression, the operand of `not`, an operand of `and`/`or` "
        "that is tested (every operand but the last, and the last one too when the whole expression is "
        "a test), the argument of `bool()`, and the `if` filters of comprehensions. Coroutine functions are "
        "recognised as for APF101 (unawaited-coroutine)."
    )
    why = (
        "Calling a coroutine function does not run it: it returns a coroutine object, and any object is "
        "true. So `if await_me():` always takes the first branch, `while not stopped():` never loops, "
        "`assert is_ready()` never fails, and the coroutine itself never runs: Python only prints "
        "`RuntimeWarning: coroutine '...' was never awaited` when it is garbage-collected. The check the "
        "code meant to make is silently skipped."
    )
    fix = (
        "`await` the call so the test sees its result: `if await is_ready():`. In a plain `def`, make the "
        "function `async def` (and await it at its call sites) or run the coroutine with `asyncio.run()` at "
        "the program's entry point. The fix is unsafe: the awaited call now runs, with its side effects, "
        "and the branch taken may change."
    )
    options = ("--apf-coroutine-functions",)
    probe = "never-awaited"

    def hooks(self) -> Mapping[type[ast.AST], Hook]:
        return {
            ast.If: self.check_test,
            ast.While: self.check_test,
            ast.Assert: self.check_test,
            ast.IfExp: self.check_test,
            ast.UnaryOp: self.check_not,
            ast.BoolOp: self.check_bool_op,
            ast.Call: self.check_truth_call,
            ast.ListComp: self.check_comprehension,
            ast.SetComp: self.check_comprehension,
            ast.DictComp: self.check_comprehension,
            ast.GeneratorExp: self.check_comprehension,
        }

    def check_test(self, ctx: FileContext, node: ast.AST, parent: ast.AST | None, scope: Scope) -> None:
        assert isinstance(node, (ast.If, ast.While, ast.Assert, ast.IfExp))
        self._report_tested(ctx, node.test, scope)

    def check_not(self, ctx: FileContext, node: ast.AST, parent: ast.AST | None, scope: Scope) -> None:
        assert isinstance(node, ast.UnaryOp)
        if isinstance(node.op, ast.Not):
            self._report_tested(ctx, node.operand, scope)

    def check_bool_op(self, ctx: FileContext, node: ast.AST, parent: ast.AST | None, scope: Scope) -> None:
        # the last operand is the value of the expression when reached, not tested: `x = ready and send()`
        # hands the coroutine on. It is tested only when the whole expression is, which the hook of the
        # enclosing test finds.
        assert isinstance(node, ast.BoolOp)
        for value in node.values[:-1]:
            self._report_tested(ctx, value, scope)

    @method_names(_TRUTH_FUNCTION_NAMES)
    def check_truth_call(self, ctx: FileContext, node: ast.AST, parent: ast.AST | None, scope: Scope) -> None:
        assert isinstance(node, ast.Call)
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if name not in _TRUTH_FUNCTION_NAMES or len(node.args) != 1 or node.keywords:
            return
        if isinstance(node.args[0], ast.Starred) or ctx.module.qualname(func, scope) not in _TRUTH_FUNCTIONS:
            return
        self._report_tested(ctx, node.args[0], scope)

    def check_comprehension(self, ctx: FileContext, node: ast.AST, parent: ast.AST | None, scope: Scope) -> None:
        assert isinstance(node, _COMPREHENSIONS)
        inner = ctx.module.scopes.get(node, scope)
        for generator in node.generators:
            for condition in generator.ifs:
                self._report_tested(ctx, condition, inner)

    def _report_tested(self, ctx: FileContext, expr: ast.expr, scope: Scope) -> None:
        # a call inside `if not (a() or b()):` is reached from the `if`, the `not` and the `or`: report it once
        reported: set[ast.Call] = ctx.rule_state.setdefault(self.code, set())
        for call in _truth_tested_calls(expr):
            if call in reported or ctx.coroutines.coroutine_call(call, scope) is None:
                continue
            reported.add(call)
            text = source_of(call)
            ctx.report(self, call, call=text, where=scope.describe(), fix=_await_fix(text, scope))


class _LocalUses:
    """Which local names of one function are used in a way that may consume a coroutine they hold.

    Flow-insensitive on purpose: one use anywhere in the function (before or after, in any branch, in a
    nested function, lambda, class or comprehension) counts for every assignment of the name.
    """

    __slots__ = ("used", "dynamic")

    def __init__(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.used: set[str] = set()
        self.dynamic = False  # the function reads its locals by name (locals(), vars(), eval, exec)
        self._scan(function)

    def _scan(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        used = self.used
        harmless: set[ast.Name] = set()  # names only tested for truth or compared
        # (node, inside a nested scope)
        pending: list[tuple[ast.AST, bool]] = [(stmt, False) for stmt in function.body]
        while pending:
            node, nested = pending.pop()
            if isinstance(node, ast.Name):
                if node.id in _DYNAMIC_ACCESS and isinstance(node.ctx, ast.Load):
                    self.dynamic = True
                if nested or (isinstance(node.ctx, ast.Load) and node not in harmless):
                    used.add(node.id)
                continue
            if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                used.add(node.target.id)  # `x += ...` reads x
            if not nested:
                _mark_harmless(node, harmless)
            inner = nested or isinstance(node, _NESTED_SCOPES)
            pending.extend((child, inner) for child in ast.iter_child_nodes(node))


def _mark_harmless(node: ast.AST, harmless: set[ast.Name]) -> None:
    """Names whose value is only tested for truth or compared here: that neither runs nor keeps a coroutine."""
    if isinstance(node, (ast.If, ast.While, ast.Assert, ast.IfExp)):
        _mark_tested(node.test, harmless)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        _mark_tested(node.operand, harmless)
    elif isinstance(node, ast.Compare) and not any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops):
        # `x in box` hands x to box.__contains__, which might keep it: not harmless
        for operand in (node.left, *node.comparators):
            if isinstance(operand, ast.Name):
                harmless.add(operand)


def _mark_tested(expr: ast.expr, harmless: set[ast.Name]) -> None:
    pending = [expr]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Name):
            harmless.add(node)
        elif isinstance(node, ast.BoolOp):
            pending.extend(node.values)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            pending.append(node.operand)


class CoroutineNeverAwaited(Rule):
    code = "APF103"
    name = "coroutine-never-awaited"
    summary = "a coroutine assigned to a local variable that is never awaited, returned or passed on"
    message = (
        "coroutine {call} is assigned to '{name}' in {where} but never awaited or passed on, so it never runs; {fix}"
    )
    what = (
        "Reports `name = coroutine_function(...)` in a function when the local `name` is never used "
        "afterwards in a way that could run the coroutine: it is not awaited, returned, yielded, passed "
        "to any call, stored in a container or an attribute, used in `async with`/`async for`, or read by "
        "a nested function or lambda. Reading it only in a truth test (`if name:`) or a comparison "
        "(`name is None`) does not count, since neither runs it. The check is deliberately conservative: "
        "one such use anywhere in the function, in any branch, silences every assignment of the name; "
        "module and class level variables, `global`/`nonlocal` names and functions that read their locals "
        "through `locals()`, `vars()`, `eval` or `exec` are not checked."
    )
    why = (
        "Calling a coroutine function only creates a coroutine object; nothing runs until it is awaited or "
        "wrapped in a task. Keeping it in a variable looks like the call happened, but when the function "
        "returns, the coroutine is garbage-collected unrun, Python prints `RuntimeWarning: coroutine '...' "
        "was never awaited`, and the work is silently lost. Usually an `await` was forgotten, or the "
        "variable was meant for a `gather()` that was never written."
    )
    fix = (
        "Await the coroutine where its result is needed (`result = await fetch(url)`), or hand it to "
        "something that runs it: `asyncio.gather(...)`, `asyncio.create_task(...)` (keeping the task), "
        "a `TaskGroup`. If the call is not needed, remove it. There is no automatic fix: where the "
        "coroutine should run is a decision about the program's order of work."
    )
    options = ("--apf-coroutine-functions",)
    probe = "never-awaited"

    def hooks(self) -> Mapping[type[ast.AST], Hook]:
        return {ast.Assign: self.check_assignment, ast.AnnAssign: self.check_assignment}

    def check_assignment(self, ctx: FileContext, node: ast.AST, parent: ast.AST | None, scope: Scope) -> None:
        assert isinstance(node, (ast.Assign, ast.AnnAssign))
        if isinstance(node, ast.Assign):
            if len(node.targets) != 1:
                return
            target = node.targets[0]
        else:
            target = node.target
        call = node.value
        if not isinstance(target, ast.Name) or not isinstance(call, ast.Call):
            return
        function = scope.function
        if function is not scope or function.kind not in (ScopeKind.FUNCTION, ScopeKind.ASYNC_FUNCTION):
            return  # module and class variables may be read from anywhere
        name = target.id
        if name in scope.global_names or name in scope.nonlocal_names:
            return
        if ctx.coroutines.coroutine_call(call, scope) is None:
            return
        uses = self._uses(ctx, function)
        if uses is None or uses.dynamic or name in uses.used:
            return
        where = scope.describe()
        if scope.is_async:
            fix = f"use 'await {name}', hand it to asyncio.gather() or a task, or remove the call"
        else:
            fix = "run it from async code ('await', a task) or with 'asyncio.run()', or remove the call"
        ctx.report(self, call, call=source_of(call), name=name, where=where, fix=fix)

    def _uses(self, ctx: FileContext, function: Scope) -> _LocalUses | None:
        memo: dict[ast.AST, _LocalUses] = ctx.rule_state.setdefault(self.code, {})
        node = function.node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        uses = memo.get(node)
        if uses is None:
            uses = memo[node] = _LocalUses(node)
        return uses
