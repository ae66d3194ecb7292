"""The project index: the other modules of the project a file belongs to, parsed (never imported).

flake8 hands the plugin one file at a time. To know that ``from .client import fetch`` is a coroutine
function, or that ``helpers.load()`` calls ``requests.get`` two calls down, the index finds the project
root from the file's package chain, maps dotted names to files, parses those files with ``ast`` and keeps
a small summary of each (its functions, what kind each is, and what each calls). Summaries are cached per
process, keyed by path and checked against mtime and size; the cache is bounded (least recently used
summaries are dropped). Summaries are also kept on disk between runs (analysis/summary_cache.py; writes
are atomic, so flake8's ``-j`` workers can share the directory).
"""

from __future__ import annotations

import ast
import functools
import os
import time
import tokenize
import warnings
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from .blocking import blocking_match
from .modules import module_location
from .outline import outline, verify
from .resolve import ModuleInfo, OutlineTooShallow, Symbol
from .scopes import BindingKind, Scope
from .summary_cache import Stamp, SummaryCache

if TYPE_CHECKING:
    from ..checker import FileContext
    from ..settings import Settings

MAX_MODULES = 2000  # summaries kept per process
MAX_FILE_BYTES = 2_000_000  # larger project files are not indexed (generated code, data)
RECHECK_SECONDS = 2.0  # a long-lived process re-reads a changed module after at most this long

# decorators that leave a plain def a plain function called in the caller's thread
_KEEPS_PLAIN = frozenset({
    "builtins.staticmethod", "builtins.classmethod", "functools.cache", "functools.lru_cache",
    "functools.wraps", "typing.overload", "typing.final", "typing.override", "abc.abstractmethod",
    "typing_extensions.override", "typing_extensions.final",
})


class FunctionKind:
    """What calling a project function gives: plain strings, not an enum, so that summaries are tuples of
    strings and ints (see FunctionSummary)."""

    COROUTINE: Final = "coroutine function"
    PLAIN: Final = "plain function"
    OTHER: Final = "other"  # async generators, and functions whose decorators we do not know
    ALL: Final = frozenset({COROUTINE, PLAIN, OTHER})


# What the index keeps of each function of the project, as plain tuples of strings and ints. A whole
# project's summaries stay alive for the run, and Python's cyclic collector stops tracking exact tuples of
# such values, where it would walk tens of thousands of objects again at every full collection of the host
# process (flake8): as dataclass instances they made each full collection at the end of a corpus run take
# 8.8 ms instead of bare flake8's 3.4 ms (4.8 ms as tuples). tests/test_project.py checks they are untracked.
#
# A call made directly in a function's body: (line, the dotted names its callee is known by, and, when the
# call blocks (analysis/blocking.py, arguments and receiver considered), its rule code and the name it is
# known by in the knowledge table, else None).
CallSite = tuple[int, tuple[str, ...], "tuple[str, str] | None"]
# A function: (qualname, kind (a FunctionKind), path, line of its def, its call sites). The call sites are
# those of plain functions only (the call graph follows nothing else), and None for a plain function whose
# module was read from its outline: ProjectIndex.whole_function reads them when a chain needs them.
FunctionSummary = tuple[str, str, str, int, "tuple[CallSite, ...] | None"]


def display(function: FunctionSummary) -> str:
    """How chains show a function: ``fetch_page()`` or ``Client.fetch()``."""
    return function[0].rsplit(".", 1)[-1] + "()"


class ModuleSummary(NamedTuple):
    name: str
    path: str
    functions: dict[str, FunctionSummary]
    exports: dict[str, str]  # module-level imported name -> the dotted name it stands for
    class_bases: dict[str, tuple[str, ...]]  # class qualname -> resolved base qualnames
    # False when made from the module's outline: plain functions whose bodies it left out have no call sites
    complete: bool = True


def callee_names(module: ModuleInfo, call: ast.Call, scope: Scope) -> tuple[str, ...]:
    """Dotted names a call's callee is known by: a resolved name (local defs included), or, for a method
    on a receiver of inferred type, ``Type.method`` for the type and its bases. Memoized per call."""
    cached = module.callee_cache.get(call)
    if cached is None:
        cached = module.callee_cache[call] = _callee_names(module, call, scope)
    return cached


def _callee_names(module: ModuleInfo, call: ast.Call, scope: Scope) -> tuple[str, ...]:
    func = call.func
    symbol = module.resolve(func, scope)
    if symbol is not None:
        return (symbol.qualname,)
    if isinstance(func, ast.Attribute):
        receiver = module.infer_type(func.value, scope)
        if receiver is not None:
            names: list[str] = []
            for klass in module.class_mro(receiver):
                if isinstance(klass.node, ast.ClassDef):
                    member = module.class_member(klass, func.attr)
                    if member is not None:
                        names.append(member.qualname)
                        break
                elif klass.qualname != "<unknown>":
                    names.append(f"{klass.qualname}.{func.attr}")
            return tuple(names)
    return ()


