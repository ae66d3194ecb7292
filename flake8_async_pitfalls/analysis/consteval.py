"""Static estimates of numbers: constant expressions, constant names, and how often a loop iterates.

Everything answers None when unsure; sizes of data that is not constant are never guessed.
"""

from __future__ import annotations

import ast
import math

from .resolve import ModuleInfo
from .scopes import BindingKind, Scope

CAP = 10**18  # estimates are clamped here; beyond it the exact figure does not matter
_MAX_DEPTH = 10

Number = int | float


def _clamp(value: Number) -> Number:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return CAP if value > 0 else -CAP
    return max(-CAP, min(CAP, value))


def const_value(expr: ast.expr, scope: Scope, module: ModuleInfo, depth: int = 0) -> Number | None:
    """The numeric value of ``expr`` when it is a constant expression, or a name bound once to one."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(expr, ast.Constant):
        value = expr.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        return _clamp(value)
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, (ast.USub, ast.UAdd)):
        operand = const_value(expr.operand, scope, module, depth + 1)
        if operand is None:
            return None
        return -operand if isinstance(expr.op, ast.USub) else operand
    if isinstance(expr, ast.BinOp):
        left = const_value(expr.left, scope, module, depth + 1)
        right = const_value(expr.right, scope, module, depth + 1)
        if left is None or right is None:
            return None
        return _binop(expr.op, left, right)
    if isinstance(expr, ast.Name):
        return _name_value(expr.id, scope, module, depth)
    if isinstance(expr, ast.Attribute):
        return _attribute_value(expr, scope, module, depth)
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and len(expr.args) == 1 and not expr.keywords:
        if module.qualname(expr.func, scope) == "builtins.int":
            value = const_value(expr.args[0], scope, module, depth + 1)
            return int(value) if value is not None else None
    return None


def _binop(op: ast.operator, left: Number, right: Number) -> Number | None:
    try:
        if isinstance(op, ast.Add):
            return _clamp(left + right)
        if isinstance(op, ast.Sub):
            return _clamp(left - right)
        if isinstance(op, ast.Mult):
            return _clamp(left * right)
        if isinstance(op, ast.FloorDiv):
            return _clamp(left // right) if right else None
        if isinstance(op, ast.Div):
            return _clamp(left / right) if right else None
        if isinstance(op, ast.Mod):
            return _clamp(left % right) if right else None
        if isinstance(op, ast.Pow):
            if abs(left) > 1 and right > 64:
                return CAP
            if right < 0 and left == 0:
                return None
            return _clamp(left**right) if not isinstance(left**right, complex) else None
        if isinstance(op, ast.LShift) and isinstance(left, int) and isinstance(right, int):
            return CAP if right > 62 or right < 0 else _clamp(left << right)
    except (OverflowError, ZeroDivisionError, ValueError):
        return None
    return None


def _name_value(name: str, scope: Scope, module: ModuleInfo, depth: int) -> Number | None:
    found = scope.lookup(name)
    if found is None:
        return None
    owner, bindings = found
    if len(bindings) != 1:
        return None  # reassigned or augmented somewhere: not a constant
    binding = bindings[0]
    if binding.kind is not BindingKind.ASSIGN or binding.value is None or binding.unpack_index is not None:
        return None
    return const_value(binding.value, owner, module, depth + 1)


def _attribute_value(expr: ast.Attribute, scope: Scope, module: ModuleInfo, depth: int) -> Number | None:
    """``Config.ROWS`` or ``self.ROWS``: a class-level constant of a class of this file."""
    klass = module.resolve(expr.value, scope)
    if klass is None or not isinstance(klass.node, ast.ClassDef):
        klass = module.infer_type(expr.value, scope)
    if klass is None or not isinstance(klass.node, ast.ClassDef):
        return None
    class_scope = module.scopes[klass.node]
    if expr.attr in class_scope.instance_attrs:
        return None  # shadowed per instance
    bindings = class_scope.bindings.get(expr.attr)
    if not bindings or len(bindings) != 1:
        return None
    binding = bindings[0]
    if binding.kind is not BindingKind.ASSIGN or binding.value is None:
        return None
    return const_value(binding.value, class_scope, module, depth + 1)


def _count(value: Number | None) -> int | None:
    if value is None:
        return None
    return max(0, min(CAP, int(value)))


def iteration_count(iterable: ast.expr, scope: Scope, module: ModuleInfo, depth: int = 0) -> int | None:
    """How many items iterating over ``iterable`` yields, when that is known statically."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(iterable, (ast.Constant)) and isinstance(iterable.value, (str, bytes)):
        return len(iterable.value)
    if isinstance(iterable, (ast.List, ast.Tuple, ast.Set)):
        if any(isinstance(e, ast.Starred) for e in iterable.elts):
            return None
        return len(iterable.elts)
    if not isinstance(iterable, ast.Call) or any(isinstance(a, ast.Starred) for a in iterable.args):
        return None
    func = module.qualname(iterable.func, scope)
    args = iterable.args
    if func == "builtins.range" and 1 <= len(args) <= 3 and not iterable.keywords:
        values = [const_value(a, scope, module, depth + 1) for a in args]
        if any(v is None for v in values):
            return None
        numbers = [int(v) for v in values if v is not None]
        start, stop, step = (0, numbers[0], 1) if len(numbers) == 1 else (numbers[0], numbers[1], 1)
        if len(numbers) == 3:
            step = numbers[2]
        if step == 0:
            return None
        return _count(math.ceil((stop - start) / step))
    if func in ("builtins.reversed", "builtins.enumerate", "builtins.iter", "builtins.list", "builtins.tuple",
                "builtins.sorted", "builtins.set") and args:
        return iteration_count(args[0], scope, module, depth + 1)
    if func == "builtins.zip" and args:
        counts = [iteration_count(a, scope, module, depth + 1) for a in args]
        return None if any(c is None for c in counts) else min(c for c in counts if c is not None)
    if func == "itertools.product" and args:
        counts = [iteration_count(a, scope, module, depth + 1) for a in args]
        if any(c is None for c in counts):
            return None
        total = 1
        for c in counts:
            total = min(CAP, total * (c or 0))
        repeat = next((k.value for k in iterable.keywords if k.arg == "repeat"), None)
        if repeat is not None:
            times = _count(const_value(repeat, scope, module, depth + 1))
            if times is None:
                return None
            total = min(CAP, total ** max(times, 0)) if times < 64 else CAP
        return total
    if func == "itertools.repeat" and len(args) == 2:
        return _count(const_value(args[1], scope, module, depth + 1))
    return None


