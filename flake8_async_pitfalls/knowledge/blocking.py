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

# --- APF203 blocking-subprocess -----------------------------------------------------------------

# --- APF204 blocking-file-io --------------------------------------------------------------------

# --- APF205 blocking-network --------------------------------------------------------------------

# --- APF206 blocking-wait -----------------------------------------------------------------------

# --- APF207 blocking-input ----------------------------------------------------------------------

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
