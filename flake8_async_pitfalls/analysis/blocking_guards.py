"""Second looks at table matches: a listed call that, from its arguments or its receiver, does not block.

The blocking-call table says *which* callee blocks; some of them block only in some uses:
``lock.acquire(blocking=False)`` and ``q.get_nowait()``-style arguments return at once, ``q.put(x)`` on an
unbounded queue never waits, ``sock.recv()`` on a socket made non-blocking raises instead of waiting,
``fut.result()`` after ``await asyncio.wrap_future(fut)`` is already done, ``smtplib.SMTP()`` without a host
does not connect, and ``zlib.compress(b"...")`` of a small literal is cheap. ``exempt`` answers these, so every
rule that reads the table (directly or transitively) agrees on them. When in doubt it keeps the finding
only where blocking is the plain reading of the code; receiver facts are read from the enclosing function
(and, for ``self.x``, the class), found by a small walk of that function done once per function.
"""

from __future__ import annotations

import ast
import ipaddress
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from .consteval import const_value
from .scopes import BindingKind, Scope, ScopeKind

if TYPE_CHECKING:
    from ..checker import FileContext

_STATE_KEY = "blocking-guards"

Guard = Callable[["FileContext", ast.Call, Scope, str], bool]


# -- arguments -------------------------------------------------------------------------------------


def _argument(call: ast.Call, position: int | None, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if position is not None and position < len(call.args):
        if any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
            return None
        return call.args[position]
    return None


def _is_false(expr: ast.expr | None) -> bool:
    """A literal False / 0 (``blocking=False``, ``block=0``)."""
    return isinstance(expr, ast.Constant) and not isinstance(expr.value, str) and expr.value in (False, 0)


def _is_zero(ctx: FileContext, expr: ast.expr | None, scope: Scope) -> bool:
    """A timeout that does not wait: a constant ``0`` (or less)."""
    if expr is None:
        return False
    value = const_value(expr, scope, ctx.module)
    return value is not None and value <= 0


def _timeout_zero(position: int | None) -> Guard:
    def guard(ctx: FileContext, call: ast.Call, scope: Scope, key: str) -> bool:
        return _is_zero(ctx, _argument(call, position, "timeout"), scope)
    return guard


def _acquire(ctx: FileContext, call: ast.Call, scope: Scope, key: str) -> bool:
    blocking = _argument(call, 0, "blocking")
    return _is_false(blocking) or _is_zero(ctx, _argument(call, 1, "timeout"), scope)


def _queue_get(ctx: FileContext, call: ast.Call, scope: Scope, key: str) -> bool:
    return _is_false(_argument(call, 0, "block")) or _is_zero(ctx, _argument(call, 1, "timeout"), scope)


def _queue_put(ctx: FileContext, call: ast.Call, scope: Scope, key: str) -> bool:
    if _is_false(_argument(call, 1, "block")) or _is_zero(ctx, _argument(call, 2, "timeout"), scope):
        return True
    # put() waits only on a full bounded queue: report it only when every construction seen gives a maxsize
    func = call.func
    assert isinstance(func, ast.Attribute)
    constructors = _constructor_calls(ctx, func.value, scope)
    if not constructors:
        return True
    for constructor in constructors:
        size = _argument(constructor, 0, "maxsize")
        if size is None:
            return True
        value = const_value(size, scope, ctx.module)
        if value is not None and value <= 0:
            return True
    return False


# -- receivers ---------------------------------------------------------------------------------------


def _constructor_calls(ctx: FileContext, receiver: ast.expr, scope: Scope) -> list[ast.Call] | None:
    """The calls that made the receiver (``q = queue.Queue(5)``, ``self.q = Queue(5)``), when all are seen."""
    values: list[ast.expr] = []
    if isinstance(receiver, ast.Name):
        found = scope.lookup(receiver.id)
        if found is None:
            return None
        for binding in found[1]:
            if binding.kind not in (BindingKind.ASSIGN, BindingKind.WITH) or binding.value is None:
                return None
            if binding.unpack_index is not None:
                return None
            values.append(binding.value)
    elif isinstance(receiver, ast.Attribute) and _is_self(receiver.value, scope):
        klass = scope.function.parent
        if klass is None or klass.kind is not ScopeKind.CLASS:
            return None
        entries = klass.instance_attrs.get(receiver.attr)
        if not entries:
            return None
        values.extend(value for value, _ in entries)
    else:
        return None
    calls = [value for value in values if isinstance(value, ast.Call)]
    return calls if len(calls) == len(values) else None


def _is_self(expr: ast.expr, scope: Scope) -> bool:
    node = scope.function.node
    if not isinstance(expr, ast.Name) or not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    params = [*node.args.posonlyargs, *node.args.args]
    return bool(params) and params[0].arg == expr.id


def _spelling(expr: ast.expr) -> str | None:
    """``sock`` / ``self.sock``: a receiver that can be recognised elsewhere in the function."""
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
        return f"{expr.value.id}.{expr.attr}"
    return None


class _FunctionFacts:
    """What a function's body says about its receivers: parents, and the calls made on each receiver."""

    def __init__(self, root: ast.AST) -> None:
        self.parents: dict[ast.AST, ast.AST] = {}
        # receiver spelling -> the calls with it as receiver (``x.m()``) or as an argument (``f(x)``)
        self.method_calls: dict[str, list[ast.Call]] = {}
        self.argument_of: dict[str, list[ast.Call]] = {}
        for node in ast.walk(root):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute):
                    spelled = _spelling(func.value)
                    if spelled is not None:
                        self.method_calls.setdefault(spelled, []).append(node)
                for arg in [*node.args, *(kw.value for kw in node.keywords)]:
                    for item in arg.elts if isinstance(arg, (ast.List, ast.Tuple, ast.Set)) else [arg]:
                        spelled = _spelling(item)
                        if spelled is not None:
                            self.argument_of.setdefault(spelled, []).append(node)

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        current = self.parents.get(node)
        while current is not None:
            yield current
            current = self.parents.get(current)


