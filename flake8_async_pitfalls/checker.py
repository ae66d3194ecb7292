"""The single walk over flake8's ``ast`` tree, and the dispatch of nodes to the rules that asked for them.

The walk is iterative (deeply nested code cannot overflow the stack) and does two things at once:
it records scopes and bindings for the whole file, and it queues each node whose type some rule hooks,
together with its parent and scope. Rules run on the queue after the walk, when every binding of every
scope is known. A rule that raises is reported as one APF000 finding; the other rules still run.
"""

from __future__ import annotations

import ast
import gc
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .analysis.coroutines import CoroutineKnowledge
from .analysis.modules import module_location
from .analysis.resolve import ModuleInfo
from .analysis.scopes import Binding, BindingKind, Scope, ScopeKind, bind_import, bind_target
from .rules.base import Finding, Rule, RuleError, is_async_context_only, method_names_of
from .settings import Settings

if TYPE_CHECKING:
    from .rules.base import Hook

    _QueueEntry = tuple[list[tuple[Rule, Hook]], ast.AST, ast.AST | None, Scope]

_FUNCTION_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef)
_COMPREHENSION_TYPES = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_LOOP_TYPES = (ast.For, ast.AsyncFor, ast.While, *_COMPREHENSION_TYPES)
_SKIPPED_FIELDS = frozenset({"ctx", "type_ignores"})
# ASDL field types that never hold a node: such fields are not read by the walk
_ATOMIC_FIELD_TYPES = frozenset({"identifier", "int", "string", "constant"})
_SIGNATURE = re.compile(r"\w+\((.*)\)")

# per node type, the fields that may hold child nodes (computed once per type)
_child_fields: dict[type, tuple[str, ...]] = {}


def _fields_of(node_type: type) -> tuple[str, ...]:
    fields = _child_fields.get(node_type)
    if fields is None:
        fields = tuple(f for f in getattr(node_type, "_fields", ()) if f not in _SKIPPED_FIELDS)
        atomic = _atomic_fields(node_type)
        fields = tuple(f for f in fields if f not in atomic)
        _child_fields[node_type] = fields
    return fields


def _atomic_fields(node_type: type) -> frozenset[str]:
    """The fields an ``ast`` class declares as identifier, int, string or constant, read from the signature
    its docstring gives (``Attribute(expr value, identifier attr, expr_context ctx)``, generated from the
    grammar's ASDL); none when the docstring says otherwise (every field is then read)."""
    match = _SIGNATURE.fullmatch((node_type.__doc__ or "").strip())
    if match is None or not match.group(1):
        return frozenset()
    atomic = set()
    for declaration in match.group(1).split(","):
        parts = declaration.split()
        if len(parts) != 2:
            return frozenset()
        field_type, name = parts
        if field_type.rstrip("?*") in _ATOMIC_FIELD_TYPES:
            atomic.add(name)
    return frozenset(atomic)


