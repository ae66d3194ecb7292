"""APF209: blocking reached through plain helpers of the project, at any depth and across modules."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..analysis.blocking import blocking_match
from ..analysis.callgraph import CallGraph
from ..analysis.project import CallSite, callee_names
from ..analysis.scopes import Scope
from .base import Rule, async_context_only, source_of
from .blocking import to_thread_text

if TYPE_CHECKING:
    from ..checker import FileContext
    from .base import Hook


def blocking_hit(site: CallSite) -> tuple[str, str] | None:
    """A blocking call (2xx or APF303), decided when the call's module was summarized."""
    return site[2]


class TransitiveBlocking(Rule):
    code = "APF209"
    name = "transitive-blocking"
    summary = "a plain `def` of the project, called in async context, that blocks somewhere down its calls"
    message = "{call} blocks the event loop in {where} through {chain}; use '{to_thread}'"
    what = (
        "Reports a call, in async context, of a plain `def` of the same project that, directly or through "
        "further plain defs (any depth up to `--apf-project-depth`, across modules, cycles safe), makes a "
        "blocking call of the 2xx rules or APF303. The message names the whole chain, e.g. "
        "`download() -> fetch_page() -> requests.get() (client.py:12)`. Other modules are found from the "
        "file's package and parsed, never imported. A helper handed to `asyncio.to_thread`, "
        "`loop.run_in_executor`, an executor or a thread is not called, so it is not reported."
    )
    why = (
        "A blocking call does not stop blocking because a helper wraps it: the event loop is stalled for "
        "as long as `requests.get` or `time.sleep` takes, whoever calls it. Single-file, single-call "
        "linters cannot see this; it is the most common way blocking code reaches a coroutine."
    )
    fix = (
        "Run the helper in a worker thread: `await asyncio.to_thread(helper, ...)`, or make the chain "
        "async down to the blocking call and use the async equivalent there."
    )
    options = ("--apf-no-project", "--apf-project-depth")
    probe = "stall"

    def hooks(self) -> Mapping[type[ast.AST], Hook]:
        return {ast.Call: self.check_call}

    @async_context_only
    def check_call(self, ctx: FileContext, node: ast.AST, parent: ast.AST | None, scope: Scope) -> None:
        assert isinstance(node, ast.Call)
        if not scope.is_async:
            return
        names = callee_names(ctx.module, node, scope)
        if not names or blocking_match(ctx, node, scope) is not None:
            return  # unknown, or a blocking call itself (reported by its own rule)
        graph = CallGraph.of(ctx)
        target = graph.plain_target(names)
        if target is None:
            return
        chain = graph.search(target, blocking_hit, self.code)
        if chain is None:
            return
        ctx.report(self, node, call=source_of(node), where=scope.describe(), chain=chain.text(),
                   to_thread=to_thread_text(node))
