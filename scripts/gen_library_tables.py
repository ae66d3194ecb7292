"""Regenerate flake8_async_pitfalls/knowledge/library_api.py: coroutine functions and methods of popular
async libraries, read from their source code (parsed with the linter's own project index, never imported).

    ../shared/corpus/fetch.sh /tmp/corpus          # pinned releases of the libraries
    python scripts/gen_library_tables.py /tmp/corpus

For each public class below the script collects, through the class and its bases inside the library:
- ``async def`` methods whose decorators keep them coroutine functions;
- for motor, class attributes made by its ``Async*`` descriptors (``find_one = AsyncRead()``), which
  become coroutine methods at run time;
- for redis' asyncio clients, command methods that return ``self.execute_command(...)`` (a coroutine
  there, since ``execute_command`` is ``async def``);
and for modules, their module-level ``async def`` functions. A few awaitables that are not coroutine
functions in the source but whose result must be awaited (aiohttp's request methods, aiofiles' wrapped
functions) are listed by hand in EXTRA below, each with the reason.
"""

from __future__ import annotations

import ast
import pathlib
import sys
import tokenize

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flake8_async_pitfalls.analysis.project import FunctionKind, ProjectIndex  # noqa: E402
from flake8_async_pitfalls.settings import Settings  # noqa: E402

TARGET = ROOT / "flake8_async_pitfalls" / "knowledge" / "library_api.py"