class FileContext:
    """Everything rules see of one file: settings, scopes and names, loop facts, and the findings."""

    def __init__(self, tree: ast.AST, filename: str, lines: Sequence[str], settings: Settings) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines
        self.settings = settings
        module_name, package = module_location(filename)
        self.module = ModuleInfo(tree, module_name, package)
        # loops (For/While/comprehensions) whose body awaits (in the same function)
        self.awaiting_loops: set[ast.AST] = set()
        # loop, or hooked node, -> the loop directly enclosing it in the same function
        self.enclosing_loop: dict[ast.AST, ast.AST] = {}
        # per-file memo tables of rules, by rule code
        self.rule_state: dict[str, Any] = {}
        self.findings: list[Finding] = []
        self.queue: list[_QueueEntry] = []
        self._scope_of: dict[ast.AST, Scope] | None = None
        self._coroutines: CoroutineKnowledge | None = None
        # functions whose signature and decorators the walk need not visit: those an outline left without
        # their bodies, when nothing in a signature can bind a name (no `:=`); see analysis/outline.py
        self.bare_functions: frozenset[ast.AST] = frozenset()

    def release(self) -> None:
        """Break the reference cycles of the file's analysis (memo tables that point back at this context,
        scopes whose ``function`` is themselves), so that it is freed as soon as the check returns instead
        of waiting for a run of the cyclic garbage collector."""
        self.rule_state.clear()
        self.queue = []
        self._scope_of = None
        self._coroutines = None
        self.module.release()

    @property
    def coroutines(self) -> CoroutineKnowledge:
        if self._coroutines is None:
            lookup = None
            if self.settings.project:
                from .analysis.project import PROJECT

                lookup = PROJECT.coroutine_lookup(self.filename, self.settings)
            self._coroutines = CoroutineKnowledge(self.module, self.settings, lookup)
        return self._coroutines

    def scope_of(self, node: ast.AST) -> Scope | None:
        """The scope a hooked node stands in (None for node types no rule hooks)."""
        if self._scope_of is None:
            self._scope_of = {entry[1]: entry[3] for entry in self.queue}
        return self._scope_of.get(node)

    def report(self, rule: Rule, node: ast.AST, *, subject: str | None = None, **fields: object) -> None:
        """Report ``rule`` at ``node`` with its message template filled from ``fields``; ``subject`` is the
        dotted name of what was found, kept on the finding for the fixers."""
        line = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0)
        self.findings.append(Finding(line, col, rule.code, rule.message.format(**fields),
                                     getattr(node, "end_lineno", None), getattr(node, "end_col_offset", None),
                                     subject))


def build_dispatch(rules: Iterable[Rule]) -> dict[type, list[tuple[Rule, Hook]]]:
    """``{node type: [(rule, hook), ...]}`` for the selected rules, in rule order."""
    table: dict[type, list[tuple[Rule, Hook]]] = {}
    for rule in rules:
        for node_type, hook in rule.hooks().items():
            entries = table.setdefault(node_type, [])
            if any(known is hook for _, known in entries):
                continue  # a hook shared by several rules (it routes to them itself) runs once
            entries.append((rule, hook))
    return table


_DEFAULT_DISPATCH: dict[type, list[tuple[Rule, Hook]]] | None = None


def default_dispatch() -> dict[type, list[tuple[Rule, Hook]]]:
    global _DEFAULT_DISPATCH
    if _DEFAULT_DISPATCH is None:
        from .rules import ALL_RULES  # the rules import this module's FileContext for their types

        _DEFAULT_DISPATCH = build_dispatch(ALL_RULES)
    return _DEFAULT_DISPATCH


def check_tree(
    tree: ast.AST,
    filename: str = "<unknown>",
    lines: Sequence[str] = (),
    settings: Settings | None = None,
    dispatch: Mapping[type, list[tuple[Rule, Hook]]] | None = None,
) -> list[Finding]:
    """Run every (dispatched) rule over one parsed file and return its findings, sorted by position."""
    # What the check builds for the file (scopes, bindings, the queue, memo tables) is all alive until the
    # file is done, so the cyclic garbage collector, triggered by the count of new objects, would only walk
    # it again and again (under flake8 that was more than half of the plugin's cost). It is paused for the
    # check; the structures are then released by reference counting (FileContext.release breaks the cycles).
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        return _check_tree(tree, filename, lines, settings, dispatch)
    finally:
        if paused:
            gc.enable()


