"""Coroutine functions and methods of libraries, and decorators known to keep an async def a coroutine."""

from __future__ import annotations

from .asyncio_api import COROUTINE_FUNCTIONS as _ASYNCIO_FUNCTIONS
from .asyncio_api import COROUTINE_METHODS as _ASYNCIO_METHODS

# module-level coroutine functions, by dotted name
COROUTINE_FUNCTIONS: frozenset[str] = _ASYNCIO_FUNCTIONS

# coroutine methods, as "Class.method" of the receiver's inferred type
COROUTINE_METHODS: frozenset[str] = _ASYNCIO_METHODS | frozenset({
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
})
