"""APF202-APF209, APF303: a blocking call ``fn(*args, **kwargs)`` in async context ->
``await asyncio.to_thread(fn, *args, **kwargs)`` (unsafe: the call then runs in a worker thread)."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from ..rules.base import Finding, FixSafety
from .base import Edit, FixContext, Fixer, Skip, attribute, awaited, callee_name, has_comment

# calls that return a lazy iterator: the blocking work happens when it is iterated, not in the call
_LAZY = frozenset({"walk", "fwalk", "iglob", "glob", "rglob", "iterdir", "scandir", "as_completed", "imap",
                   "imap_unordered"})
# APF206: waits tied to the thread that makes them (an RLock is owned by the thread that acquires it, a
# Condition must be waited on by the thread that holds its lock)
_THREAD_BOUND = frozenset({"acquire", "wait", "wait_for"})
# APF208: drivers whose connection objects refuse use from another thread (sqlite3's check_same_thread);
# the others (pymongo, redis-py, psycopg2, pymysql) may be used from a worker thread, one call at a time
_THREAD_BOUND_DRIVERS = ("sqlite3.",)


def _plain_callee(expr: cst.BaseExpression) -> bool:
    """A name or a chain of attributes of a name: evaluating it twice or elsewhere changes nothing."""
    while isinstance(expr, cst.Attribute):
        expr = expr.value
    return isinstance(expr, cst.Name)


class ToThreadFixer(Fixer):
    safety = FixSafety.UNSAFE
    description = (
        "rewrites the call `fn(*args, **kwargs)` to `await asyncio.to_thread(fn, *args, **kwargs)` (adding "
        "`import asyncio` when needed), only in async context and only when the callee is a plain name or "
        "attribute (not computed by another call), the result is not iterated on the spot and the call is not a "
        "lock or condition wait (`acquire()`, `wait()`, which belong to the calling thread) nor a sqlite3 call "
        "(its connection belongs to the thread that made it); unsafe because "
        "the call then runs in a worker thread: it cannot be cancelled with the task, and objects it shares "
        "must be safe to use from another thread"
    )
    targets = (cst.Call,)

    def __init__(self, *codes: str) -> None:
        self.codes = codes

    def plan(self, ctx: FixContext, node: cst.CSTNode, finding: Finding) -> Sequence[Edit]:
        assert isinstance(node, cst.Call)
        ctx.require_async_context(node)
        if ctx.is_awaited(node):
            raise Skip("the call is already awaited")
        if not _plain_callee(node.func):
            raise Skip(f"the callee '{ctx.code(node.func)}' is computed by an expression that would then run in "
                       "the event loop: move the work into a function and use asyncio.to_thread on it")
        name = callee_name(node)
        if name in _LAZY:
            raise Skip(f"{name}() returns a lazy iterator: its work happens when it is iterated")
        parent = ctx.parent(node)
        if isinstance(parent, (cst.For, cst.CompFor)) and parent.iter is node:
            raise Skip("the result is iterated right here, and the iteration would still block the event loop")
        if finding.code == "APF208" and (finding.subject or "").startswith(_THREAD_BOUND_DRIVERS):
            raise Skip("a sqlite3 connection and its cursors may only be used by the thread that made them: move "
                       "the whole database work into a plain function and run that with asyncio.to_thread")
        if finding.code == "APF206" and name in _THREAD_BOUND:
            raise Skip(f"{name}() is tied to the thread that calls it (lock ownership): use an asyncio "
                       "primitive instead")
        asyncio_name, needs_import = ctx.asyncio_name(node)
        parenthesize = ctx.needs_parentheses(node)

        def apply(updated: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(updated, cst.Call)
            func_arg = cst.Arg(value=updated.func)
            if updated.args:
                # arguments laid out one per line get the function on a line of its own, likewise
                opening = updated.whitespace_before_args
                after: cst.BaseParenthesizableWhitespace = cst.SimpleWhitespace(" ")
                if isinstance(opening, cst.ParenthesizedWhitespace) and not has_comment(opening):
                    after = opening
                func_arg = func_arg.with_changes(comma=cst.Comma(whitespace_after=after))
            call = cst.Call(func=attribute(f"{asyncio_name}.to_thread"), args=[func_arg, *updated.args],
                            whitespace_before_args=updated.whitespace_before_args,
                            lpar=updated.lpar, rpar=updated.rpar)
            return awaited(call, parenthesize)

        return [Edit(node, "to_thread", apply, needs_import)]