def _check_tree(
    tree: ast.AST,
    filename: str,
    lines: Sequence[str],
    settings: Settings | None,
    dispatch: Mapping[type, list[tuple[Rule, Hook]]] | None,
) -> list[Finding]:
    try:
        ctx = analyze(tree, filename, lines, settings or Settings(),
                      default_dispatch() if dispatch is None else dispatch)
    except Exception as exc:  # the walk itself failed: no rule can run, and flake8 must still go on
        return [_analysis_error(exc)]
    failed: set[str] = set()
    reported: set[str] = set()  # one APF000 per failing rule and file
    for hooks, node, parent, scope in ctx.queue:
        for rule, hook in hooks:
            if failed and rule.code in failed:
                continue
            try:
                hook(ctx, node, parent, scope)
            except Exception as exc:  # a bug in one rule must not take flake8 down
                culprit, error = (exc.rule, exc.original) if isinstance(exc, RuleError) else (rule, exc)
                if not isinstance(exc, RuleError):
                    failed.add(rule.code)
                if culprit.code not in reported:
                    reported.add(culprit.code)
                    ctx.findings.append(_internal_error(culprit, node, error))
    ctx.findings.sort(key=lambda f: (f.line, f.col, f.code))
    findings = _dedupe(ctx.findings)
    ctx.release()
    return findings


def analyze(
    tree: ast.AST,
    filename: str,
    lines: Sequence[str],
    settings: Settings,
    dispatch: Mapping[type, list[tuple[Rule, Hook]]],
    bare_functions: frozenset[ast.AST] = frozenset(),
) -> FileContext:
    """The walk alone: scopes, bindings and loop facts, with the nodes of the dispatched types queued.
    Of ``bare_functions`` only the scope and the parameters are recorded (see FileContext)."""
    ctx = FileContext(tree, filename, lines, settings)
    ctx.bare_functions = bare_functions
    ctx.queue = _walk(ctx, dispatch)
    return ctx


def _internal_error(rule: Rule, node: ast.AST, exc: BaseException) -> Finding:
    detail = f"{type(exc).__name__}: {exc}"[:200]
    return Finding(
        getattr(node, "lineno", 1), getattr(node, "col_offset", 0), "APF000",
        f"internal error in rule {rule.code} ({rule.name}), please report it: {detail}; "
        "the other rules still ran",
    )


def _analysis_error(exc: BaseException) -> Finding:
    detail = f"{type(exc).__name__}: {exc}"[:200]
    return Finding(1, 0, "APF000", f"internal error while analysing the file, please report it: {detail}; "
                                   "no rule could run on this file")


def _dedupe(findings: list[Finding]) -> list[Finding]:
    out: list[Finding] = []
    last: Finding | None = None
    for finding in findings:
        if finding != last:
            out.append(finding)
        last = finding
    return out


_StackItem = tuple[Any, Any, Scope, Any]
_Push = Callable[[_StackItem], None]


# nodes with no child nodes: not pushed on the walk's stack unless some rule or the walk itself wants them
_LEAF_TYPES = frozenset({
    ast.Name, ast.Constant, ast.alias, ast.Pass, ast.Break, ast.Continue,
    *ast.expr_context.__subclasses__(), *ast.operator.__subclasses__(), *ast.boolop.__subclasses__(),
    *ast.cmpop.__subclasses__(), *ast.unaryop.__subclasses__(),
})
# values of node fields that are never nodes (identifiers, constants, absent optional fields)
_NOT_NODES = frozenset({type(None), str, int, bool, float, complex, bytes, type(...)})
# node types whose one field that may hold a node is `value` (their other fields are identifiers and contexts)
_SHALLOW_TYPES = frozenset({ast.Attribute, ast.keyword, ast.Starred})


_Plan = tuple[
    "list[tuple[Rule, Hook]] | None",  # hooks for a node in async context
    "list[tuple[Rule, Hook]] | None",  # hooks for a node elsewhere (without the async-context-only ones)
    "Callable[[FileContext, Any, Scope, Any, _Push], None] | None",  # the walk's own visit, replacing the default
    "Callable[[FileContext, Any, Scope], None] | None",  # a binder run before the children are pushed
    tuple[str, ...],  # the fields that may hold child nodes
    "_Gates | None",  # for calls, the hooks of a method call by its name (see rules.base.method_names)
]
# a method's name -> its hooks in async context and elsewhere, and those of any other method name
_Gates = tuple["dict[str, tuple[list[tuple[Rule, Hook]], list[tuple[Rule, Hook]]]]",
               "list[tuple[Rule, Hook]]", "list[tuple[Rule, Hook]]"]