# corpus directory -> [(public dotted name, defining module, class name or None for module functions)]
SPECS: dict[str, list[tuple[str, str, str | None]]] = {
    "aiohttp-3.14.5": [
        ("aiohttp.ClientSession", "aiohttp.client", "ClientSession"),
        ("aiohttp.client.ClientSession", "aiohttp.client", "ClientSession"),
        ("aiohttp.ClientResponse", "aiohttp.client_reqrep", "ClientResponse"),
        ("aiohttp.client.ClientResponse", "aiohttp.client_reqrep", "ClientResponse"),
        ("aiohttp.client_reqrep.ClientResponse", "aiohttp.client_reqrep", "ClientResponse"),
        ("aiohttp.ClientWebSocketResponse", "aiohttp.client_ws", "ClientWebSocketResponse"),
        ("aiohttp.client_ws.ClientWebSocketResponse", "aiohttp.client_ws", "ClientWebSocketResponse"),
        ("aiohttp.web.Request", "aiohttp.web_request", "Request"),
        ("aiohttp.web_request.Request", "aiohttp.web_request", "Request"),
        ("aiohttp.web.BaseRequest", "aiohttp.web_request", "BaseRequest"),
        ("aiohttp.web_request.BaseRequest", "aiohttp.web_request", "BaseRequest"),
        ("aiohttp.web.StreamResponse", "aiohttp.web_response", "StreamResponse"),
        ("aiohttp.web_response.StreamResponse", "aiohttp.web_response", "StreamResponse"),
        ("aiohttp.web.Response", "aiohttp.web_response", "Response"),
        ("aiohttp.web_response.Response", "aiohttp.web_response", "Response"),
        ("aiohttp.web.WebSocketResponse", "aiohttp.web_ws", "WebSocketResponse"),
        ("aiohttp.web_ws.WebSocketResponse", "aiohttp.web_ws", "WebSocketResponse"),
        ("aiohttp.web.AppRunner", "aiohttp.web_runner", "AppRunner"),
        ("aiohttp.web.TCPSite", "aiohttp.web_runner", "TCPSite"),
        ("aiohttp.StreamReader", "aiohttp.streams", "StreamReader"),
    ],
    "aiofiles-25.1.0/src": [
        ("aiofiles.os", "aiofiles.os", None),
        ("aiofiles.ospath", "aiofiles.ospath", None),
        ("aiofiles.os.path", "aiofiles.ospath", None),
    ],
    "asyncpg-0.32.0": [
        ("asyncpg", "asyncpg.connection", None),
        ("asyncpg.connection", "asyncpg.connection", None),
        ("asyncpg.Connection", "asyncpg.connection", "Connection"),
        ("asyncpg.connection.Connection", "asyncpg.connection", "Connection"),
        ("asyncpg.Pool", "asyncpg.pool", "Pool"),
        ("asyncpg.pool.Pool", "asyncpg.pool", "Pool"),
        # the proxy a pool hands out forwards every call to its Connection
        ("asyncpg.pool.PoolConnectionProxy", "asyncpg.connection", "Connection"),
    ],
    "starlette-1.10.0": [
        ("starlette.requests.Request", "starlette.requests", "Request"),
        ("starlette.websockets.WebSocket", "starlette.websockets", "WebSocket"),
        ("starlette.datastructures.UploadFile", "starlette.datastructures", "UploadFile"),
        # FastAPI re-exports Starlette's classes under its own names
        ("fastapi.Request", "starlette.requests", "Request"),
        ("fastapi.WebSocket", "starlette.websockets", "WebSocket"),
        ("fastapi.websockets.WebSocket", "starlette.websockets", "WebSocket"),
        ("fastapi.UploadFile", "starlette.datastructures", "UploadFile"),
    ],
    "redis-8.1.0": [
        ("redis.asyncio.Redis", "redis.asyncio.client", "Redis"),
        ("redis.asyncio.client.Redis", "redis.asyncio.client", "Redis"),
        ("redis.asyncio.StrictRedis", "redis.asyncio.client", "Redis"),
        ("redis.asyncio.RedisCluster", "redis.asyncio.cluster", "RedisCluster"),
        ("redis.asyncio.client.Pipeline", "redis.asyncio.client", "Pipeline"),
        ("redis.asyncio.client.PubSub", "redis.asyncio.client", "PubSub"),
        ("redis.asyncio.ConnectionPool", "redis.asyncio.connection", "ConnectionPool"),
    ],
    "httpx-0.28.1": [
        ("httpx.AsyncClient", "httpx._client", "AsyncClient"),
        ("httpx._client.AsyncClient", "httpx._client", "AsyncClient"),
        ("httpx.Response", "httpx._models", "Response"),
        ("httpx._models.Response", "httpx._models", "Response"),
    ],
    "motor-3.7.1": [
        ("motor.motor_asyncio.AsyncIOMotorClient", "motor.core", "AgnosticClient"),
        ("motor.motor_asyncio.AsyncIOMotorDatabase", "motor.core", "AgnosticDatabase"),
        ("motor.motor_asyncio.AsyncIOMotorCollection", "motor.core", "AgnosticCollection"),
        ("motor.motor_asyncio.AsyncIOMotorCursor", "motor.core", "AgnosticCursor"),
        ("motor.motor_asyncio.AsyncIOMotorClientSession", "motor.core", "AgnosticClientSession"),
    ],
    "discord.py-2.7.1": [
        ("discord.Client", "discord.client", "Client"),
        ("discord.abc.Messageable", "discord.abc", "Messageable"),
        ("discord.TextChannel", "discord.channel", "TextChannel"),
        ("discord.Message", "discord.message", "Message"),
        ("discord.Member", "discord.member", "Member"),
        ("discord.Guild", "discord.guild", "Guild"),
        ("discord.User", "discord.user", "User"),
        ("discord.InteractionResponse", "discord.interactions", "InteractionResponse"),
        ("discord.Interaction", "discord.interactions", "Interaction"),
        ("discord.Webhook", "discord.webhook.async_", "Webhook"),
    ],
}

