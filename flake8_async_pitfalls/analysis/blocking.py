"""Whether a call blocks: the one per-call lookup every 2xx rule, APF303 and the call graph share.

A call's dotted name (resolved through imports, or ``Type.method`` from the receiver's inferred type) is
looked up in knowledge/blocking.py, then checked against what its arguments and receiver say (a
non-blocking flag, a zero timeout, a non-blocking socket: blocking_guards.py; ``os.spawn*``/``os.wait*``
modes), then the user's ``--apf-blocking-calls`` patterns (APF200). Memoized per call.
"""

from __future__ import annotations

import ast
import fnmatch
import re
from typing import TYPE_CHECKING, NamedTuple

from ..knowledge.blocking import METHOD_NAMES, WILDCARDS, Blocking, lookup
from .blocking_guards import exempt
from .scopes import Scope

if TYPE_CHECKING:
    from ..checker import FileContext
    from ..settings import Settings

_STATE_KEY = "blocking-calls"


class BlockingMatch(NamedTuple):
    """A blocking call found at a call site: what it is known as, and the table entry."""

    key: str
    entry: Blocking


class _UserPatterns:
    """``--apf-blocking-calls``: ``pattern[->suggestion]`` entries, compiled once per settings."""

    def __init__(self, raw: tuple[str, ...]) -> None:
        self.entries: list[tuple[re.Pattern[str], Blocking]] = []
        for item in raw:
            pattern, _, suggestion = item.partition("->")
            # the user's text is not a template: its braces are kept as typed
            replacement = suggestion.strip().replace("{", "{{").replace("}", "}}")
            text = f"use '{replacement}' instead" if replacement else "use '{to_thread}'"
            self.entries.append((re.compile(fnmatch.translate(pattern.strip())), Blocking("APF200", text)))

    def match(self, key: str) -> Blocking | None:
        for pattern, entry in self.entries:
            if pattern.match(key):
                return entry
        return None


_user_patterns_cache: dict[tuple[str, ...], _UserPatterns] = {}


def _user_patterns(settings: Settings) -> _UserPatterns | None:
    if not settings.blocking_calls:
        return None
    found = _user_patterns_cache.get(settings.blocking_calls)
    if found is None:
        found = _user_patterns_cache[settings.blocking_calls] = _UserPatterns(settings.blocking_calls)
    return found


def blocking_match(ctx: FileContext, call: ast.Call, scope: Scope) -> BlockingMatch | None:
    """The blocking call ``call`` makes, if any (memoized per call for all the rules that ask)."""
    func = call.func
    if (type(func) is ast.Attribute and func.attr not in METHOD_NAMES and not WILDCARDS
            and not ctx.settings.blocking_calls):
        return None  # no name this call may be known by is in the table: nothing to resolve
    memo: dict[ast.Call, BlockingMatch | None] = ctx.rule_state.setdefault(_STATE_KEY, {})
    if call in memo:
        return memo[call]
    found: BlockingMatch | None = None
    keys = ctx.module.call_keys(call, scope)
    for key in keys:
        entry = lookup(key)
        if entry is not None:
            found = BlockingMatch(key, entry)
            break
    if found is not None and exempt(ctx, call, scope, found.key):
        memo[call] = None  # listed, but its arguments or receiver say it does not block here
        return None
    if found is not None and _process_call_returns_at_once(ctx, call, scope, found.key):
        memo[call] = None  # an os.spawn* / os.wait* call whose mode or options say it returns at once
        return None
    if found is None:
        user = _user_patterns(ctx.settings)
        if user is not None:
            for key in keys:
                entry = user.match(key)
                if entry is not None:
                    found = BlockingMatch(key, entry)
                    break
    memo[call] = found
    return found


_WAIT_OPTIONS_ARG = {"os.waitpid": 1, "os.wait3": 0, "os.wait4": 1, "os.waitid": 2}
_WAIT_FLAGS = frozenset({"os.WUNTRACED", "os.WCONTINUED", "os.WEXITED", "os.WSTOPPED", "os.WNOWAIT"})


def _process_call_returns_at_once(ctx: FileContext, call: ast.Call, scope: Scope, key: str) -> bool:
    """An ``os.spawn*`` / ``os.wait*`` call not known to wait: its mode or options are not read as waiting.

    ``os.spawnv(os.P_NOWAIT, ...)`` starts a process and returns, ``os.waitpid(pid, os.WNOHANG)`` polls;
    a mode or options that cannot be read leave the call unreported. Checked in ``blocking_match`` so that
    every rule reading the table (APF209 too) agrees.
    """
    if key.startswith("os.spawn"):
        return not call.args or ctx.module.qualname(call.args[0], scope) != "os.P_WAIT"
    index = _WAIT_OPTIONS_ARG.get(key)
    if index is None:
        return False
    options: ast.expr | None = call.args[index] if len(call.args) > index else None
    for keyword in call.keywords:
        if keyword.arg == "options":
            options = keyword.value
    return options is None or not _blocking_wait_options(ctx, options, scope)


def _blocking_wait_options(ctx: FileContext, options: ast.expr, scope: Scope) -> bool:
    """True when ``options`` is known not to contain ``os.WNOHANG``: 0, or other ``os.W*`` flags or-ed."""
    if isinstance(options, ast.BinOp) and isinstance(options.op, ast.BitOr):
        return (_blocking_wait_options(ctx, options.left, scope)
                and _blocking_wait_options(ctx, options.right, scope))
    if isinstance(options, ast.Constant):
        return options.value == 0
    return ctx.module.qualname(options, scope) in _WAIT_FLAGS


# --- APF204 blocking-file-io --------------------------------------------------------------------