class _WalkTables:
    """Per dispatch table: for each node type, one plan (see _Plan) read with a single lookup per node, and
    the types the walk need not push at all."""

    __slots__ = ("dispatch", "plans", "skip", "shallow")

    def __init__(self, dispatch: Mapping[type, list[tuple[Rule, Hook]]]) -> None:
        self.dispatch = dispatch  # kept alive: the tables are cached by its id
        self.plans: dict[type, _Plan] = {}
        wanted = set(dispatch) | set(_SPECIAL) | set(_BINDERS)
        self.skip = frozenset(t for t in _LEAF_TYPES if t not in wanted) | _NOT_NODES
        # types whose only child is their `value`: not pushed when that value is skipped too (`self.x`,
        # `key=value`, `*args`: most attributes are a name's)
        self.shallow = frozenset(t for t in _SHALLOW_TYPES if t not in wanted)

    def plan(self, node_type: type) -> _Plan:
        """Made once per node type met. Every node of a dispatched type is queued (with no hooks, possibly:
        the queue also tells the scope of each such node, and the project summaries read the calls from it)."""
        hooks = self.dispatch.get(node_type)
        elsewhere = None if hooks is None else [(rule, hook) for rule, hook in hooks if not is_async_context_only(hook)]
        gates = _gates(hooks) if node_type is ast.Call and hooks is not None else None
        plan = (hooks, elsewhere, _SPECIAL.get(node_type), _BINDERS.get(node_type), _fields_of(node_type), gates)
        self.plans[node_type] = plan
        return plan


def _gates(hooks: list[tuple[Rule, Hook]]) -> _Gates | None:
    """For a method call, its hooks by the method's name: those limited to some names (rules.base.method_names)
    only for these. A call node is queued even when no hook is left for it (see _WalkTables.plan)."""
    limits = {hook: method_names_of(hook) for _, hook in hooks}
    if not any(limits.values()):
        return None

    def kept(name: str | None) -> tuple[list[tuple[Rule, Hook]], list[tuple[Rule, Hook]]]:
        chosen = [(rule, hook) for rule, hook in hooks if limits[hook] is None or name in (limits[hook] or ())]
        return chosen, [(rule, hook) for rule, hook in chosen if not is_async_context_only(hook)]

    names = set().union(*(limit for limit in limits.values() if limit))
    by_name = {name: kept(name) for name in names}
    other_async, other_elsewhere = kept(None)
    return by_name, other_async, other_elsewhere


_walk_tables: dict[int, _WalkTables] = {}


def _tables_for(dispatch: Mapping[type, list[tuple[Rule, Hook]]]) -> _WalkTables:
    tables = _walk_tables.get(id(dispatch))
    if tables is None or tables.dispatch is not dispatch:
        if len(_walk_tables) > 64:
            _walk_tables.clear()
        tables = _walk_tables[id(dispatch)] = _WalkTables(dispatch)
    return tables


