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
            if right < 0 and left == 0:
                return None
            if abs(left) > 1 and right > 64:
                # too big to compute cheaply: only the sign matters (odd integer powers keep it)
                negative = left < 0 and isinstance(right, int) and right % 2 == 1
                return -CAP if negative else CAP
            result = left**right
            return None if isinstance(result, complex) else _clamp(result)
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


def _int_args(args: list[ast.expr], scope: Scope, module: ModuleInfo, depth: int) -> list[int] | None:
    """The values of arguments that must be integers (``range``, ``islice``): None if any is not."""
    values: list[int] = []
    for arg in args:
        value = const_value(arg, scope, module, depth + 1)
        if not isinstance(value, int):
            return None  # unknown, or a float: range(1e7) raises TypeError instead of looping
        values.append(value)
    return values


def range_length(start: int, stop: int, step: int) -> int:
    """``len(range(start, stop, step))`` in exact integer arithmetic (``len()`` itself overflows past
    ``sys.maxsize``); 0 for empty or backwards ranges."""
    span, stride = (stop - start, step) if step > 0 else (start - stop, -step)
    return max(0, min(CAP, -(-span // stride)))


def _product(counts: list[int]) -> int:
    total = 1
    for count in counts:
        total = min(CAP, total * count)
    return total


# lazy builtins that yield as many items as their (shortest) iterable: the work is one call per item
_SAME_LENGTH = frozenset({
    "builtins.reversed", "builtins.enumerate", "builtins.iter", "builtins.list", "builtins.tuple",
    "builtins.sorted", "builtins.set", "builtins.frozenset", "builtins.filter",
})


def iteration_count(iterable: ast.expr, scope: Scope, module: ModuleInfo, depth: int = 0) -> int | None:
    """How many items iterating over ``iterable`` yields, when that is known statically."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(iterable, ast.Constant) and isinstance(iterable.value, (str, bytes)):
        return len(iterable.value)
    if isinstance(iterable, (ast.List, ast.Tuple, ast.Set)):
        if any(isinstance(e, ast.Starred) for e in iterable.elts):
            return None
        return len(iterable.elts)
    if not isinstance(iterable, ast.Call) or any(isinstance(a, ast.Starred) for a in iterable.args):
        return None
    func = module.qualname(iterable.func, scope)
    args = iterable.args
    if func is None or not args:
        return None
    if func == "builtins.range":
        numbers = _int_args(args, scope, module, depth) if len(args) <= 3 and not iterable.keywords else None
        if numbers is None:
            return None
        start, stop, step = (0, numbers[0], 1) if len(numbers) == 1 else (numbers[0], numbers[1], 1)
        if len(numbers) == 3:
            step = numbers[2]
        return range_length(start, stop, step) if step else None  # range(a, b, 0) raises ValueError
    if func in _SAME_LENGTH:
        if func == "builtins.iter" and len(args) != 1:
            return None  # iter(callable, sentinel): as long as the callable says
        if func == "builtins.filter":
            return iteration_count(args[1], scope, module, depth + 1) if len(args) == 2 else None
        return iteration_count(args[0], scope, module, depth + 1)
    if func == "builtins.map":
        args = args[1:]  # map(function, *iterables)
        if not args:
            return None
    counts = [iteration_count(a, scope, module, depth + 1) for a in args]
    known = [c for c in counts if c is not None]
    if func in ("builtins.zip", "builtins.map"):
        # the shortest iterable ends it: every one must be known (an unknown one may be empty)
        return min(known) if len(known) == len(args) else None
    if func == "itertools.chain":
        return min(CAP, sum(known)) if len(known) == len(args) else None
    if func == "itertools.product":
        if len(known) != len(args):
            return None
        total = _product(known)
        repeat = next((k.value for k in iterable.keywords if k.arg == "repeat"), None)
        if repeat is not None:
            times = _count(const_value(repeat, scope, module, depth + 1))
            if times is None:
                return None
            total = _product([total] * min(times, 64))
        return total
    if func in ("itertools.permutations", "itertools.combinations", "itertools.combinations_with_replacement"):
        return _choose(func, iterable, counts[0], scope, module, depth)
    if func == "itertools.repeat" and len(args) == 2:
        return _count(const_value(args[1], scope, module, depth + 1))
    return None


def _choose(func: str, call: ast.Call, size: int | None, scope: Scope, module: ModuleInfo,
            depth: int) -> int | None:
    """How many tuples ``permutations``/``combinations[_with_replacement](iterable, r)`` yields."""
    if size is None:
        return None
    r_expr = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "r"), None)
    if r_expr is None:
        if func != "itertools.permutations":
            return None  # r is required
        r = size
    else:
        value = const_value(r_expr, scope, module, depth + 1)
        if not isinstance(value, int) or value < 0:
            return None
        r = value
    if func == "itertools.permutations":
        if r > size:
            return 0
        return CAP if r > 20 else min(CAP, math.perm(size, r))  # 21! alone is past CAP
    n = size if func == "itertools.combinations" else size + r - 1
    if r > n:
        return 1 if r == 0 else 0
    # C(n, k) == C(n, n - k); with the smaller side above 64, C(n, k) >= C(130, 65) is past CAP
    return CAP if min(r, n - r) > 64 else min(CAP, math.comb(n, r))


def _counter_step(stmt: ast.stmt, counter: str, scope: Scope, module: ModuleInfo) -> Number | None:
    """The signed constant step of ``i += c`` / ``i -= c`` / ``i = i + c`` / ``i = i - c``, else None."""
    target: ast.expr
    op: ast.operator
    amount: ast.expr
    if isinstance(stmt, ast.AugAssign):
        target, op, amount = stmt.target, stmt.op, stmt.value
    elif (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.value, ast.BinOp)
          and isinstance(stmt.value.left, ast.Name) and stmt.value.left.id == counter):
        target, op, amount = stmt.targets[0], stmt.value.op, stmt.value.right
    else:
        return None
    if not isinstance(target, ast.Name) or target.id != counter or not isinstance(op, (ast.Add, ast.Sub)):
        return None
    step = const_value(amount, scope, module)
    if step is None or step == 0:
        return None
    return -step if isinstance(op, ast.Sub) else step


_FLIPPED: dict[type[ast.cmpop], type[ast.cmpop]] = {ast.Lt: ast.Gt, ast.LtE: ast.GtE, ast.Gt: ast.Lt, ast.GtE: ast.LtE}


def while_count(node: ast.While, scope: Scope, module: ModuleInfo) -> int | None:
    """Iterations of ``while i < N: ... i += step`` (or a counting-down form) with a constant start.

    The counter must be stepped by exactly one constant step at the top level of the body (not under an
    ``if``), be changed nowhere else in the function, and be bound once to a constant before the loop.
    """
    test = node.test
    if not isinstance(test, ast.Compare) or len(test.ops) != 1 or type(test.ops[0]) not in _FLIPPED:
        return None
    op: type[ast.cmpop] = type(test.ops[0])
    sides = [(test.left, test.comparators[0], op), (test.comparators[0], test.left, _FLIPPED[op])]
    for counter_expr, bound_expr, relation in sides:
        if isinstance(counter_expr, ast.Name):
            count = _counter_loop(node, counter_expr.id, bound_expr, relation, scope, module)
            if count is not None:
                return count
    return None


def _counter_loop(node: ast.While, counter: str, bound_expr: ast.expr, relation: type[ast.cmpop],
                  scope: Scope, module: ModuleInfo) -> int | None:
    bound = const_value(bound_expr, scope, module)
    if bound is None:
        return None
    steps = [(stmt, step) for stmt in node.body
             if (step := _counter_step(stmt, counter, scope, module)) is not None]
    if len(steps) != 1:
        return None
    step_node, step = steps[0]
    found = scope.lookup(counter)
    if found is None:
        return None
    owner, bindings = found
    others = [b for b in bindings if b.node is not step_node]
    if len(others) != 1 or others[0].kind is not BindingKind.ASSIGN or others[0].value is None:
        return None  # changed elsewhere too (under an if, in another loop, by a for): not a plain counter
    start = const_value(others[0].value, owner, module)
    if start is None:
        return None
    inclusive = relation in (ast.LtE, ast.GtE)
    if relation in (ast.Lt, ast.LtE) and step > 0:
        distance = bound - start
    elif relation in (ast.Gt, ast.GtE) and step < 0:
        distance, step = start - bound, -step
    else:
        return None  # steps away from the bound: endless, or left by other means
    if distance < 0 or (distance == 0 and not inclusive):
        return 0
    if isinstance(distance, int) and isinstance(step, int):
        count = -(-distance // step)
        if inclusive and distance % step == 0:
            count += 1
        return _count(count)
    count_f = math.ceil(distance / step)
    if inclusive and math.isclose(distance / step, round(distance / step)):
        count_f += 1
    return _count(count_f)
