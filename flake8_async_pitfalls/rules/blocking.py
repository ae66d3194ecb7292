"""2xx: calls that block the event loop when made directly in async context.

Every 2xx rule (and APF303) reads the same per-call lookup, analysis/blocking.py ``blocking_match``, done
once per call and shared with APF209's call graph, so a call blocks or not the same way for all of them.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from ..analysis.blocking import blocking_match
from ..analysis.blocking_guards import inside
from ..analysis.scopes import Scope, ScopeKind
from .base import Rule, RuleError, async_context_only, source_of

if TYPE_CHECKING:
    from ..checker import FileContext
    from .base import Hook


def args_text(call: ast.Call) -> str:
    return ", ".join(source_of(arg, 30) for arg in [*call.args, *call.keywords])


def to_thread_text(call: ast.Call) -> str:
    """``await asyncio.to_thread(func, arg, key=value)`` for a call, as suggestions spell it."""
    parts = [source_of(call.func, 40), *(source_of(a, 30) for a in call.args),
             *(source_of(k, 30) for k in call.keywords)]
    return f"await asyncio.to_thread({', '.join(parts)})"


def call_text(call: ast.Call, key: str) -> str:
    """``time.sleep(2)``, or ``nap(2) (time.sleep)`` when the call is spelled another way."""
    text = source_of(call)
    spelled = source_of(call.func)
    shown = key.replace("builtins.", "", 1) if key.startswith("builtins.") else key
    return text if spelled == shown else f"{text} ({shown})"


# every table rule instance by code: the shared hook hands each blocking call to the rule of its code
_BY_CODE: dict[str, BlockingCallRule] = {}


@async_context_only
def route_blocking_call(ctx: FileContext, node: ast.AST, parent: ast.AST | None, scope: Scope) -> None:
    """The one ast.Call hook of all table rules: the shared lookup once per call, then only the rule whose
    code the lookup gave looks further (instead of a dozen hooks asking the same question of every call)."""
    assert isinstance(node, ast.Call)
    if not scope.is_async:
        return
    match = blocking_match(ctx, node, scope)
    if match is None:
        return
    rule = _BY_CODE.get(match.entry.code)
    if rule is not None:
        try:
            rule.check_call(ctx, node, parent, scope)
        except Exception as exc:
            raise RuleError(rule, exc) from exc


class BlockingCallRule(Rule):
    """A rule that reports, in async context, the calls its knowledge table gives its code."""

    message: ClassVar[str] = "{call} blocks the event loop in {where}; {suggestion}"
    probe: ClassVar[str] = "stall"

    def __init__(self) -> None:
        _BY_CODE[self.code] = self

    def hooks(self) -> Mapping[type[ast.AST], Hook]:
        return {ast.Call: route_blocking_call}

    def check_call(self, ctx: FileContext, node: ast.AST, parent: ast.AST | None, scope: Scope) -> None:
        assert isinstance(node, ast.Call)
        if not scope.is_async:
            return
        match = blocking_match(ctx, node, scope)
        if match is None or match.entry.code != self.code:
            return
        suggestion = match.entry.suggestion.format(
            call=source_of(node), func=source_of(node.func, 40), args=args_text(node),
            to_thread=to_thread_text(node),
        )
        ctx.report(self, node, call=call_text(node, match.key), where=scope.describe(), suggestion=suggestion,
                   subject=match.key)


class BlockingSleep(BlockingCallRule):
    code = "APF201"
    name = "blocking-sleep"
    summary = "`time.sleep()` in async context (also when wrongly awaited)"
    what = (
        "Reports `time.sleep()` called directly in an `async def` (the innermost enclosing function), "
        "however it is imported (`import time as t`, `from time import sleep as nap`), and also when it is "
        "wrongly awaited (`await time.sleep(1)` fails at run time after sleeping)."
    )
    why = (
        "An event loop runs one task at a time and switches only at `await`. `time.sleep()` does not "
        "return to the loop: for the whole duration no other task runs, no timer fires, no socket is "
        "served. `await asyncio.sleep()` suspends only the current task and lets the others run."
    )
    fix = (
        "Replace it with `await asyncio.sleep(...)` (adding `import asyncio` when needed). A plain `def` "
        "that sleeps and is run in a thread (`asyncio.to_thread`, `run_in_executor`) is not async context "
        "and is not reported."
    )


# --- APF200 configured-blocking-call (--apf-blocking-calls) -------------------------------------
class BlockingConfiguredCall(BlockingCallRule):
    code = "APF200"
    name = "configured-blocking-call"
    summary = "a call the project declared blocking with `--apf-blocking-calls`, in async context"
    options = ("--apf-blocking-calls",)
    what = (
        "Reports, in an `async def`, calls that match the project's own list of blocking calls, given with "
        "`--apf-blocking-calls=pattern[->suggestion],...` (or `apf-blocking-calls` in the flake8 config). "
        "A pattern is an `fnmatch` pattern of the call's resolved dotted name: a function as it is imported "
        "(`mylib.fetch`, `legacy.db.*`) or a method as `Type.method` of a receiver whose type is known "
        "(`xmlrpc.client.ServerProxy.*`). The text after `->` is the replacement the message suggests; "
        "without it the message suggests `await asyncio.to_thread(...)`. Calls the built-in tables already "
        "know are reported under their own code; an awaited call, or one known to create a coroutine, is "
        "not reported (the pattern caught an async function by accident)."
    )
    why = (
        "Every project has its own slow synchronous calls: an in-house RPC or database client, a legacy SDK, "
        "a helper that shells out. Called from a coroutine, each one stops the event loop for its whole "
        "duration, exactly like `time.sleep()`: no other task runs, no timer fires, no connection is "
        "served. The linter cannot know these calls by itself; the option tells it."
    )
    fix = (
        "Use the async replacement the option names (`mylib.fetch->mylib.afetch` makes the message say "
        "`use 'mylib.afetch' instead`), or run the call in a worker thread: "
        "`result = await asyncio.to_thread(mylib.fetch, url)`."
    )

    def check_call(self, ctx: FileContext, node: ast.AST, parent: ast.AST | None, scope: Scope) -> None:
        assert isinstance(node, ast.Call)
        if isinstance(parent, ast.Await) or not scope.is_async:
            return
        match = blocking_match(ctx, node, scope)
        if match is None or match.entry.code != self.code:
            return
        if ctx.coroutines.coroutine_call(node, scope) is not None:
            return
        super().check_call(ctx, node, parent, scope)


# --- APF202 blocking-http -----------------------------------------------------------------------
class BlockingHttp(BlockingCallRule):
    code = "APF202"
    name = "blocking-http"
    summary = ("a synchronous HTTP request (`requests`, `urllib`, `http.client`, `urllib3`, sync `httpx`) "
               "in async context")
    what = (
        "Reports synchronous HTTP calls made directly in an `async def`: the `requests` module functions "
        "(`requests.get`, `requests.post`, ...) and the methods of a `requests.Session`; sync `httpx` "
        "(`httpx.get`, ..., and the methods of an `httpx.Client`); `urllib3` pool managers and connection "
        "pools; `urllib.request.urlopen` / `urlretrieve` and `OpenerDirector.open`; and the methods of "
        "`http.client.HTTPConnection` / `HTTPSConnection` that talk to the server (`connect`, `request`, "
        "`getresponse`, `endheaders`). Methods are matched only on receivers whose type is known (a "
        "constructor, `with X() as s`, an annotation, `self.s = X()`): `cache.get(key)` is never taken for "
        "`requests.get`, and `httpx.AsyncClient` methods are not reported."
    )
    why = (
        "A synchronous HTTP request waits for DNS, the connection, the server and the whole response "
        "without ever returning to the event loop. For those hundreds of milliseconds (or the full timeout "
        "when the server hangs) every other task of the program stands still: other requests are not "
        "served, heartbeats are missed, timeouts fire late."
    )
    fix = (
        "Use an async HTTP client and await it: `async with httpx.AsyncClient() as client: "
        "r = await client.get(url)`, or `aiohttp.ClientSession`. To keep the synchronous library, run the "
        "call in a worker thread: `r = await asyncio.to_thread(requests.get, url, timeout=10)`. The autofix "
        "does that rewrite; it is unsafe because the call then runs in another thread (a shared `Session` "
        "is not guaranteed thread-safe) and its exceptions surface at the `await`."
    )


# --- APF203 blocking-subprocess -----------------------------------------------------------------
class BlockingSubprocess(BlockingCallRule):
    code = "APF203"
    name = "blocking-subprocess"
    summary = ("running a process and waiting for it (`subprocess.run`, `os.system`, `Popen.wait`, ...) "
               "in async context")
    what = (
        "Reports, in an `async def`, calls that start a process and wait for it to finish: "
        "`subprocess.run/call/check_call/check_output/getoutput/getstatusoutput`, `os.system`, `os.popen`, "
        "`.wait()` and `.communicate()` on a `subprocess.Popen` object, `os.spawn*` in `os.P_WAIT` mode, "
        "and `os.wait/waitpid/wait3/wait4/waitid` unless their options include `os.WNOHANG`. Creating a "
        "`Popen` is not reported (it does not wait); `os.spawn*` with a mode or `os.wait*` with options "
        "that cannot be read are not reported either."
    )
    why = (
        "Waiting for a child process is a blocking system call: the event loop thread sleeps in it until "
        "the child exits, which may be seconds or minutes. Meanwhile no other task runs, so a server stops "
        "answering while a build step, a `git` command or a converter runs."
    )
    fix = (
        "Use asyncio's subprocess API: `proc = await asyncio.create_subprocess_exec(\"git\", \"pull\", "
        "stdout=asyncio.subprocess.PIPE)` then `out, _ = await proc.communicate()` (or "
        "`asyncio.create_subprocess_shell` for a shell command line). Or keep the call and run it in a "
        "worker thread: `await asyncio.to_thread(subprocess.run, cmd, check=True)`. The autofix does that "
        "rewrite; it is unsafe because the call's exceptions and timeouts then surface at the `await` and "
        "the process can no longer be cancelled with the task."
    )


class BlockingFileIO(BlockingCallRule):
    code = "APF204"
    name = "blocking-file-io"
    summary = ("file-system calls (`open()`, `pathlib.Path` reads and writes, `os`/`os.path`/`shutil`) "
               "in async context")
    what = (
        "Reports, in an `async def`, calls that go to the disk: `open()` / `io.open` / `codecs.open` / "
        "`os.fdopen` and `Path.open`; the `pathlib.Path` methods that read, write, list or change the file "
        "system (`read_text`, `write_bytes`, `iterdir`, `glob`, `mkdir`, `unlink`, `exists`, `stat`, ...); "
        "`os.listdir/scandir/walk/stat/remove/rename/makedirs/...`; the `os.path` calls that ask the disk "
        "(`exists`, `isfile`, `isdir`, `getsize`, `getmtime`, ...; not the string functions such as `join` "
        "or `abspath`); `shutil.copy*/move/rmtree/make_archive/unpack_archive`; `glob.glob`. A file is "
        "reported once, where it is opened, not again at each `.read()` or `.write()`. `Path` methods are "
        "matched on values known to be paths (`Path(...)`, `Path(__file__).parent`, `base / \"name\"`, a "
        "parameter annotated `Path`); `anyio.Path` and `aiofiles` calls are async and not reported."
    )
    why = (
        "Disk operations are blocking system calls. A local SSD answers most of them in microseconds, but a "
        "large read or write, a directory walk, a network file system, a FIFO or a busy disk can take "
        "milliseconds to seconds, and the event loop thread waits the whole time with every other task "
        "stopped. Such stalls are rare and erratic, which makes them hard to find in production."
    )
    fix = (
        "Do the file work in a plain function and run it in a worker thread: "
        "`text = await asyncio.to_thread(path.read_text)`, or use an async file library (`aiofiles`, "
        "`anyio.Path`). For `open()`, move the whole `with open(...)` block into the function, or use "
        "`async with aiofiles.open(...)`. The autofix rewrites a single call to `await asyncio.to_thread(...)`; "
        "it is unsafe because the call then runs in another thread and its exceptions surface at the `await`."
    )

    def check_call(self, ctx: FileContext, node: ast.AST, parent: ast.AST | None, scope: Scope) -> None:
        assert isinstance(node, ast.Call)
        if scope.is_async:
            match = blocking_match(ctx, node, scope)
            if (match is not None and match.entry.code == self.code and match.key in _LAZY_FILE_CALLS
                    and not _consumed_in_place(ctx, node, parent, scope)):
                return
        super().check_call(ctx, node, parent, scope)


# generators that touch the disk only when iterated: reported where they are iterated on the spot (a `for`,
# a comprehension, `list(...)`), not when the generator is handed on (e.g. to a worker thread)
_LAZY_FILE_CALLS = frozenset({
    "os.walk", "os.fwalk", "glob.iglob", "pathlib.Path.walk", "pathlib.Path.glob", "pathlib.Path.rglob",
    "pathlib.Path.iterdir",
})
_CONSUMERS = frozenset({
    f"builtins.{name}" for name in ("list", "tuple", "set", "frozenset", "sorted", "sum", "any", "all", "min",
                                    "max", "next", "dict")
})


def _consumed_in_place(ctx: FileContext, call: ast.Call, parent: ast.AST | None, scope: Scope) -> bool:
    if isinstance(parent, (ast.For, ast.comprehension)):
        return parent.iter is call
    if isinstance(parent, ast.Call) and call in parent.args:
        return ctx.module.qualname(parent.func, scope) in _CONSUMERS
    return False


# --- APF207 blocking-input ----------------------------------------------------------------------
class BlockingInput(BlockingCallRule):
    code = "APF207"
    name = "blocking-input"
    summary = ("reading the terminal (`input()`, `getpass.getpass()`, `sys.stdin.read/readline`) "
               "in async context")
    what = (
        "Reports, in an `async def`, calls that wait for the user or for standard input: `input()`, "
        "`getpass.getpass()`, and `sys.stdin.read()` / `readline()` / `readlines()` (also on "
        "`sys.stdin.buffer`), however they are imported; a local variable or parameter named `input` is "
        "not the builtin."
    )
    why = (
        "`input()` returns only when the user presses Enter, which can be never. Until then the event loop "
        "thread is stuck in the read: downloads pause, incoming messages pile up, timers and heartbeats "
        "stop. An interactive asyncio program has to read its input without holding the loop."
    )
    fix = (
        "Read in a worker thread: `line = await asyncio.to_thread(input, \"> \")` (the other tasks keep "
        "running while the user types), or, for a stream of lines, connect standard input to the loop with "
        "`loop.connect_read_pipe()` and an `asyncio.StreamReader`. The autofix does the `to_thread` "
        "rewrite; it is unsafe because a read in a thread cannot be cancelled: a cancelled task leaves the "
        "thread waiting for the next line."
    )


# --- APF205 / APF206 / APF208 / APF303: table rules on receivers of known type ---------------------
class _ReceiverBlockingRule(BlockingCallRule):
    """A table rule whose calls are often chained or typed loosely.

    A call on the result of another call this rule reports (``conn.execute(q).fetchall()``,
    ``pool.apply_async(f).get()`` after a blocking call) is reported once, at the inner call; an awaited
    call is not reported at all: whatever the annotation said, the receiver is then an async object.
    """

    def check_call(self, ctx: FileContext, node: ast.AST, parent: ast.AST | None, scope: Scope) -> None:
        assert isinstance(node, ast.Call)
        if not scope.is_async or isinstance(parent, ast.Await):
            return
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call):
            inner = blocking_match(ctx, func.value, scope)
            if inner is not None and inner.entry.code == self.code:
                return
        super().check_call(ctx, node, parent, scope)


# --- APF205 blocking-network --------------------------------------------------------------------
class BlockingNetwork(_ReceiverBlockingRule):
    code = "APF205"
    name = "blocking-network"
    summary = ("blocking socket calls, DNS lookups and `smtplib`/`ftplib`/`poplib`/`imaplib`/`telnetlib` "
               "clients in async context")
    what = (
        "Reports, in an `async def`, network calls that wait for the other side: "
        "`socket.create_connection()`; the resolver functions `socket.getaddrinfo`, `gethostbyname`, "
        "`gethostbyname_ex`, `gethostbyaddr`, `getnameinfo`, `getfqdn` (not for a literal IP address or "
        "`AI_NUMERICHOST`, which answer without a lookup); `connect`, `accept`, `recv*`, `send*` and "
        "`sendfile` on a `socket.socket` whose type is known (created in the function, `with socket.socket() "
        "as s`, `self.sock = socket.socket()`, or annotated `socket.socket`); and the clients of `smtplib`, "
        "`ftplib`, `poplib`, `imaplib` and `telnetlib` (their constructors when given a host, and the "
        "methods that talk to the server). A socket made non-blocking (`setblocking(False)`, "
        "`settimeout(0)`), passed to `loop.sock_*()`, obtained from `await loop.sock_accept()`, or used "
        "inside `try: ... except BlockingIOError` is not reported: it does not wait; nor are `connect` and "
        "the sends of a UDP socket (`socket.socket(AF_INET, SOCK_DGRAM)`), which hand a datagram to the "
        "kernel without waiting for the peer."
    )
    why = (
        "A blocking socket call returns only when the peer answers, the kernel buffer has room, or the "
        "timeout expires; a DNS lookup waits for the resolver. While it waits, the event loop thread is "
        "stuck in the system call and no other task runs: one slow server or resolver freezes every "
        "connection the program serves."
    )
    fix = (
        "Use asyncio's streams: `reader, writer = await asyncio.open_connection(host, port)`, then "
        "`writer.write(data); await writer.drain()` and `await reader.read(n)`. To keep a socket object, make "
        "it non-blocking (`sock.setblocking(False)`) and use the loop's socket methods: "
        "`await loop.sock_connect(sock, addr)`, `await loop.sock_recv(sock, n)`, `await loop.sock_sendall(sock, "
        "data)`. Resolve names with `await loop.getaddrinfo(host, port)`. For mail and file transfer, use an "
        "async client (`aiosmtplib`, `aioftp`, `aioimaplib`) or run the whole exchange in a plain function "
        "with `await asyncio.to_thread(fn)`."
    )


# --- APF206 blocking-wait -----------------------------------------------------------------------
class BlockingWait(_ReceiverBlockingRule):
    code = "APF206"
    name = "blocking-wait"
    summary = ("waiting on threading / multiprocessing primitives, thread queues, `concurrent.futures` "
               "futures or process pools in async context")
    what = (
        "Reports, in an `async def`, calls that wait for another thread or process: `acquire()` on a "
        "`threading` (or `multiprocessing`) `Lock`, `RLock`, `Semaphore`, `BoundedSemaphore`, `Condition`; "
        "`Event.wait()`, `Condition.wait()` / `wait_for()`, `Barrier.wait()`; `Thread.join()` and "
        "`Process.join()`; `get()` and `join()` of a `queue.Queue` (and `LifoQueue`, `PriorityQueue`, "
        "`SimpleQueue`, `multiprocessing.Queue`), and `put()` when the queue is known to be bounded; "
        "`result()` / `exception()` of a `concurrent.futures.Future` the function itself obtained (from "
        "`executor.submit()`, `asyncio.run_coroutine_threadsafe()`, `Future()`; a future kept on an object or "
        "passed in may have been completed by its owner and is not reported); `concurrent.futures.wait()` "
        "and `as_completed()`; "
        "`map`, `starmap`, `apply`, `imap`, `imap_unordered` and `join` of a `multiprocessing` pool and "
        "`AsyncResult.get()` / `wait()`. The receiver's type must be known; `asyncio.Lock`, `asyncio.Queue`, "
        "`asyncio.Event` and asyncio futures are awaited and not reported, nor is `d.get(k)` on a dict. "
        "Calls that cannot wait are left out: `acquire(blocking=False)`, `get(block=False)`, a timeout of "
        "0, and `result()` of a future the function already awaited with `asyncio.wrap_future()`, passed "
        "to `wait()`, or checked with `done()`. A `with lock:` block on a threading lock is not reported: "
        "such critical sections are normally short."
    )
    why = (
        "These primitives make the *thread* wait, and in async code that thread is the event loop: until the "
        "other thread releases the lock, sets the event, puts an item or finishes the job, no task runs. "
        "When the thread being waited for needs the loop itself (a callback scheduled with "
        "`call_soon_threadsafe`, a coroutine sent with `run_coroutine_threadsafe`), it never finishes: a "
        "deadlock."
    )
    fix = (
        "Within async code use the asyncio primitives (`asyncio.Lock`, `Event`, `Condition`, `Semaphore`, "
        "`asyncio.Queue`) and await them. To wait for work done in a thread or process pool, await it: "
        "`await asyncio.wrap_future(executor.submit(fn, x))`, or submit through the loop with "
        "`await loop.run_in_executor(pool, fn, x)` (one call per item instead of `pool.map`). A wait that must "
        "stay synchronous can run in a worker thread: `await asyncio.to_thread(event.wait, 5)`."
    )


# --- APF208 blocking-database -------------------------------------------------------------------
class BlockingDatabase(_ReceiverBlockingRule):
    code = "APF208"
    name = "blocking-database"
    summary = ("synchronous database drivers (`sqlite3`, `psycopg2`, `pymysql`, `pymongo`, sync `redis`) "
               "in async context")
    what = (
        "Reports, in an `async def`, calls of synchronous database clients: `sqlite3.connect()` and the "
        "`execute*`, `commit`, `rollback`, `backup` and `fetch*` methods of its connections and cursors; "
        "`psycopg2.connect()`, psycopg 3's sync `psycopg.connect()`, `pymysql.connect()`, `MySQLdb.connect()`, "
        "`mysql.connector.connect()` and the query, fetch and commit methods of their connections and "
        "cursors; `pymongo.MongoClient()` and the query methods of pymongo databases and collections; the "
        "commands of a synchronous `redis.Redis` / `StrictRedis` client (`get`, `set`, `hgetall`, `publish`, "
        "...) and `Pipeline.execute()`. Receivers are matched by type (`conn = sqlite3.connect(...)`, "
        "`cur = conn.cursor()`, `with sqlite3.connect(...) as conn`, `self.redis = redis.Redis()`, an "
        "annotation): `redis.asyncio.Redis`, `aiosqlite`, `asyncpg` and `motor` are async and not "
        "reported. In a chain such as `conn.execute(q).fetchall()` the first blocking call is reported once."
    )
    why = (
        "A synchronous driver sends the query and waits for the server (or, for SQLite, the disk and the "
        "query engine) in the calling thread. In a coroutine that thread runs the event loop, so every "
        "query stalls all other tasks for its whole duration: a slow query or a locked table freezes the "
        "whole service, not one request."
    )
    fix = (
        "Use an async driver: `aiosqlite` for SQLite, `asyncpg` or psycopg 3's `AsyncConnection` for "
        "PostgreSQL, `aiomysql` / `asyncmy` for MySQL, `motor` (or pymongo's `AsyncMongoClient`) for MongoDB, "
        "`redis.asyncio.Redis` for Redis, and await each call. To keep the sync driver, put the database work "
        "in a plain function and run it in a worker thread: `rows = await asyncio.to_thread(load_rows, "
        "path)` (use a connection per thread, or one made with `check_same_thread=False` for sqlite3)."
    )


# --- APF303 cpu-heavy-call ----------------------------------------------------------------------
class CpuHeavyCall(_ReceiverBlockingRule):
    code = "APF303"
    name = "cpu-heavy-call"
    summary = "known CPU-heavy calls (password hashing, key derivation, compression) in async context"
    message = "{call} is CPU-heavy work that blocks the event loop in {where}; {suggestion}"
    what = (
        "Reports, in an `async def`, calls known to burn CPU for a long time: key derivation and password "
        "hashing (`hashlib.pbkdf2_hmac`, `hashlib.scrypt`, `bcrypt.hashpw` / `checkpw` / `kdf`, "
        "`argon2.PasswordHasher().hash()` / `verify()` and `argon2.low_level` hashing), and one-shot "
        "compression of whole buffers (`zlib`, `bz2`, `lzma` and `gzip` `.compress()` / `.decompress()`). "
        "Compressing a buffer built from literals whose size is known to be under 64 KiB (`b\"x\" * 100`), "
        "and `pbkdf2_hmac` with a constant iteration count below 1000, are cheap and not reported; a buffer "
        "of unknown size is reported. Calls inside an `assert` (checking a result) and in test functions that "
        "pytest collects (`test*` in `test_*.py` / `*_test.py`), which run alone in their event loop and "
        "build or check their own payloads, are not reported either."
    )
    why = (
        "Password hashes are slow on purpose (tens to hundreds of milliseconds each), and compressing a "
        "megabyte takes milliseconds to seconds. The event loop runs this work in its own thread, so for "
        "its whole duration no other task runs: one login request freezes every other request, and a "
        "burst of logins turns into a queue of stalls."
    )
    fix = (
        "Run the call in a worker thread: `key = await asyncio.to_thread(hashlib.pbkdf2_hmac, \"sha256\", "
        "password, salt, 600_000)`. `hashlib`, `bcrypt`, `argon2` and the compression modules release the "
        "GIL during the heavy part, so threads keep the loop responsive; for pure-Python work use a "
        "process pool: `await loop.run_in_executor(process_pool, fn, data)`. The autofix does the "
        "`to_thread` rewrite; it is unsafe because the call then runs in another thread and its "
        "exceptions surface at the `await`."
    )

    def check_call(self, ctx: FileContext, node: ast.AST, parent: ast.AST | None, scope: Scope) -> None:
        assert isinstance(node, ast.Call)
        if not scope.is_async:
            return
        match = blocking_match(ctx, node, scope)  # memoized: the cheap test first
        if match is None or match.entry.code != self.code:
            return
        if _in_test_function(ctx, scope):
            return  # a test runs alone in its loop: CPU work there builds or checks its own payloads
        if inside(ctx, node, scope, (ast.Assert,)):
            return  # a check of a result, stripped under -O, not the program's work
        super().check_call(ctx, node, parent, scope)


def _in_test_function(ctx: FileContext, scope: Scope) -> bool:
    """A function pytest collects by default: ``test*`` in a ``test_*.py`` / ``*_test.py`` file."""
    base = ctx.filename.replace("\\", "/").rsplit("/", 1)[-1]
    if not (base.startswith("test_") or base.endswith("_test.py")):
        return False
    function: Scope | None = scope.function
    while function is not None and function.kind is not ScopeKind.MODULE:
        if function.kind in (ScopeKind.FUNCTION, ScopeKind.ASYNC_FUNCTION) and function.name.startswith("test"):
            return True
        function = function.parent
    return False
