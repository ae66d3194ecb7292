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
from typing import NamedTuple


class Blocking(NamedTuple):
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
# Socket methods count only on a socket not known to be non-blocking (the rule checks for setblocking /
# settimeout(0) and for sockets asyncio hands over); the mail / file-transfer clients' constructors only
# when given a host, as only then do they connect.
BLOCKING_CALLS.update(_family(
    "APF205", "use 'await asyncio.open_connection(...)' (or 'await loop.create_connection(...)')",
    "socket.create_connection",
))
BLOCKING_CALLS.update(_family(
    "APF205", "use 'await asyncio.get_running_loop().getaddrinfo({args})'", "socket.getaddrinfo",
))
BLOCKING_CALLS.update(_family(
    "APF205", "use 'await asyncio.get_running_loop().getnameinfo({args})'", "socket.getnameinfo",
))
BLOCKING_CALLS.update(_family(
    "APF205", "use 'await asyncio.get_running_loop().getaddrinfo(host, port)', or '{to_thread}'",
    "socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr", "socket.getfqdn",
))
_SOCKET_METHODS: Mapping[str, str] = {  # blocking socket method -> the event loop's counterpart
    "connect": "connect", "connect_ex": "connect", "accept": "accept", "recv": "recv",
    "recv_into": "recv_into", "recvfrom": "recvfrom", "recvfrom_into": "recvfrom_into", "recvmsg": "recv",
    "send": "sendall", "sendall": "sendall", "sendto": "sendto", "sendmsg": "sendall", "sendfile": "sendfile",
}
BLOCKING_CALLS.update({
    f"socket.socket.{method}": Blocking(
        "APF205", f"use asyncio streams ('await asyncio.open_connection(...)'), or "
        f"'await loop.sock_{loop_method}(sock, ...)' on a non-blocking socket")
    for method, loop_method in _SOCKET_METHODS.items()
})
_NETLIB_METHODS: Mapping[tuple[str, ...], tuple[str, ...]] = {
    ("smtplib.SMTP", "smtplib.SMTP_SSL", "smtplib.LMTP"): (
        "connect", "login", "sendmail", "send_message", "ehlo", "helo", "ehlo_or_helo_if_needed", "starttls",
        "quit", "noop", "verify", "rset", "mail", "rcpt", "data", "docmd", "auth"),
    ("ftplib.FTP", "ftplib.FTP_TLS"): (
        "connect", "login", "cwd", "pwd", "retrbinary", "retrlines", "storbinary", "storlines", "nlst", "dir",
        "mlsd", "size", "delete", "rename", "mkd", "rmd", "quit", "sendcmd", "voidcmd", "transfercmd",
        "ntransfercmd", "prot_p", "auth"),
    ("poplib.POP3", "poplib.POP3_SSL"): (
        "user", "pass_", "apop", "rpop", "stat", "list", "retr", "dele", "top", "uidl", "noop", "rset", "quit",
        "capa", "stls", "utf8"),
    ("imaplib.IMAP4", "imaplib.IMAP4_SSL", "imaplib.IMAP4_stream"): (
        "login", "login_cram_md5", "authenticate", "select", "examine", "search", "fetch", "store", "copy",
        "append", "expunge", "close", "logout", "list", "lsub", "uid", "noop", "idle", "status", "create",
        "delete", "rename", "starttls", "enable", "check"),
    ("telnetlib.Telnet",): ("open", "read_until", "read_all", "read_some", "write", "expect", "interact"),
}
_NETLIB_SUGGESTIONS: Mapping[str, str] = {
    "smtplib": "use 'aiosmtplib', or run the whole exchange in a thread with 'await asyncio.to_thread(...)'",
    "ftplib": "use 'aioftp', or run the whole transfer in a thread with 'await asyncio.to_thread(...)'",
    "poplib": "run the whole exchange in a thread with 'await asyncio.to_thread(...)'",
    "imaplib": "use 'aioimaplib', or run the whole exchange in a thread with 'await asyncio.to_thread(...)'",
    "telnetlib": "use asyncio streams: 'await asyncio.open_connection(host, port)'",
}
for _classes, _methods in _NETLIB_METHODS.items():
    _netlib = Blocking("APF205", _NETLIB_SUGGESTIONS[_classes[0].partition(".")[0]])
    BLOCKING_CALLS.update({cls: _netlib for cls in _classes})  # constructors connect when given a host
    # methods on the base class: the subclasses reach it through knowledge/types.py KNOWN_BASES
    BLOCKING_CALLS.update({f"{_classes[0]}.{method}": _netlib for method in _methods})