def _walk(ctx: FileContext, dispatch: Mapping[type, list[tuple[Rule, Hook]]]) -> list[_QueueEntry]:
    """The one walk: scopes and bindings into ``ctx.module``, hooked nodes into the returned queue."""
    queue: list[_QueueEntry] = []
    tables = _tables_for(dispatch)
    get_plan = tables.plans.get
    make_plan = tables.plan
    skip = tables.skip
    shallow = tables.shallow
    enclosing_loop = ctx.enclosing_loop
    # stack items: (node, parent, scope, innermost enclosing loop in the same function)
    stack: list[_StackItem] = [(ctx.tree, None, ctx.module.module_scope, None)]
    pop = stack.pop
    push = stack.append
    enqueue = queue.append
    ast_type = ast.AST
    attribute_type = ast.Attribute
    while stack:
        item = pop()
        node, parent, scope, loop = item
        node_type = type(node)
        plan = get_plan(node_type) or make_plan(node_type)
        hooks = plan[0] if scope.is_async else plan[1]
        if hooks is not None:
            gates = plan[5]
            if gates is not None and type(node.func) is attribute_type:
                gated = gates[0].get(node.func.attr)
                if gated is not None:
                    hooks = gated[0] if scope.is_async else gated[1]
                else:
                    hooks = gates[1] if scope.is_async else gates[2]
            enqueue((hooks, node, parent, scope))
            if loop is not None:
                enclosing_loop[node] = loop
        special = plan[2]
        if special is not None:
            special(ctx, node, scope, loop, push)
            continue
        binder = plan[3]
        if binder is not None:
            binder(ctx, node, scope)
        for name in plan[4]:
            value: Any = getattr(node, name, None)
            value_type = type(value)
            if value_type is list:
                for child in reversed(value):
                    child_type = type(child)
                    if child_type not in skip and (child_type not in shallow or type(child.value) not in skip):
                        push((child, node, scope, loop))
            elif (value_type not in skip and (value_type not in shallow or type(value.value) not in skip)
                  and isinstance(value, ast_type)):
                push((value, node, scope, loop))
    return queue


def _push_all(push: _Push, parent: ast.AST, nodes: Sequence[ast.AST | None], scope: Scope, loop: Any) -> None:
    """Push nodes so that they pop in the given (source) order."""
    for child in reversed(nodes):
        if child is not None:
            push((child, parent, scope, loop))


def _mark_awaiting(ctx: FileContext, loop: Any) -> None:
    """An await here: every enclosing loop of the same function awaits."""
    awaiting = ctx.awaiting_loops
    enclosing = ctx.enclosing_loop
    while loop is not None and loop not in awaiting:
        awaiting.add(loop)
        loop = enclosing.get(loop)


def _enter_loop(ctx: FileContext, node: ast.AST, outer_loop: Any) -> None:
    if outer_loop is not None:
        ctx.enclosing_loop[node] = outer_loop


def _parameters(args: ast.arguments) -> list[ast.arg]:
    params = [*args.posonlyargs, *args.args]
    if args.vararg is not None:
        params.append(args.vararg)
    params.extend(args.kwonlyargs)
    if args.kwarg is not None:
        params.append(args.kwarg)
    return params


def _visit_function(ctx: FileContext, node: Any, scope: Scope, loop: Any, push: _Push) -> None:
    is_lambda = isinstance(node, ast.Lambda)
    if not is_lambda:
        scope.bind(node.name, Binding(BindingKind.DEF, node))
    kind = (ScopeKind.LAMBDA if is_lambda
            else ScopeKind.ASYNC_FUNCTION if isinstance(node, ast.AsyncFunctionDef) else ScopeKind.FUNCTION)
    inner = Scope(kind, node, scope, "<lambda>" if is_lambda else node.name)
    ctx.module.scopes[node] = inner
    params = _parameters(node.args)
    for param in params:
        inner.bind(param.arg, Binding(BindingKind.PARAMETER, param, annotation=param.annotation))
    if ctx.bare_functions and node in ctx.bare_functions:
        return
    # the body runs in the new scope, in no loop; everything else is evaluated where the def stands
    if is_lambda:
        push((node.body, node, inner, None))
    else:
        _push_all(push, node, node.body, inner, None)
        for type_param in getattr(node, "type_params", ()) or ():
            inner.bind(type_param.name, Binding(BindingKind.OTHER, type_param))
        _push_all(push, node, [*node.decorator_list, node.returns], scope, loop)
    args = node.args
    outer: list[ast.AST | None] = [*args.defaults, *args.kw_defaults]
    if not is_lambda:
        outer.extend(param.annotation for param in params)
    _push_all(push, node, outer, scope, loop)


def _visit_class(ctx: FileContext, node: Any, scope: Scope, loop: Any, push: _Push) -> None:
    scope.bind(node.name, Binding(BindingKind.CLASS, node))
    inner = Scope(ScopeKind.CLASS, node, scope, node.name)
    ctx.module.scopes[node] = inner
    for type_param in getattr(node, "type_params", ()) or ():
        inner.bind(type_param.name, Binding(BindingKind.OTHER, type_param))
    _push_all(push, node, node.body, inner, None)
    _push_all(push, node, [*node.decorator_list, *node.bases, *node.keywords], scope, loop)