def while_count(node: ast.While, scope: Scope, module: ModuleInfo) -> int | None:
    """Iterations of ``while i < N: ... i += step`` (or a counting-down form) with a constant start.

    The counter must be stepped by a constant at the top level of the body (not under an ``if``) and
    bound once to a constant before the loop.
    """
    test = node.test
    if not isinstance(test, ast.Compare) or len(test.ops) != 1:
        return None
    op, left, right = test.ops[0], test.left, test.comparators[0]
    if isinstance(right, ast.Name) and not isinstance(left, ast.Name):
        left, right = right, left
        op = {ast.Lt: ast.Gt(), ast.LtE: ast.GtE(), ast.Gt: ast.Lt(), ast.GtE: ast.LtE()}.get(type(op), op)
    if not isinstance(left, ast.Name):
        return None
    counter = left.id
    bound = const_value(right, scope, module)
    if bound is None:
        return None
    steps = [
        stmt for stmt in node.body
        if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name) and stmt.target.id == counter
    ]
    if len(steps) != 1 or not isinstance(steps[0].op, (ast.Add, ast.Sub)):
        return None
    step = const_value(steps[0].value, scope, module)
    if step is None or step == 0:
        return None
    if isinstance(steps[0].op, ast.Sub):
        step = -step
    found = scope.lookup(counter)
    if found is None:
        return None
    owner, bindings = found
    starts = [b for b in bindings if b.kind is not BindingKind.AUG_ASSIGN]
    if len(starts) != 1 or starts[0].kind is not BindingKind.ASSIGN or starts[0].value is None:
        return None
    start = const_value(starts[0].value, owner, module)
    if start is None:
        return None
    inclusive = isinstance(op, (ast.LtE, ast.GtE))
    if isinstance(op, (ast.Lt, ast.LtE)) and step > 0:
        distance = bound - start + (1 if inclusive else 0)
    elif isinstance(op, (ast.Gt, ast.GtE)) and step < 0:
        distance = start - bound + (1 if inclusive else 0)
        step = -step
    else:
        return None
    return _count(math.ceil(distance / step))