def function_kind(ctx: FileContext, node: ast.FunctionDef | ast.AsyncFunctionDef, qualname: str) -> str:
    if isinstance(node, ast.AsyncFunctionDef):
        if ctx.coroutines.is_coroutine_function(Symbol(qualname, node)):
            return FunctionKind.COROUTINE
        return FunctionKind.OTHER
    outer = ctx.module.scopes[node].parent
    assert outer is not None
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if ctx.module.qualname(target, outer) not in _KEEPS_PLAIN:
            return FunctionKind.OTHER
    return FunctionKind.PLAIN


class LocalFunctions:
    """The functions of an analyzed file, summarized on demand (the linted file itself: most of its
    functions are never asked about, so their calls are not resolved unless needed)."""

    def __init__(self, ctx: FileContext, call_sites: bool = True) -> None:
        self.ctx = ctx
        self.call_sites = call_sites  # False: plain functions' call sites left unknown (None)
        module = ctx.module
        self._defs: dict[str, tuple[ast.FunctionDef | ast.AsyncFunctionDef, Scope]] = {}
        self.class_bases: dict[str, tuple[str, ...]] = {}
        for node, scope in module.scopes.items():
            parent = scope.parent
            if parent is None:
                continue
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._defs[module.local_qualname(parent, node.name)] = (node, scope)
            elif isinstance(node, ast.ClassDef):
                bases = tuple(q for q in (module.qualname(b, parent) for b in node.bases) if q)
                self.class_bases[module.local_qualname(parent, node.name)] = bases
        self._calls: dict[Scope, list[tuple[ast.Call, Scope]]] | None = None
        self._summaries: dict[str, FunctionSummary] = {}

    def names(self) -> list[str]:
        return list(self._defs)

    def get(self, qualname: str) -> FunctionSummary | None:
        found = self._summaries.get(qualname)
        if found is not None:
            return found
        entry = self._defs.get(qualname)
        if entry is None:
            return None
        node, scope = entry
        kind = function_kind(self.ctx, node, qualname)
        if kind != FunctionKind.PLAIN or not self.call_sites or node in self.ctx.module.blanked:
            # only plain defs are followed down call chains: the calls of the others are not needed (and
            # those of a plain def whose body an outline left out are read when a chain reaches it)
            calls = None if kind == FunctionKind.PLAIN else ()
            found = (qualname, kind, self.ctx.filename, node.lineno, calls)
            self._summaries[qualname] = found
            return found
        if self._calls is None:
            grouped: dict[Scope, list[tuple[ast.Call, Scope]]] = {}
            for _hooks, call, _parent, call_scope in self.ctx.queue:
                if isinstance(call, ast.Call):
                    grouped.setdefault(call_scope.function, []).append((call, call_scope))
            self._calls = grouped
        sites: list[CallSite] = []
        for call, call_scope in self._calls.get(scope, ()):
            names = callee_names(self.ctx.module, call, call_scope)
            if names:
                match = blocking_match(self.ctx, call, call_scope)
                blocking = (match.entry.code, match.key) if match is not None else None
                sites.append((call.lineno, names, blocking))
        found = (qualname, kind, self.ctx.filename, node.lineno, tuple(sites))
        self._summaries[qualname] = found
        return found


def summarize(ctx: FileContext, call_sites: bool = True) -> ModuleSummary:
    """The summary of an analyzed file: its functions, their kinds and, with ``call_sites``, the direct
    calls of its plain functions (complete when every plain function has them). Raises OutlineTooShallow
    when the file was read from an outline that is not enough."""
    local = LocalFunctions(ctx, call_sites)
    functions = {name: summary for name in local.names() if (summary := local.get(name)) is not None}
    exports: dict[str, str] = {}
    for name, bindings in ctx.module.module_scope.bindings.items():
        if len(bindings) == 1 and bindings[0].kind is BindingKind.IMPORT and bindings[0].qualname:
            exports[name] = bindings[0].qualname
    complete = call_sites and all(f[4] is not None for f in functions.values() if f[1] == FunctionKind.PLAIN)
    return ModuleSummary(ctx.module.module_name, ctx.filename, functions, exports, local.class_bases, complete)


# the walk of another module only queues its calls (no rule runs there), for summarize()
_CALLS_ONLY: dict[type, list[Any]] = {ast.Call: []}