def _visit_comprehension(ctx: FileContext, node: Any, scope: Scope, loop: Any, push: _Push) -> None:
    _enter_loop(ctx, node, loop)
    inner = Scope(ScopeKind.COMPREHENSION, node, scope, "<comprehension>")
    ctx.module.scopes[node] = inner
    generators = node.generators
    if any(gen.is_async for gen in generators):
        _mark_awaiting(ctx, node)
    body = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
    _push_all(push, node, body, inner, node)
    for index in range(len(generators) - 1, -1, -1):
        gen = generators[index]
        bind_target(inner, gen.target, BindingKind.LOOP, gen)
        _push_all(push, gen, [*gen.ifs], inner, node)
        if index == 0:
            # the first iterable is evaluated once, outside the comprehension's loop and scope
            push((gen.iter, gen, scope, loop))
        else:
            push((gen.iter, gen, inner, node))
        push((gen.target, gen, inner, node))


def _visit_for(ctx: FileContext, node: Any, scope: Scope, loop: Any, push: _Push) -> None:
    _enter_loop(ctx, node, loop)
    if isinstance(node, ast.AsyncFor):
        _mark_awaiting(ctx, node)
    bind_target(scope, node.target, BindingKind.LOOP, node)
    _push_all(push, node, node.orelse, scope, loop)
    _push_all(push, node, [node.target, *node.body], scope, node)
    push((node.iter, node, scope, loop))


def _visit_while(ctx: FileContext, node: Any, scope: Scope, loop: Any, push: _Push) -> None:
    _enter_loop(ctx, node, loop)
    _push_all(push, node, node.orelse, scope, loop)
    _push_all(push, node, [node.test, *node.body], scope, node)


def _visit_await(ctx: FileContext, node: Any, scope: Scope, loop: Any, push: _Push) -> None:
    _mark_awaiting(ctx, loop)
    push((node.value, node, scope, loop))


def _visit_with(ctx: FileContext, node: Any, scope: Scope, loop: Any, push: _Push) -> None:
    is_async = isinstance(node, ast.AsyncWith)
    if is_async:
        _mark_awaiting(ctx, loop)
    for item in node.items:
        if item.optional_vars is not None:
            _bind_with(scope, item.optional_vars, node, item.context_expr, is_async)
    _push_all(push, node, node.body, scope, loop)
    _push_all(push, node, node.items, scope, loop)


def _bind_with(scope: Scope, target: ast.expr, node: ast.AST, value: ast.expr, is_async: bool) -> None:
    if isinstance(target, ast.Name):
        scope.bind(target.id, Binding(BindingKind.WITH, node, value=value, is_async_with=is_async))
    else:
        bind_target(scope, target, BindingKind.OTHER, node)


_SPECIAL: dict[type, Callable[[FileContext, Any, Scope, Any, _Push], None]] = {
    ast.FunctionDef: _visit_function,
    ast.AsyncFunctionDef: _visit_function,
    ast.Lambda: _visit_function,
    ast.ClassDef: _visit_class,
    ast.ListComp: _visit_comprehension,
    ast.SetComp: _visit_comprehension,
    ast.DictComp: _visit_comprehension,
    ast.GeneratorExp: _visit_comprehension,
    ast.For: _visit_for,
    ast.AsyncFor: _visit_for,
    ast.While: _visit_while,
    ast.Await: _visit_await,
    ast.With: _visit_with,
    ast.AsyncWith: _visit_with,
}


def _bind_import(ctx: FileContext, node: Any, scope: Scope) -> None:
    bind_import(scope, node, ctx.module.package)


def _bind_assign(ctx: FileContext, node: Any, scope: Scope) -> None:
    for target in node.targets:
        _bind_assignment(scope, target, node, node.value)


