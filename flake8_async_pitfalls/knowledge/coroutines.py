"""Coroutine functions and methods of libraries, and decorators known to keep an async def a coroutine."""

from __future__ import annotations

from collections.abc import Iterable

from .asyncio_api import COROUTINE_FUNCTIONS as _ASYNCIO_FUNCTIONS
from .asyncio_api import COROUTINE_METHODS as _ASYNCIO_METHODS


def _methods(classes: Iterable[str], methods: str) -> frozenset[str]:
    """``Class.method`` keys for every spelling of a class (``asyncpg.Connection``, ``asyncpg.connection...``)."""
    return frozenset(f"{klass}.{method}" for klass in classes for method in methods.split())


# Popular async libraries, read off their sources (aiohttp 3.14, httpx 0.28, asyncpg 0.32, redis 8.1,
# aiofiles 25.1, starlette 1.10): the `async def` methods of the public classes, plus the plain methods
# that hand back an awaitable doing the work (aiohttp's `session.get()`, redis-py's commands), since
# discarding those loses the work just the same. Each class is listed under the names users import it by.
_LIBRARY_FUNCTIONS: frozenset[str] = frozenset({
    "asyncpg.connect",
    "asyncpg.connection.connect",
    *(f"{module}.{name}" for module in ("aiofiles.os", "aiofiles.ospath", "aiofiles.os.path") for name in (
        "access getcwd listdir makedirs mkdir readlink remove removedirs rename renames replace rmdir scandir "
        "stat symlink unlink link sendfile statvfs abspath getatime getctime getmtime getsize exists isdir "
        "isfile islink ismount samefile sameopenfile"
    ).split()),
})

_LIBRARY_METHODS: frozenset[str] = (
    _methods(("aiohttp.ClientSession", "aiohttp.client.ClientSession"),
             "close get post put patch delete head options request ws_connect")
    | _methods(("aiohttp.ClientResponse", "aiohttp.client.ClientResponse", "aiohttp.client_reqrep.ClientResponse"),
               "json read start text wait_for_close")
    | _methods(("aiohttp.ClientWebSocketResponse", "aiohttp.client_ws.ClientWebSocketResponse"),
               "close ping pong receive receive_bytes receive_json receive_str send_bytes send_frame send_json "
               "send_json_bytes send_str")
    | _methods(("aiohttp.web.BaseRequest", "aiohttp.web.Request", "aiohttp.web_request.BaseRequest",
                "aiohttp.web_request.Request"),
               "json multipart post read release text")
    | _methods(("aiohttp.web.StreamResponse", "aiohttp.web.Response", "aiohttp.web_response.StreamResponse",
                "aiohttp.web_response.Response"),
               "drain prepare write write_eof")
    | _methods(("aiohttp.web.WebSocketResponse", "aiohttp.web_ws.WebSocketResponse"),
               "close drain ping pong prepare receive receive_bytes receive_json receive_str send_bytes "
               "send_frame send_json send_json_bytes send_str write write_eof")
    | _methods(("httpx.AsyncClient", "httpx._client.AsyncClient"),
               "aclose delete get head options patch post put request send")
    | _methods(("httpx.Response", "httpx._models.Response"), "aclose aread")
    | _methods(("asyncpg.Connection", "asyncpg.connection.Connection", "asyncpg.pool.PoolConnectionProxy"),
               "add_listener remove_listener execute executemany prepare fetch fetchval fetchrow fetchmany "
               "copy_from_table copy_from_query copy_to_table copy_records_to_table set_type_codec "
               "reset_type_codec set_builtin_type_codec close reset reload_schema_state")
    | _methods(("asyncpg.Pool", "asyncpg.pool.Pool"),
               "close execute executemany fetch fetchval fetchrow fetchmany copy_from_table copy_from_query "
               "copy_to_table copy_records_to_table release expire_connections")
    | _methods(("asyncpg.transaction.Transaction",), "start commit rollback")
    | _methods(("asyncpg.prepared_stmt.PreparedStatement",), "executemany explain fetch fetchmany fetchrow fetchval")
    # redis-py's commands are plain methods returning `execute_command(...)`, a coroutine on the asyncio client
    | _methods(("redis.asyncio.Redis", "redis.asyncio.StrictRedis", "redis.asyncio.client.Redis"),
               "initialize aclose close execute_command ping echo info dbsize flushdb flushall keys scan type "
               "get set setex setnx psetex getdel getex getset mget mset msetnx append strlen incr incrby decr "
               "decrby incrbyfloat delete unlink exists expire expireat pexpire persist ttl pttl rename "
               "hget hset hsetnx hmget hmset hgetall hdel hexists hincrby hkeys hvals hlen "
               "lpush rpush lpop rpop blpop brpop lrange llen lrem ltrim lindex lset "
               "sadd srem smembers sismember scard spop "
               "zadd zrem zrange zrevrange zrangebyscore zscore zincrby zcard zrank "
               "publish xadd xread xreadgroup xack xlen xtrim xdel eval evalsha script_load")
    | _methods(("redis.asyncio.client.PubSub",), "subscribe psubscribe unsubscribe punsubscribe get_message aclose")
    | _methods(("aiofiles.threadpool.AsyncTextIOWrapper",),
               "close flush isatty read readable readline readlines seek seekable tell truncate write writable "
               "writelines")
    | _methods(("starlette.requests.Request", "fastapi.Request"), "body json close is_disconnected")
    | _methods(("starlette.websockets.WebSocket", "fastapi.WebSocket", "fastapi.websockets.WebSocket"),
               "accept close receive receive_bytes receive_json receive_text send send_bytes send_json send_text")
    | _methods(("starlette.datastructures.UploadFile", "fastapi.UploadFile"), "close read seek write")
)