def _facts(ctx: FileContext, root: ast.AST) -> _FunctionFacts:
    memo: dict[ast.AST, _FunctionFacts] = ctx.rule_state.setdefault(_STATE_KEY, {})
    found = memo.get(root)
    if found is None:
        found = memo[root] = _FunctionFacts(root)
    return found


def inside(ctx: FileContext, node: ast.AST, scope: Scope, kinds: tuple[type[ast.AST], ...]) -> bool:
    """Whether ``node`` stands (at any depth) inside a node of one of ``kinds`` in its function."""
    return any(isinstance(a, kinds) for a in _facts(ctx, scope.function.node).ancestors(node))


def _receiver_roots(ctx: FileContext, receiver: ast.expr, scope: Scope) -> list[ast.AST]:
    """Where facts about the receiver live: its function, and for ``self.x`` the whole class."""
    roots: list[ast.AST] = [scope.function.node]
    if isinstance(receiver, ast.Attribute) and _is_self(receiver.value, scope):
        klass = scope.function.parent
        if klass is not None and klass.kind is ScopeKind.CLASS:
            roots.append(klass.node)
    return roots


_NON_BLOCKING_ERRORS = frozenset({
    "builtins.BlockingIOError", "builtins.InterruptedError", "ssl.SSLWantReadError", "ssl.SSLWantWriteError",
})


def _socket(ctx: FileContext, call: ast.Call, scope: Scope, key: str) -> bool:
    """A socket method does not block when the socket is non-blocking (or asyncio gave it to us)."""
    func = call.func
    assert isinstance(func, ast.Attribute)
    receiver = func.value
    spelled = _spelling(receiver)
    if spelled is None:
        return True  # `make_socket().recv()`: too little known of where it came from
    if isinstance(receiver, ast.Name):
        found = scope.lookup(receiver.id)
        if found is not None and any(isinstance(b.value, ast.Await) for b in found[1]):
            return True  # from `await loop.sock_accept(...)`: asyncio's sockets are non-blocking
    if func.attr in _DATAGRAM_NON_BLOCKING and _socket_kind_is(ctx, receiver, scope, "socket.SOCK_DGRAM"):
        return True
    if _socket_kind_is(ctx, receiver, scope, "socket.SOCK_NONBLOCK"):
        return True
    for root in _receiver_roots(ctx, receiver, scope):
        facts = _facts(ctx, root)
        for other in facts.method_calls.get(spelled, ()):
            assert isinstance(other.func, ast.Attribute)
            if other.func.attr == "setblocking" and other.args and _is_false(other.args[0]):
                return True
            if other.func.attr == "settimeout" and other.args and _is_zero(ctx, other.args[0], scope):
                return True
        for other in facts.argument_of.get(spelled, ()):
            if isinstance(other.func, ast.Attribute) and other.func.attr.startswith("sock_"):
                return True  # handed to loop.sock_*(): only non-blocking sockets work there
    facts = _facts(ctx, scope.function.node)
    for ancestor in facts.ancestors(call):
        if isinstance(ancestor, ast.Try) and _catches_would_block(ctx, ancestor, scope):
            return True  # `except BlockingIOError`: the code expects a non-blocking socket
    return False