def _bind_assignment(scope: Scope, target: ast.expr, node: ast.AST, value: ast.expr | None) -> None:
    if isinstance(target, ast.Attribute):
        _record_instance_attribute(scope, target, value)
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            if isinstance(element, ast.Attribute):
                _record_instance_attribute(scope, element, None)
    bind_target(scope, target, BindingKind.ASSIGN, node, value)


def _record_instance_attribute(scope: Scope, target: ast.Attribute, value: ast.expr | None,
                               annotation: ast.expr | None = None) -> None:
    """``self.x = value`` (or ``self.x: T = value``) in a method: remember it on the class, for the type
    of ``self.x``."""
    if not isinstance(target.value, ast.Name):
        return
    function = scope.function
    klass = function.parent
    if klass is None or klass.kind is not ScopeKind.CLASS or not isinstance(function.node, _FUNCTION_TYPES):
        return
    args = function.node.args
    params = [*args.posonlyargs, *args.args]
    if not params or params[0].arg != target.value.id:
        return
    if annotation is not None:
        klass.instance_annotations.setdefault(target.attr, []).append((annotation, scope))
    entries = klass.instance_attrs.setdefault(target.attr, [])
    if value is None:
        entries.append((ast.Constant(value=None), scope))  # unknown value: makes the type ambiguous
    else:
        entries.append((value, scope))


def _bind_annassign(ctx: FileContext, node: Any, scope: Scope) -> None:
    target = node.target
    if isinstance(target, ast.Name):
        if node.value is not None:
            scope.bind(target.id, Binding(BindingKind.ASSIGN, node, value=node.value, annotation=node.annotation))
        else:
            scope.bind(target.id, Binding(BindingKind.ANNOTATION, node, annotation=node.annotation))
    elif isinstance(target, ast.Attribute):
        _record_instance_attribute(scope, target, node.value, node.annotation)


def _bind_augassign(ctx: FileContext, node: Any, scope: Scope) -> None:
    if isinstance(node.target, ast.Name):
        scope.bind(node.target.id, Binding(BindingKind.AUG_ASSIGN, node, value=node.value))


def _bind_walrus(ctx: FileContext, node: Any, scope: Scope) -> None:
    if isinstance(node.target, ast.Name):
        scope.bind(node.target.id, Binding(BindingKind.ASSIGN, node, value=node.value))


def _bind_global(ctx: FileContext, node: Any, scope: Scope) -> None:
    scope.global_names.update(node.names)


def _bind_nonlocal(ctx: FileContext, node: Any, scope: Scope) -> None:
    scope.nonlocal_names.update(node.names)


def _bind_named(ctx: FileContext, node: Any, scope: Scope) -> None:
    name = getattr(node, "name", None) or getattr(node, "rest", None)
    if isinstance(name, str):
        scope.bind(name, Binding(BindingKind.OTHER, node))


def _note_yield(ctx: FileContext, node: Any, scope: Scope) -> None:
    scope.function.is_generator = True


_BINDERS: dict[type, Callable[[FileContext, Any, Scope], None]] = {
    ast.Yield: _note_yield,
    ast.YieldFrom: _note_yield,
    ast.Import: _bind_import,
    ast.ImportFrom: _bind_import,
    ast.Assign: _bind_assign,
    ast.AnnAssign: _bind_annassign,
    ast.AugAssign: _bind_augassign,
    ast.NamedExpr: _bind_walrus,
    ast.Global: _bind_global,
    ast.Nonlocal: _bind_nonlocal,
    ast.ExceptHandler: _bind_named,
    ast.MatchAs: _bind_named,
    ast.MatchStar: _bind_named,
    ast.MatchMapping: _bind_named,
}
if sys.version_info >= (3, 12):
    _BINDERS[ast.TypeAlias] = lambda ctx, node, scope: (
        scope.bind(node.name.id, Binding(BindingKind.OTHER, node)) if isinstance(node.name, ast.Name) else None
    )