# awaitables that are not `async def` in the source, with why they must be awaited
EXTRA_METHODS: dict[str, str] = {
    **{f"{cls}.{m}": "returns _RequestContextManager, which wraps the request coroutine"
       for cls in ("aiohttp.ClientSession", "aiohttp.client.ClientSession")
       for m in ("get", "post", "put", "patch", "delete", "head", "options", "request", "ws_connect")},
    **{f"asyncpg.transaction.Transaction.{m}": "async def behind connresource.guarded, a pass-through wrapper"
       for m in ("start", "commit", "rollback")},
    **{f"asyncpg.prepared_stmt.PreparedStatement.{m}": "async def behind connresource.guarded, a pass-through "
       "wrapper" for m in ("executemany", "explain", "fetch", "fetchmany", "fetchrow", "fetchval")},
    **{f"{cls}.{m}": "a command that hands back execute_command's coroutine through an alias or a helper"
       for cls in ("redis.asyncio.Redis", "redis.asyncio.StrictRedis", "redis.asyncio.client.Redis")
       for m in ("close", "decr", "eval", "evalsha", "incr", "publish", "xread", "xreadgroup", "zrange")},
    **{f"aiofiles.threadpool.AsyncTextIOWrapper.{m}": "delegated to a thread by aiofiles' wrappers"
       for m in ("close", "flush", "isatty", "read", "readable", "readline", "readlines", "seek", "seekable",
                 "tell", "truncate", "write", "writable", "writelines")},
    **{f"aiofiles.threadpool.binary.AsyncBufferedReader.{m}": "delegated to a thread by aiofiles' wrappers"
       for m in ("read", "read1", "readline", "readlines", "write", "writelines", "flush", "close", "seek")},
}
_AIOFILES_WRAPPED = (
    "access getcwd listdir makedirs mkdir readlink remove removedirs rename renames replace rmdir scandir stat "
    "symlink unlink link sendfile statvfs abspath getatime getctime getmtime getsize exists isdir isfile islink "
    "ismount samefile sameopenfile"
).split()
EXTRA_FUNCTIONS: dict[str, str] = {
    "asyncpg.create_pool": "returns a Pool that must be awaited (or used with async with) to connect",
    **{f"{module}.{name}": "made by aiofiles' wrap(): runs the call in a thread and returns a coroutine"
       for module in ("aiofiles.os", "aiofiles.ospath", "aiofiles.os.path") for name in _AIOFILES_WRAPPED},
}

_MOTOR_DESCRIPTORS = ("AsyncRead", "AsyncWrite", "AsyncCommand", "AsyncReadWrite", "unwrap_args_session")


def _class_node(path: str, name: str) -> ast.ClassDef | None:
    with tokenize.open(path) as handle:
        tree = ast.parse(handle.read())
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return node
    return None


def _returns_execute_command(node: ast.FunctionDef) -> bool:
    returns = [n for n in ast.walk(node) if isinstance(n, ast.Return)]
    if not returns:
        return False
    for ret in returns:
        value = ret.value
        if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
                and isinstance(value.func.value, ast.Name) and value.func.value.id == "self"
                and value.func.attr == "execute_command"):
            return False
    return True