# module-level coroutine functions, by dotted name
COROUTINE_FUNCTIONS: frozenset[str] = _ASYNCIO_FUNCTIONS | _LIBRARY_FUNCTIONS

# coroutine methods, as "Class.method" of the receiver's inferred type
COROUTINE_METHODS: frozenset[str] = _ASYNCIO_METHODS | _LIBRARY_METHODS | frozenset({
    # bound from the wrapped lock at construction, so introspection of the class misses them
    "asyncio.Condition.acquire",
})

# decorators that return the function itself (or a same-kind wrapper)
PRESERVING_DECORATORS: frozenset[str] = frozenset({
    "builtins.staticmethod",
    "builtins.classmethod",
    "abc.abstractmethod",
    "typing.overload",
    "typing.final",
    "typing.override",
    "typing.no_type_check",
    "typing_extensions.overload",
    "typing_extensions.final",
    "typing_extensions.override",
    "tenacity.retry",
    "async_lru.alru_cache",
    "backoff.on_exception",
    "backoff.on_predicate",
    "deprecated.deprecated",
    "typing_extensions.deprecated",
    "warnings.deprecated",
})

# decorator factories: @factory(...) returns a decorator that keeps the function a coroutine function
PRESERVING_DECORATOR_FACTORIES: frozenset[str] = frozenset({
    "functools.wraps",
    "tenacity.retry",
    "backoff.on_exception",
    "backoff.on_predicate",
    "async_lru.alru_cache",
    "deprecated.deprecated",
    "typing_extensions.deprecated",
    "warnings.deprecated",
})

# decorators whose result is not a coroutine function: calling it makes a context manager (or the name
# is a property); `@asynccontextmanager` on an async generator is the usual case
NON_COROUTINE_DECORATORS: frozenset[str] = frozenset({
    "contextlib.asynccontextmanager",
    "contextlib.contextmanager",
    "builtins.property",
    "functools.cached_property",
})

# any decorator under these names marks and returns the function unchanged
PRESERVING_DECORATOR_PREFIXES: tuple[str, ...] = ("pytest.mark.",)

# web framework objects whose methods (@app.get("/"), @router.post(...), @bp.route(...)) register the
# function and return it unchanged
ROUTE_REGISTRAR_TYPES: frozenset[str] = frozenset({
    "fastapi.FastAPI",
    "fastapi.APIRouter",
    "fastapi.routing.APIRouter",
    "starlette.applications.Starlette",
    "starlette.routing.Router",
    "aiohttp.web.RouteTableDef",
    "sanic.Sanic",
    "sanic.Blueprint",
    "quart.Quart",
    "quart.Blueprint",
    "litestar.Router",
    "aiogram.Router",
    "aiogram.Dispatcher",
})