# on a UDP socket, connect() only records the peer and a send hands one datagram to the kernel
_DATAGRAM_NON_BLOCKING = frozenset({"connect", "connect_ex", "send", "sendto", "sendall", "sendmsg"})


def _socket_kind_is(ctx: FileContext, receiver: ast.expr, scope: Scope, flag: str) -> bool:
    """Every construction of the receiver seen is ``socket.socket(family, <type with flag>)``."""
    constructors = _constructor_calls(ctx, receiver, scope)
    if not constructors:
        return False
    for constructor in constructors:
        kind = _argument(constructor, 1, "type")
        if ctx.module.qualname(constructor.func, scope) != "socket.socket" or kind is None:
            return False
        if not any(isinstance(node, (ast.Name, ast.Attribute))
                   and ctx.module.qualname(node, scope) == flag for node in ast.walk(kind)):
            return False
    return True


def _catches_would_block(ctx: FileContext, node: ast.Try, scope: Scope) -> bool:
    for handler in node.handlers:
        kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        for kind in kinds:
            if kind is not None and ctx.module.qualname(kind, scope) in _NON_BLOCKING_ERRORS:
                return True
    return False


def _connects_with_host(ctx: FileContext, call: ast.Call, scope: Scope, key: str) -> bool:
    """``smtplib.SMTP()`` without a host makes an unconnected client: nothing blocks yet."""
    host = _argument(call, 0, "host")
    return host is None or (isinstance(host, ast.Constant) and host.value in ("", None))


def _resolves_nothing(ctx: FileContext, call: ast.Call, scope: Scope, key: str) -> bool:
    """A lookup of a literal IP address (or of no host) answers without asking a resolver."""
    host = _argument(call, 0, "host") or _argument(call, 0, "hostname")
    if isinstance(host, ast.Constant):
        if host.value is None:
            return True
        if isinstance(host.value, (str, bytes)):
            text = host.value.decode("ascii", "replace") if isinstance(host.value, bytes) else host.value
            try:
                ipaddress.ip_address(text)
            except ValueError:
                return False
            return True
    flags = _argument(call, 5, "flags")
    if flags is not None:
        for node in ast.walk(flags):
            if isinstance(node, (ast.Name, ast.Attribute)) and ctx.module.qualname(node, scope) == \
                    "socket.AI_NUMERICHOST":
                return True
    return False


def _future_result(ctx: FileContext, call: ast.Call, scope: Scope, key: str) -> bool:
    """``fut.result()`` of a future not made in this function, or already waited for or checked done.

    Only futures the function itself obtained (``fut = executor.submit(fn)``, ``Future()``) are reported.
    """
    if _is_zero(ctx, _argument(call, 0, "timeout"), scope):
        return True
    func = call.func
    assert isinstance(func, ast.Attribute)
    if isinstance(func.value, ast.Call):
        return False  # `executor.submit(fn).result()`: made just now, certainly not done
    if not isinstance(func.value, ast.Name) or not _constructor_calls(ctx, func.value, scope):
        # a future kept on an object or handed in: its owner's protocol may well have completed it
        return True
    spelled = func.value.id
    facts = _facts(ctx, scope.function.node)
    for other in facts.method_calls.get(spelled, ()):
        assert isinstance(other.func, ast.Attribute)
        if other.func.attr in ("done", "add_done_callback", "cancelled"):
            return True
    for other in facts.argument_of.get(spelled, ()):
        name = ctx.module.qualname(other.func, scope)
        if name in ("asyncio.wrap_future", "asyncio.wait", "asyncio.wait_for", "asyncio.gather",
                    "asyncio.shield", "concurrent.futures.wait", "concurrent.futures.as_completed"):
            return True
    return False


