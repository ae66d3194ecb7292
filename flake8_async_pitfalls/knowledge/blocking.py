"""Blocking calls: what each 2xx / APF303 rule looks for, and what it suggests instead.

Keys are dotted names as the resolver spells them: a function (``time.sleep``, ``builtins.open``) or a
method of a receiver whose type is inferred (``requests.Session.get``, ``socket.socket.recv``). A key
ending in ``.*`` matches every function directly in that module or every method of that type.
Suggestions are ``str.format`` templates: ``{call}`` the call's source, ``{func}`` the callee's source,
``{args}`` its arguments' source, ``{to_thread}`` the ``await asyncio.to_thread(func, args)`` spelling.
The docs pages render these tables, so they are the documentation of what each rule looks for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Blocking:
    """One blocking call: the rule that reports it and the suggested replacement."""

    code: str
    suggestion: str


def _family(code: str, suggestion: str, *keys: str) -> dict[str, Blocking]:
    entry = Blocking(code, suggestion)
    return {key: entry for key in keys}


BLOCKING_CALLS: dict[str, Blocking] = {}

# --- APF201 blocking-sleep ----------------------------------------------------------------------
BLOCKING_CALLS.update(_family("APF201", "use 'await asyncio.sleep({args})'", "time.sleep"))

# --- APF202 blocking-http -----------------------------------------------------------------------
_HTTP_VERBS = ("request", "get", "options", "head", "post", "put", "patch", "delete")
_HTTP_SUGGESTION = "use an async client ('httpx.AsyncClient', 'aiohttp') or '{to_thread}'"
BLOCKING_CALLS.update(_family(
    "APF202", _HTTP_SUGGESTION,
    # requests: the module functions and the methods of a Session (not the constructors)
    *(f"requests.{verb}" for verb in _HTTP_VERBS),
    *(f"requests.api.{verb}" for verb in _HTTP_VERBS),
    *(f"requests.Session.{verb}" for verb in (*_HTTP_VERBS, "send")),
    # sync httpx: the module functions and httpx.Client (httpx.AsyncClient is a different type)
    *(f"httpx.{verb}" for verb in (*_HTTP_VERBS, "stream")),
    *(f"httpx.Client.{verb}" for verb in (*_HTTP_VERBS, "stream", "send")),
    # urllib3: pools and pool managers (subclasses are known bases in knowledge/types.py)
    "urllib3.request",
    *(f"urllib3.{cls}.{method}" for cls in ("PoolManager", "HTTPConnectionPool")
      for method in ("request", "urlopen", "request_encode_url", "request_encode_body")),
    # the standard library
    "urllib.request.urlopen", "urllib.request.urlretrieve", "urllib.request.OpenerDirector.open",
))
BLOCKING_CALLS.update(_family(
    "APF202",
    "use an async HTTP client ('httpx.AsyncClient', 'aiohttp') or 'asyncio.open_connection', or '{to_thread}'",
    *(f"http.client.HTTPConnection.{method}" for method in ("connect", "request", "getresponse", "endheaders")),
))

# --- APF203 blocking-subprocess -----------------------------------------------------------------
BLOCKING_CALLS.update(_family(
    "APF203", "use 'await asyncio.create_subprocess_exec(...)' then 'await proc.communicate()', or '{to_thread}'",
    "subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output",
    "subprocess.Popen.wait", "subprocess.Popen.communicate",
    # os.spawn* in P_NOWAIT / P_DETACH mode and os.wait* with WNOHANG return at once (rules/blocking.py)
    *(f"os.spawn{suffix}" for suffix in ("l", "le", "lp", "lpe", "v", "ve", "vp", "vpe")),
    "os.wait", "os.waitpid", "os.wait3", "os.wait4", "os.waitid",
))
BLOCKING_CALLS.update(_family(
    "APF203", "use 'await asyncio.create_subprocess_shell(...)' then 'await proc.communicate()', or '{to_thread}'",
    "subprocess.getoutput", "subprocess.getstatusoutput", "os.system", "os.popen",
))

# --- APF204 blocking-file-io --------------------------------------------------------------------
# A file is reported once, where it is opened: reads and writes on the file object are not looked up.
BLOCKING_CALLS.update(_family(
    "APF204",
    "use 'aiofiles.open(...)', or do the file work in a plain function run with 'await asyncio.to_thread(...)'",
    "builtins.open", "io.open", "io.open_code", "codecs.open", "os.fdopen",
    "pathlib.Path.open",
))
_FILE_SUGGESTION = "use '{to_thread}' (or an async file library such as 'aiofiles')"
BLOCKING_CALLS.update(_family(
    "APF204", _FILE_SUGGESTION,
    # pathlib: what reads, writes, lists or changes the file system (not the pure path arithmetic)
    *(f"pathlib.Path.{method}" for method in (
        "read_text", "read_bytes", "write_text", "write_bytes", "touch", "unlink", "mkdir", "rmdir",
        "rename", "replace", "iterdir", "glob", "rglob", "walk", "exists", "is_file", "is_dir", "stat",
        "lstat", "chmod", "readlink", "symlink_to", "hardlink_to", "samefile", "copy", "copy_into",
        "move", "move_into",
    )),
    *(f"os.{func}" for func in (
        "listdir", "scandir", "walk", "fwalk", "stat", "lstat", "remove", "unlink", "rename", "renames",
        "replace", "mkdir", "makedirs", "rmdir", "removedirs",
    )),
    # os.path calls that ask the disk (not the string functions: join, abspath, basename, ...)
    *(f"os.path.{func}" for func in (
        "exists", "lexists", "isfile", "isdir", "islink", "ismount", "getsize", "getmtime", "getatime",
        "getctime", "samefile",
    )),
    *(f"shutil.{func}" for func in (
        "copy", "copy2", "copyfile", "copytree", "copymode", "copystat", "move", "rmtree", "make_archive",
        "unpack_archive",
    )),
    "glob.glob", "glob.iglob",
))

# --- APF205 blocking-network --------------------------------------------------------------------

# --- APF206 blocking-wait -----------------------------------------------------------------------

# --- APF207 blocking-input ----------------------------------------------------------------------
BLOCKING_CALLS.update(_family(
    "APF207", "use '{to_thread}'",
    "builtins.input", "getpass.getpass",
    *(f"sys.{stream}.{method}" for stream in ("stdin", "stdin.buffer", "__stdin__")
      for method in ("read", "readline", "readlines")),
))

# --- APF208 blocking-database -------------------------------------------------------------------

# --- APF303 cpu-heavy-call ----------------------------------------------------------------------


def _wildcards(table: Mapping[str, Blocking]) -> dict[str, Blocking]:
    return {key[:-2]: value for key, value in table.items() if key.endswith(".*")}


WILDCARDS: dict[str, Blocking] = _wildcards(BLOCKING_CALLS)


def lookup(key: str) -> Blocking | None:
    """The entry for a dotted callee name, exact or through a ``prefix.*`` wildcard."""
    found = BLOCKING_CALLS.get(key)
    if found is not None:
        return found
    prefix, _, _ = key.rpartition(".")
    return WILDCARDS.get(prefix) if prefix else None
