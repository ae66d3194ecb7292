"""Coroutine functions and methods of libraries, and decorators known to keep an async def a coroutine."""

from __future__ import annotations

from .asyncio_api import COROUTINE_FUNCTIONS as _ASYNCIO_FUNCTIONS
from .asyncio_api import COROUTINE_METHODS as _ASYNCIO_METHODS
from .library_api import LIBRARY_COROUTINE_FUNCTIONS, LIBRARY_COROUTINE_METHODS


# Popular async libraries (aiohttp, aiofiles, asyncpg, redis.asyncio, httpx, motor, discord.py, starlette /
# FastAPI): generated from their sources by scripts/gen_library_tables.py into library_api.py, including the
# plain methods that hand back an awaitable doing the work (aiohttp's `session.get()`, redis-py's commands),
# since discarding those loses the work just the same.
_LIBRARY_FUNCTIONS = LIBRARY_COROUTINE_FUNCTIONS
_LIBRARY_METHODS = LIBRARY_COROUTINE_METHODS

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