def class_methods(index: ProjectIndex, root: str, module: str, name: str, settings: Settings,
                  redis_commands: bool, seen: set[str]) -> set[str]:
    """Coroutine method names of a class, through its bases inside the library."""
    qualname = f"{module}.{name}"
    if qualname in seen:
        return set()
    seen.add(qualname)
    path = index.module_path(root, module)
    if path is None:
        return set()
    summary = index.summary(path, settings)
    if summary is None:
        return set()
    methods: set[str] = set()
    own: set[str] = set()  # every name the class defines itself: it hides the bases' member of that name
    prefix = qualname + "."
    for fn_name, fn in summary.functions.items():
        rest = fn_name[len(prefix):] if fn_name.startswith(prefix) else None
        if rest and "." not in rest:
            own.add(rest)
            if not rest.startswith("_") and fn.kind is FunctionKind.COROUTINE:
                methods.add(rest)
    node = _class_node(path, name)
    if node is not None:
        own.update(t.id for stmt in node.body if isinstance(stmt, ast.Assign)
                   for t in stmt.targets if isinstance(t, ast.Name))
        for stmt in node.body:
            if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
                callee = stmt.value.func
                callee_name = callee.id if isinstance(callee, ast.Name) else getattr(callee, "attr", "")
                if callee_name in _MOTOR_DESCRIPTORS:
                    methods.update(t.id for t in stmt.targets if isinstance(t, ast.Name) and not t.id.startswith("_"))
            if redis_commands and isinstance(stmt, ast.FunctionDef) and not stmt.name.startswith("_"):
                if _returns_execute_command(stmt):
                    methods.add(stmt.name)
    inherited: set[str] = set()
    for base in summary.class_bases.get(qualname, ()):
        base_module, _, base_name = base.rpartition(".")
        while base_module and index.module_path(root, base_module) is None:
            base_module, _, _ = base_module.rpartition(".")
        if not base_module:
            continue
        target = index.find_function(root, f"{base}.__init__", settings)
        module_of_base = target.qualname.rsplit(".", 2)[0] if target else base_module
        base_class = target.qualname.rsplit(".", 2)[1] if target else base_name
        inherited |= class_methods(index, root, module_of_base, base_class, settings, redis_commands, seen)
        if target is None:
            # a base without __init__: follow its module's re-export, if any
            base_summary = index.summary(index.module_path(root, base_module) or "", settings)
            if base_summary is not None and base_name in base_summary.exports:
                exported = base_summary.exports[base_name]
                inherited |= class_methods(index, root, exported.rpartition(".")[0],
                                           exported.rpartition(".")[2], settings, redis_commands, seen)
    return methods | (inherited - (own - methods))


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    corpus = pathlib.Path(argv[0])
    settings = Settings(project=False)
    functions: dict[str, str] = {}
    methods: dict[str, str] = {}
    for directory, specs in SPECS.items():
        root = str(corpus / directory)
        if not pathlib.Path(root).is_dir():
            print(f"missing {root}: run shared/corpus/fetch.sh", file=sys.stderr)
            return 2
        index = ProjectIndex()
        for public, module, class_name in specs:
            if class_name is None:
                path = index.module_path(root, module)
                summary = index.summary(path, settings) if path else None
                if summary is None:
                    print(f"warning: {module} not found in {directory}", file=sys.stderr)
                    continue
                for name, fn in summary.functions.items():
                    short = name[len(module) + 1:]
                    if "." not in short and not short.startswith("_") and fn.kind is FunctionKind.COROUTINE:
                        functions[f"{public}.{short}"] = directory
                continue
            # redis-py's command mixins return `self.execute_command(...)`: a coroutine only where the concrete
            # class's execute_command is async (not on pipelines, which queue commands and return themselves)
            execute = index.find_function(root, f"{module}.{class_name}.execute_command", settings)
            commands_are_coroutines = (public.startswith("redis.") and execute is not None
                                       and execute.kind is FunctionKind.COROUTINE)
            found = class_methods(index, root, module, class_name, settings, commands_are_coroutines, set())
            if not found:
                print(f"warning: no coroutine methods found for {public}", file=sys.stderr)
            for name in found:
                methods[f"{public}.{name}"] = directory
    for key in EXTRA_METHODS:
        methods.setdefault(key, "hand-listed")
    for key in EXTRA_FUNCTIONS:
        functions.setdefault(key, "hand-listed")
    lines = [
        '"""Coroutine functions and methods of popular async libraries. GENERATED by',
        "scripts/gen_library_tables.py from the libraries' source: do not edit. Versions read:",
        "",
        *(f"- {directory.split('/')[0]}" for directory in sorted(SPECS)),
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "LIBRARY_COROUTINE_FUNCTIONS: frozenset[str] = frozenset({",
        *(f"    {name!r}," for name in sorted(functions)),
        "})",
        "",
        "LIBRARY_COROUTINE_METHODS: frozenset[str] = frozenset({",
        *(f"    {name!r}," for name in sorted(methods)),
        "})",
        "",
    ]
    TARGET.write_text("\n".join(lines))
    print(f"{TARGET}: {len(functions)} functions, {len(methods)} methods")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