_SMALL_BUFFER = 64 * 1024  # one-shot (de)compression of less costs at most a few milliseconds


def _small_constant_data(ctx: FileContext, call: ast.Call, scope: Scope, key: str) -> bool:
    """(De)compressing a buffer built from literals whose size is known and small: cheap inline."""
    data = _argument(call, 0, "data")
    if data is None:
        return False
    size = _constant_size(ctx, data, scope, 0)
    return size is not None and size < _SMALL_BUFFER


def _constant_size(ctx: FileContext, expr: ast.expr, scope: Scope, depth: int) -> int | None:
    """The length of a bytes/str value made of literals (``b"x" * 1024``, a name bound once to one)."""
    if depth > 8:
        return None
    if isinstance(expr, ast.Constant) and isinstance(expr.value, (bytes, str)):
        return len(expr.value)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        left = _constant_size(ctx, expr.left, scope, depth + 1)
        right = _constant_size(ctx, expr.right, scope, depth + 1)
        return left + right if left is not None and right is not None else None
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mult):
        for data, count in ((expr.left, expr.right), (expr.right, expr.left)):
            size = _constant_size(ctx, data, scope, depth + 1)
            times = const_value(count, scope, ctx.module)
            if size is not None and times is not None:
                return int(size * max(times, 0))
        return None
    if isinstance(expr, ast.Call) and len(expr.args) == 1 and not expr.keywords:
        if ctx.module.qualname(expr.func, scope) in ("builtins.bytes", "builtins.bytearray", "os.urandom"):
            length = const_value(expr.args[0], scope, ctx.module)
            return int(length) if length is not None else None
        return None
    if isinstance(expr, ast.Name):
        found = scope.lookup(expr.id)
        if found is None:
            return None
        owner, bindings = found
        if len(bindings) != 1:
            return None
        binding = bindings[0]
        if binding.kind is not BindingKind.ASSIGN or binding.value is None or binding.unpack_index is not None:
            return None
        return _constant_size(ctx, binding.value, owner, depth + 1)
    return None


def _few_iterations(ctx: FileContext, call: ast.Call, scope: Scope, key: str) -> bool:
    """``pbkdf2_hmac(..., iterations)`` with a constant count below 1000 costs well under a millisecond."""
    iterations = _argument(call, 3, "iterations")
    if iterations is None:
        return False
    value = const_value(iterations, scope, ctx.module)
    return value is not None and value < 1000


_EXACT: dict[str, Guard] = {
    "hashlib.pbkdf2_hmac": _few_iterations,
    "concurrent.futures.wait": _timeout_zero(1),
}
for _name in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr",
              "socket.getnameinfo"):
    _EXACT[_name] = _resolves_nothing
for _module in ("zlib", "bz2", "lzma", "gzip"):
    for _func in ("compress", "decompress"):
        _EXACT[f"{_module}.{_func}"] = _small_constant_data
for _cls in ("smtplib.SMTP", "smtplib.SMTP_SSL", "smtplib.LMTP", "ftplib.FTP", "ftplib.FTP_TLS",
             "telnetlib.Telnet"):
    _EXACT[_cls] = _connects_with_host

# by method name, for receivers of the listed type families
_BY_METHOD: dict[str, Guard] = {
    "acquire": _acquire,
    "wait": _timeout_zero(0),
    "join": _timeout_zero(0),
    "get": _queue_get,
    "put": _queue_put,
    "result": _future_result,
    "exception": _future_result,
}
_METHOD_FAMILIES = ("threading.", "multiprocessing.", "queue.", "concurrent.futures.Future.")


def exempt(ctx: FileContext, call: ast.Call, scope: Scope, key: str) -> bool:
    """Whether the listed blocking call ``key`` made by ``call`` does not in fact block here."""
    guard = _EXACT.get(key)
    if guard is None and isinstance(call.func, ast.Attribute):
        if key.startswith("socket.socket."):
            guard = _socket
        elif key.startswith(_METHOD_FAMILIES):
            method = key.rpartition(".")[2]
            guard = _BY_METHOD.get(method)
            if method == "get" and key.startswith("multiprocessing.pool."):
                guard = _timeout_zero(0)
    return guard is not None and guard(ctx, call, scope, key)
