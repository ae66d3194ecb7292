"""What the type-inference helper knows about library calls: canonical names and return types.

Types are dotted class names, spelled the way users import them (``asyncio.Queue``, not
``asyncio.queues.Queue``). A tuple stands for a call returning a tuple that is usually unpacked.
"""

from __future__ import annotations

import functools

from collections.abc import Mapping

from .asyncio_api import ASYNCIO_EXPORTS, ASYNCIO_SUBMODULES

# modules that re-export names of their private submodules under a public name
_REEXPORTING: Mapping[str, tuple[frozenset[str], frozenset[str]]] = {
    "asyncio": (ASYNCIO_SUBMODULES - {"subprocess"}, ASYNCIO_EXPORTS),
}


@functools.lru_cache(maxsize=16384)
def canonical(qualname: str) -> str:
    """Spell a dotted name the public way: ``asyncio.locks.Lock`` -> ``asyncio.Lock``."""
    parts = qualname.split(".")
    if len(parts) >= 3:
        known = _REEXPORTING.get(parts[0])
        if known is not None and parts[1] in known[0] and parts[2] in known[1]:
            return ".".join([parts[0], *parts[2:]])
    return qualname


# call (function, or "Class.method" on an instance) -> type of its result
RETURN_TYPES: Mapping[str, str | tuple[str, ...]] = {
    "asyncio.get_event_loop": "asyncio.AbstractEventLoop",
    "asyncio.get_running_loop": "asyncio.AbstractEventLoop",
    "asyncio.new_event_loop": "asyncio.AbstractEventLoop",
    "asyncio.events.get_event_loop": "asyncio.AbstractEventLoop",
    "asyncio.create_task": "asyncio.Task",
    "asyncio.ensure_future": "asyncio.Future",
    "asyncio.AbstractEventLoop.create_task": "asyncio.Task",
    "asyncio.AbstractEventLoop.create_future": "asyncio.Future",
    "asyncio.AbstractEventLoop.run_in_executor": "asyncio.Future",
    "asyncio.TaskGroup.create_task": "asyncio.Task",
    "asyncio.timeout": "asyncio.Timeout",
    "asyncio.timeout_at": "asyncio.Timeout",
    "builtins.open": "io.TextIOWrapper",
    "io.open": "io.TextIOWrapper",
    "socket.socket": "socket.socket",
    "socket.create_connection": "socket.socket",
    "socket.create_server": "socket.socket",
    "socket.socket.accept": ("socket.socket", "builtins.tuple"),
    "sqlite3.connect": "sqlite3.Connection",
    "sqlite3.Connection.cursor": "sqlite3.Cursor",
    "sqlite3.Connection.execute": "sqlite3.Cursor",
    "psycopg2.connect": "psycopg2.extensions.connection",
    "psycopg2.extensions.connection.cursor": "psycopg2.extensions.cursor",
    "pymysql.connect": "pymysql.connections.Connection",
    "pymysql.connections.Connection.cursor": "pymysql.cursors.Cursor",
    "requests.session": "requests.Session",
    "requests.Session.get": "requests.Response",
    "requests.get": "requests.Response",
    "subprocess.Popen": "subprocess.Popen",
    "concurrent.futures.ThreadPoolExecutor.submit": "concurrent.futures.Future",
    "concurrent.futures.ProcessPoolExecutor.submit": "concurrent.futures.Future",
    "concurrent.futures.Executor.submit": "concurrent.futures.Future",
    "multiprocessing.Pool": "multiprocessing.pool.Pool",
    "multiprocessing.pool.Pool.apply_async": "multiprocessing.pool.AsyncResult",
    "multiprocessing.pool.Pool.map_async": "multiprocessing.pool.AsyncResult",
    "redis.from_url": "redis.Redis",
    "redis.asyncio.from_url": "redis.asyncio.Redis",
    "aiohttp.ClientSession.get": "aiohttp.ClientResponse",
    "aiohttp.ClientSession.post": "aiohttp.ClientResponse",
    "aiohttp.ClientSession.request": "aiohttp.ClientResponse",
    # async libraries: what `async with X(...) as v` binds (APF101's library coroutine methods)
    **{f"aiohttp.ClientSession.{method}": "aiohttp.ClientResponse" for method in (
        "put", "patch", "delete", "head", "options",
    )},
    "aiohttp.ClientSession.ws_connect": "aiohttp.ClientWebSocketResponse",
    "aiofiles.open": "aiofiles.threadpool.AsyncTextIOWrapper",
    "aiofiles.threadpool.open": "aiofiles.threadpool.AsyncTextIOWrapper",
    "asyncpg.create_pool": "asyncpg.Pool",
    "asyncpg.Pool.acquire": "asyncpg.Connection",
    "asyncpg.Connection.transaction": "asyncpg.transaction.Transaction",
    "httpx.AsyncClient.stream": "httpx.Response",
    "redis.asyncio.Redis.from_url": "redis.asyncio.Redis",
    "redis.asyncio.Redis.pubsub": "redis.asyncio.client.PubSub",
    "pathlib.Path.open": "io.TextIOWrapper",
    # blocking-network / -wait / -database receivers (APF205, APF206, APF208)
    "socket.socket.dup": "socket.socket",
    "asyncio.run_coroutine_threadsafe": "concurrent.futures.Future",
    "multiprocessing.dummy.Pool": "multiprocessing.pool.ThreadPool",
    "multiprocessing.pool.Pool.starmap_async": "multiprocessing.pool.AsyncResult",
    "redis.Redis.from_url": "redis.Redis",
    "redis.StrictRedis.from_url": "redis.Redis",
    "redis.Redis.pipeline": "redis.client.Pipeline",
    "psycopg.connect": "psycopg.Connection",
    "psycopg.Connection.connect": "psycopg.Connection",
    "psycopg.Connection.cursor": "psycopg.Cursor",
    "psycopg.Connection.execute": "psycopg.Cursor",
    **{f"pathlib.Path.{method}": "pathlib.Path" for method in (
        "cwd", "home", "resolve", "absolute", "expanduser", "with_name", "with_suffix", "with_stem", "joinpath",
        "relative_to",
    )},
    "urllib.request.build_opener": "urllib.request.OpenerDirector",
    "urllib3.connection_from_url": "urllib3.HTTPConnectionPool",
}