# --- APF206 blocking-wait -----------------------------------------------------------------------
# Calls given a non-blocking argument (acquire(blocking=False), get(block=False), wait(0), result(timeout=0))
# and put() on a queue not known to be bounded are left out by the rule.
BLOCKING_CALLS.update(_family(
    "APF206", "use 'asyncio.Lock' / 'asyncio.Semaphore' in async code, or '{to_thread}'",
    *(f"{cls}.acquire" for cls in (
        "threading.Lock", "threading.RLock", "threading.Semaphore", "threading.BoundedSemaphore",
        "threading.Condition", "multiprocessing.Lock", "multiprocessing.RLock", "multiprocessing.Semaphore",
        "multiprocessing.BoundedSemaphore")),
))
BLOCKING_CALLS.update(_family(
    "APF206", "use 'asyncio.Event' in async code, or '{to_thread}'",
    "threading.Event.wait", "multiprocessing.Event.wait",
))
BLOCKING_CALLS.update(_family(
    "APF206", "use 'asyncio.Condition' in async code, or '{to_thread}'",
    "threading.Condition.wait", "threading.Condition.wait_for", "threading.Barrier.wait",
    "multiprocessing.Condition.wait", "multiprocessing.Barrier.wait",
))
BLOCKING_CALLS.update(_family(
    "APF206", "use '{to_thread}' (or run the work with 'await asyncio.to_thread(fn)' instead of a thread)",
    "threading.Thread.join", "multiprocessing.Process.join",
))
BLOCKING_CALLS.update(_family(
    "APF206", "use an 'asyncio.Queue' in async code, or '{to_thread}'",
    *(f"{cls}.{method}" for cls in ("queue.Queue", "queue.LifoQueue", "queue.PriorityQueue", "queue.SimpleQueue",
                                    "multiprocessing.Queue", "multiprocessing.JoinableQueue",
                                    "multiprocessing.SimpleQueue")
      for method in ("get", "put", "join")),
))
BLOCKING_CALLS.update(_family(
    "APF206", "await the future instead: 'await asyncio.wrap_future(future)' (or submit the work with "
    "'await loop.run_in_executor(pool, fn)')",
    "concurrent.futures.Future.result", "concurrent.futures.Future.exception",
))
BLOCKING_CALLS.update(_family(
    "APF206", "wrap the futures with 'asyncio.wrap_future(f)' and use 'asyncio.wait' / 'asyncio.as_completed'",
    "concurrent.futures.wait", "concurrent.futures.as_completed",
))
_POOLS = ("multiprocessing.pool.Pool", "multiprocessing.pool.ThreadPool")
BLOCKING_CALLS.update(_family(
    "APF206", "submit each item with 'await loop.run_in_executor(executor, fn, item)', or use '{to_thread}'",
    *(f"{cls}.{method}" for cls in _POOLS for method in ("map", "starmap", "apply", "imap", "imap_unordered")),
))
BLOCKING_CALLS.update(_family(
    "APF206", "use '{to_thread}', or submit the work with 'await loop.run_in_executor(executor, fn, ...)'",
    *(f"{cls}.join" for cls in _POOLS),
    *(f"multiprocessing.pool.{cls}.{method}" for cls in ("AsyncResult", "ApplyResult", "MapResult")
      for method in ("get", "wait")),
))

# --- APF207 blocking-input ----------------------------------------------------------------------
BLOCKING_CALLS.update(_family(
    "APF207", "use '{to_thread}'",
    "builtins.input", "getpass.getpass",
    *(f"sys.{stream}.{method}" for stream in ("stdin", "stdin.buffer", "__stdin__")
      for method in ("read", "readline", "readlines")),
))

