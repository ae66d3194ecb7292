"""2xx: calls that block the event loop when made directly in async context.

Every 2xx rule (and APF303) reads the same per-call lookup, done once per call and shared: the call's
dotted name (resolved through imports, or ``Type.method`` from the receiver's inferred type) looked up in
knowledge/blocking.py, then in the user's ``--apf-blocking-calls`` patterns (APF200).
"""

from __future__ import annotations

import ast
import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from ..analysis.scopes import Scope
from ..knowledge.blocking import Blocking, lookup
from .base import FixSafety, Rule, source_of

if TYPE_CHECKING:
    from .base import Hook
    from ..checker import FileContext
    from ..settings import Settings

_STATE_KEY = "blocking-calls"


@dataclass(frozen=True, slots=True)
class BlockingMatch:
    """A blocking call found at a call site: what it is known as, and the table entry."""

    key: str
    entry: Blocking


class _UserPatterns:
    """``--apf-blocking-calls``: ``pattern[->suggestion]`` entries, compiled once per settings."""

    def __init__(self, raw: tuple[str, ...]) -> None:
        self.entries: list[tuple[re.Pattern[str], Blocking]] = []
        for item in raw:
            pattern, _, suggestion = item.partition("->")
            text = (f"use '{suggestion.strip()}' instead" if suggestion.strip()
                    else "run it with 'await asyncio.to_thread({func}, {args})'")
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


class BlockingCallRule(Rule):
    """A rule that reports, in async context, the calls its knowledge table gives its code."""

    message: ClassVar[str] = "{call} blocks the event loop in {where}; {suggestion}"
    probe: ClassVar[str] = "stall"

    def hooks(self) -> Mapping[type[ast.AST], Hook]:
        return {ast.Call: self.check_call}

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
        ctx.report(self, node, call=call_text(node, match.key), where=scope.describe(), suggestion=suggestion)


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
    fix_safety = FixSafety.SAFE