# coroutine function (or method) -> type of what awaiting it gives
AWAIT_RETURN_TYPES: Mapping[str, str | tuple[str, ...]] = {
    "asyncio.open_connection": ("asyncio.StreamReader", "asyncio.StreamWriter"),
    "asyncio.open_unix_connection": ("asyncio.StreamReader", "asyncio.StreamWriter"),
    "asyncio.start_server": "asyncio.Server",
    "asyncio.start_unix_server": "asyncio.Server",
    "asyncio.create_subprocess_exec": "asyncio.subprocess.Process",
    "asyncio.create_subprocess_shell": "asyncio.subprocess.Process",
    "asyncio.subprocess.create_subprocess_exec": "asyncio.subprocess.Process",
    "asyncio.subprocess.create_subprocess_shell": "asyncio.subprocess.Process",
    "asyncio.AbstractEventLoop.create_server": "asyncio.Server",
    "asyncio.AbstractEventLoop.create_unix_server": "asyncio.Server",
    "asyncio.AbstractEventLoop.sock_accept": ("socket.socket", "builtins.tuple"),
    **{f"aiohttp.ClientSession.{method}": "aiohttp.ClientResponse" for method in (
        "get", "post", "put", "patch", "delete", "head", "options", "request",
    )},
    "aiohttp.ClientSession.ws_connect": "aiohttp.ClientWebSocketResponse",
    **{f"httpx.AsyncClient.{method}": "httpx.Response" for method in (
        "get", "post", "put", "patch", "delete", "head", "options", "request", "send",
    )},
    "aiofiles.open": "aiofiles.threadpool.AsyncTextIOWrapper",
    "asyncpg.connect": "asyncpg.Connection",
    "asyncpg.create_pool": "asyncpg.Pool",
    "asyncpg.Pool.acquire": "asyncpg.Connection",
}

# dotted names that look like classes (capitalised) but are functions returning something else
NOT_CONSTRUCTORS: frozenset[str] = frozenset({"typing.NamedTuple", "typing.TypedDict"})

# attribute of an instance (``Type.attr``) -> the type of its value
ATTRIBUTE_TYPES: Mapping[str, str] = {
    "pathlib.Path.parent": "pathlib.Path",
}

# types for which ``value / "name"`` gives a value of the same type (path joins)
PATH_JOIN_TYPES: frozenset[str] = frozenset({
    "pathlib.Path", "pathlib.PosixPath", "pathlib.WindowsPath", "pathlib.PurePath", "pathlib.PurePosixPath",
    "pathlib.PureWindowsPath", "anyio.Path", "trio.Path", "zipfile.Path",
})

# base classes whose methods a subclass inherits, for method lookups on project classes
KNOWN_BASES: Mapping[str, str] = {
    "asyncio.BaseEventLoop": "asyncio.AbstractEventLoop",
    "asyncio.SelectorEventLoop": "asyncio.AbstractEventLoop",
    "asyncio.PriorityQueue": "asyncio.Queue",
    "asyncio.LifoQueue": "asyncio.Queue",
    "asyncio.BoundedSemaphore": "asyncio.Semaphore",
    "multiprocessing.pool.ThreadPool": "multiprocessing.pool.Pool",
    "redis.StrictRedis": "redis.Redis",
    "redis.client.Redis": "redis.Redis",
    "redis.client.StrictRedis": "redis.Redis",
    "pymongo.mongo_client.MongoClient": "pymongo.MongoClient",
    "smtplib.SMTP_SSL": "smtplib.SMTP",
    "smtplib.LMTP": "smtplib.SMTP",
    "ftplib.FTP_TLS": "ftplib.FTP",
    "poplib.POP3_SSL": "poplib.POP3",
    "imaplib.IMAP4_SSL": "imaplib.IMAP4",
    "imaplib.IMAP4_stream": "imaplib.IMAP4",
    "pathlib.PosixPath": "pathlib.Path",
    "pathlib.WindowsPath": "pathlib.Path",
    "requests.sessions.Session": "requests.Session",
    "urllib3.poolmanager.PoolManager": "urllib3.PoolManager",
    "urllib3.ProxyManager": "urllib3.PoolManager",
    "urllib3.HTTPSConnectionPool": "urllib3.HTTPConnectionPool",
    "http.client.HTTPSConnection": "http.client.HTTPConnection",
}