# --- APF208 blocking-database -------------------------------------------------------------------
# a sqlite3 connection works only in the thread that made it: the whole database work moves together
_SQLITE = "use 'aiosqlite', or put the database work in a plain function run with 'await asyncio.to_thread(fn)'"
BLOCKING_CALLS.update(_family(
    "APF208", _SQLITE,
    "sqlite3.connect",
    *(f"sqlite3.Connection.{method}" for method in (
        "execute", "executemany", "executescript", "commit", "rollback", "backup", "iterdump")),
    *(f"sqlite3.Cursor.{method}" for method in (
        "execute", "executemany", "executescript", "fetchone", "fetchmany", "fetchall")),
))
_DBAPI_CONNECTION = ("commit", "rollback")
_DBAPI_CURSOR = ("execute", "executemany", "fetchone", "fetchmany", "fetchall", "callproc")
BLOCKING_CALLS.update(_family(
    "APF208", "use 'asyncpg' or psycopg 3's 'await psycopg.AsyncConnection.connect(...)', or '{to_thread}'",
    "psycopg2.connect",
    *(f"psycopg2.extensions.connection.{method}" for method in _DBAPI_CONNECTION),
    *(f"psycopg2.extensions.cursor.{method}" for method in (
        *_DBAPI_CURSOR, "copy_expert", "copy_from", "copy_to")),
    "psycopg.connect", "psycopg.Connection.connect",
    *(f"psycopg.Connection.{method}" for method in ("execute", *_DBAPI_CONNECTION)),
    *(f"psycopg.Cursor.{method}" for method in (*_DBAPI_CURSOR[:-1], "copy")),
))
BLOCKING_CALLS.update(_family(
    "APF208", "use 'aiomysql' or 'asyncmy', or '{to_thread}'",
    "pymysql.connect", "MySQLdb.connect", "mysql.connector.connect",
    *(f"pymysql.connections.Connection.{method}" for method in (
        *_DBAPI_CONNECTION, "ping", "query", "select_db")),
    *(f"pymysql.cursors.Cursor.{method}" for method in _DBAPI_CURSOR),
))
BLOCKING_CALLS.update(_family(
    "APF208", "use 'motor' (AsyncIOMotorClient) or pymongo's 'AsyncMongoClient', or '{to_thread}'",
    "pymongo.MongoClient", "pymongo.mongo_client.MongoClient",
    *(f"{cls}.{method}" for cls in ("pymongo.MongoClient", "pymongo.mongo_client.MongoClient") for method in (
        "server_info", "list_database_names", "list_databases", "drop_database")),
    *(f"{cls}.{method}" for cls in ("pymongo.collection.Collection", "pymongo.database.Database")
      for method in ("command", "list_collection_names", "create_collection", "drop_collection")),
    *(f"pymongo.collection.Collection.{method}" for method in (
        "find_one", "insert_one", "insert_many", "update_one", "update_many", "replace_one", "delete_one",
        "delete_many", "count_documents", "estimated_document_count", "aggregate", "distinct", "bulk_write",
        "create_index", "create_indexes", "drop_index", "find_one_and_update", "find_one_and_replace",
        "find_one_and_delete", "drop")),
))
_REDIS_COMMANDS = (
    "execute_command", "ping", "info", "dbsize", "flushdb", "flushall", "keys", "scan", "scan_iter", "type",
    "get", "set", "setex", "setnx", "psetex", "getset", "getdel", "getex", "mget", "mset", "msetnx", "append",
    "delete", "unlink", "exists", "expire", "pexpire", "expireat", "persist", "ttl", "pttl", "rename",
    "incr", "incrby", "incrbyfloat", "decr", "decrby", "strlen",
    "hget", "hset", "hsetnx", "hmset", "hmget", "hgetall", "hdel", "hexists", "hincrby", "hkeys", "hvals",
    "hlen", "hscan", "hscan_iter",
    "lpush", "rpush", "lpop", "rpop", "blpop", "brpop", "brpoplpush", "lmove", "blmove", "lrange", "llen",
    "lindex", "lrem", "ltrim", "lset",
    "sadd", "srem", "smembers", "sismember", "scard", "spop", "srandmember", "sscan", "sscan_iter",
    "zadd", "zrem", "zrange", "zrevrange", "zrangebyscore", "zrevrangebyscore", "zscore", "zcard", "zincrby",
    "zrank", "zpopmin", "zpopmax", "bzpopmin", "bzpopmax", "zremrangebyscore", "zscan", "zscan_iter",
    "publish", "eval", "evalsha", "script_load",
    "xadd", "xread", "xreadgroup", "xack", "xrange", "xrevrange", "xlen", "xtrim", "xdel", "xgroup_create",
    "pfadd", "pfcount", "setbit", "getbit", "bitcount",
)
BLOCKING_CALLS.update(_family(
    "APF208", "use 'redis.asyncio.Redis' and 'await' its commands, or '{to_thread}'",
    *(f"redis.Redis.{command}" for command in _REDIS_COMMANDS),
    "redis.client.Pipeline.execute",
))

# --- APF303 cpu-heavy-call ----------------------------------------------------------------------
# Compression of a buffer built from literals, known to be under 64 KiB, is left out by the rule, and so
# is key derivation with a literal iteration count below 1000.
_CPU = "run it in a thread: '{to_thread}' (or in a process pool with 'await loop.run_in_executor(pool, ...)')"
BLOCKING_CALLS.update(_family(
    "APF303", _CPU,
    "hashlib.pbkdf2_hmac", "hashlib.scrypt",
    "bcrypt.hashpw", "bcrypt.checkpw", "bcrypt.kdf",
    "argon2.PasswordHasher.hash", "argon2.PasswordHasher.verify", "argon2.hash_password",
    "argon2.hash_password_raw", "argon2.verify_password",
    "argon2.low_level.hash_secret", "argon2.low_level.hash_secret_raw", "argon2.low_level.verify_secret",
    *(f"{module}.{func}" for module in ("zlib", "bz2", "lzma", "gzip") for func in ("compress", "decompress")),
))


def _wildcards(table: Mapping[str, Blocking]) -> dict[str, Blocking]:
    return {key[:-2]: value for key, value in table.items() if key.endswith(".*")}


WILDCARDS: dict[str, Blocking] = _wildcards(BLOCKING_CALLS)


# The last part of every name the table knows: a method call ``x.attr(...)`` is known, whatever ``x`` is, by
# names that end in ``.attr`` (``Type.attr``, ``module.attr``; canonical spellings only drop middle parts),
# so a call whose attribute is not among these cannot be in the table (unless a wildcard entry exists).
METHOD_NAMES: frozenset[str] = frozenset(key.rsplit(".", 1)[-1] for key in BLOCKING_CALLS)


def lookup(key: str) -> Blocking | None:
    """The entry for a dotted callee name, exact or through a ``prefix.*`` wildcard."""
    found = BLOCKING_CALLS.get(key)
    if found is not None:
        return found
    prefix, _, _ = key.rpartition(".")
    return WILDCARDS.get(prefix) if prefix else None