def _summary_from_outline(path: str, source: str, settings: Settings) -> ModuleSummary | None:
    """The declarations of a module read from its outline: its functions and their kinds, re-exports and
    class bases, with no plain function's call sites (ProjectIndex.whole_function reads them). None when
    the module has no outline, it does not parse into the intended shape, or a question needs a body it
    left out (the caller then reads the whole module)."""
    from ..checker import analyze

    made = outline(source)
    if made is None:
        return None
    try:
        tree = ast.parse(made.source, filename=path)
    except SyntaxError:
        return None  # a body ended too early (see analysis/outline.py), or a real error: read it whole
    blanked = verify(tree, made.stubs)
    if blanked is None:
        return None
    # the signatures and decorators of blanked functions bind nothing unless they hold a `:=`: not walked
    bare = blanked if ":=" not in made.source else frozenset()
    ctx = analyze(tree, path, (), settings, _CALLS_ONLY, bare)
    try:
        ctx.module.set_blanked(blanked)
        return summarize(ctx, call_sites=False)
    except OutlineTooShallow:
        return None
    finally:
        ctx.release()


@functools.lru_cache(maxsize=8192)
def _is_file(path: str) -> bool:
    return os.path.isfile(path)


class ProjectIndex:
    """Per-process index of project modules (see the module docstring)."""

    def __init__(self, max_modules: int = MAX_MODULES) -> None:
        self.max_modules = max_modules
        self.forget()

    def forget(self) -> None:
        """Back to an empty index, as at the start of a process (the disk cache is left as it is)."""
        self._summaries: OrderedDict[str, tuple[int, int, ModuleSummary | None]] = OrderedDict()
        self._checked: dict[str, float] = {}  # path -> when its mtime/size were last compared
        self._paths: dict[tuple[str, str], str | None] = {}
        # (root, dotted name) -> function; cleared whenever a module changes on disk
        self._functions: dict[tuple[str, str], tuple[float, FunctionSummary | None]] = {}
        # the other modules each summary was made with (for the disk cache), and those of the summaries
        # being made right now (innermost last)
        self._dependencies: dict[str, tuple[Stamp, ...]] = {}  # tuples: left alone by the GC
        self._building: list[set[Stamp]] = []
        # modules read from their outline whose whole text does not parse
        self._whole_failed: set[Stamp] = set()
        self._disk: dict[Settings, SummaryCache] = {}

    # -- locating files -------------------------------------------------------------------------
    @staticmethod
    def root_of(filename: str) -> str | None:
        """The directory that holds the top of the file's package chain (``None`` for stdin)."""
        if not filename or filename in ("-", "stdin", "<unknown>"):
            return None
        module, _package = module_location(filename)
        directory = os.path.dirname(os.path.abspath(filename))
        depth = module.count(".") if not filename.endswith("__init__.py") else module.count(".") + 1
        for _ in range(depth):
            directory = os.path.dirname(directory)
        return directory

    def module_path(self, root: str, dotted: str) -> str | None:
        key = (root, dotted)
        if key in self._paths:
            return self._paths[key]
        base = os.path.join(root, *dotted.split("."))
        found = None
        for candidate in (base + ".py", os.path.join(base, "__init__.py")):
            if _is_file(candidate):
                found = candidate
                break
        self._paths[key] = found
        return found

    # -- summaries ------------------------------------------------------------------------------
    def summary(self, path: str, settings: Settings, whole: bool = False) -> ModuleSummary | None:
        """The summary of a module of the project: from its outline unless ``whole`` (every plain function's
        call sites then known) is asked for."""
        found = self._summary(path, settings, whole)
        if self._building:
            # asked while another module is summarized: that summary depends on this module (and on what
            # this one depends on)
            entry = self._summaries.get(path)
            if entry is not None:
                consulted = self._building[-1]
                consulted.add((path, entry[0], entry[1]))
                consulted.update(self._dependencies.get(path, ()))
        return found

    def _summary(self, path: str, settings: Settings, whole: bool) -> ModuleSummary | None:
        cached = self._summaries.get(path)
        now = time.monotonic()
        if cached is not None and now - self._checked.get(path, 0.0) < RECHECK_SECONDS:
            if not whole or self._enough(path, cached):
                self._summaries.move_to_end(path)
                return cached[2]
        try:
            stat = os.stat(path)
        except OSError:
            return None
        self._checked[path] = now
        if cached is not None:
            if cached[0] == stat.st_mtime_ns and cached[1] == stat.st_size:
                if not whole or self._enough(path, cached):
                    self._summaries.move_to_end(path)
                    return cached[2]
            else:
                self._functions.clear()  # a module changed: answers that went through it may be stale
                cached = None
        stamp = (path, stat.st_mtime_ns, stat.st_size)
        summary = self._made_or_loaded(stamp, settings, whole)
        if summary is None and cached is not None:
            # read from its outline, but the whole module does not parse (an error inside a body the
            # outline left out): keep what the outline said, without those call sites
            self._whole_failed.add(stamp)
            return cached[2]
        self._summaries[path] = (stat.st_mtime_ns, stat.st_size, summary)
        self._summaries.move_to_end(path)
        while len(self._summaries) > self.max_modules:
            evicted, _ = self._summaries.popitem(last=False)
            self._checked.pop(evicted, None)
        return summary

    def _enough(self, path: str, cached: tuple[int, int, ModuleSummary | None]) -> bool:
        """Whether a kept summary answers a question that needs call sites."""
        mtime, size, summary = cached
        return summary is None or summary.complete or (path, mtime, size) in self._whole_failed

    def _made_or_loaded(self, module: Stamp, settings: Settings, whole: bool) -> ModuleSummary | None:
        path, _mtime, size = module
        if size > MAX_FILE_BYTES:
            return None
        disk = self._disk_cache(settings)
        if disk is not None:
            loaded = disk.load(module)
            if loaded is not None and (not whole or loaded[0].complete):
                self._dependencies[path] = tuple(loaded[1])
                return loaded[0]
        self._building.append(set())
        try:
            summary = self._build(path, settings, whole)
        finally:
            consulted = self._building.pop()
        consulted = {d for d in consulted if d[0] != path}
        self._dependencies[path] = tuple(sorted(consulted))
        if disk is not None and summary is not None:
            disk.store(module, self._dependencies[path], summary)
        return summary

    def _disk_cache(self, settings: Settings) -> SummaryCache | None:
        if not settings.cache:
            return None
        found = self._disk.get(settings)
        if found is None:
            found = self._disk[settings] = SummaryCache(settings)
        return found if found.usable else None

    @staticmethod
    def _build(path: str, settings: Settings, whole: bool = False) -> ModuleSummary | None:
        """Parse and summarize one module: from its outline (analysis/outline.py) when it has one and it is
        enough, else the whole module."""
        from ..checker import analyze  # the checker imports this module lazily too

        try:
            with tokenize.open(path) as handle:
                source = handle.read()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if not whole:
                    summary = _summary_from_outline(path, source, settings)
                    if summary is not None:
                        return summary
                tree = ast.parse(source, filename=path)
                ctx = analyze(tree, path, (), settings, _CALLS_ONLY)
                try:
                    return summarize(ctx)
                finally:
                    ctx.release()
        except (OSError, SyntaxError, ValueError, UnicodeDecodeError, RecursionError, MemoryError):
            return None  # an unreadable or broken module is simply not known

    # -- questions --------------------------------------------------------------------------------
    def find_function(self, root: str, qualname: str, settings: Settings, depth: int = 0) -> FunctionSummary | None:
        """The project function a dotted name stands for, following re-exports and class bases."""
        key = (root, qualname)
        now = time.monotonic()
        memo = self._functions.get(key)
        if memo is not None and now - memo[0] < RECHECK_SECONDS:
            return memo[1]
        found = self._find_function(root, qualname, settings, depth)
        self._functions[key] = (now, found)
        return found

    def _find_function(self, root: str, qualname: str, settings: Settings, depth: int) -> FunctionSummary | None:
        if depth > 8:
            return None
        parts = qualname.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            dotted = ".".join(parts[:cut])
            path = self.module_path(root, dotted)
            if path is None:
                continue
            summary = self.summary(path, settings)
            if summary is None:
                return None
            rest = parts[cut:]
            found = summary.functions.get(f"{summary.name}.{'.'.join(rest)}")
            if found is not None:
                return found
            head = rest[0]
            if head in summary.exports:
                target = ".".join([summary.exports[head], *rest[1:]])
                return self.find_function(root, target, settings, depth + 1)
            klass = f"{summary.name}.{head}"
            if len(rest) == 2 and klass in summary.class_bases:
                for base in summary.class_bases[klass]:
                    inherited = self.find_function(root, f"{base}.{rest[1]}", settings, depth + 1)
                    if inherited is not None:
                        return inherited
            return None
        return None

    def whole_function(self, function: FunctionSummary, settings: Settings) -> FunctionSummary | None:
        """The same function with its call sites, its module read whole if it had been read from its
        outline (None when the module can no longer be read, or no longer has it)."""
        if function[4] is not None:
            return function
        summary = self.summary(function[2], settings, whole=True)
        found = summary.functions.get(function[0]) if summary is not None else None
        return found if found is not None and found[4] is not None else None

    def coroutine_lookup(self, filename: str, settings: Settings) -> Callable[[str], bool | None] | None:
        """For CoroutineKnowledge: is this dotted name a coroutine function of the project?"""
        root = self.root_of(filename)
        if root is None:
            return None
        memo: dict[str, bool | None] = {}

        def lookup(qualname: str) -> bool | None:
            if qualname not in memo:
                found = self.find_function(root, qualname, settings)
                memo[qualname] = None if found is None else found[1] == FunctionKind.COROUTINE
            return memo[qualname]

        return lookup


PROJECT = ProjectIndex()
