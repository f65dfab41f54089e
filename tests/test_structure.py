"""The house rules between apps, read from the source (no Django needed): apps talk through
public names only. A helper whose name starts with "_" is its app's own business; another
app that needs it needs a public name for it."""

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Not application code: tests may reach into an app, migrations are generated.
SKIP_PARTS = {"tests", "migrations", "node_modules", ".venv", "static", "templates"}


def _packages(root: Path) -> list[str]:
    return sorted(p.parent.name for p in root.glob("*/__init__.py") if p.parent.name not in SKIP_PARTS | {"deploy"})


def _modules(root: Path):
    """(dotted module name, path) for every module of the project's packages."""
    for package in _packages(root):
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root)
            if SKIP_PARTS & set(relative.parts):
                continue
            parts = list(relative.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            yield ".".join(parts), path


def _units(root: Path) -> list[str]:
    """The apps: every package with an apps.py, and each top-level package (eip's own
    modules outside its sub-apps are the core)."""
    units = set(_packages(root))
    for apps_py in root.rglob("apps.py"):
        relative = apps_py.parent.relative_to(root)
        if not SKIP_PARTS & set(relative.parts):
            units.add(".".join(relative.parts))
    return sorted(units, key=len, reverse=True)


def unit_of(module: str, units: list[str]) -> str | None:
    for unit in units:  # longest first
        if module == unit or module.startswith(unit + "."):
            return unit
    return None


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the module imported from
    names: tuple[str, ...]  # the names taken from it (empty for "import x.y")
    line: int
    in_function: bool


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str, path: Path, source: str | None = None) -> list[Import]:
    tree = ast.parse(source if source is not None else path.read_text(), str(path))
    is_package = path.name == "__init__.py"
    found = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if isinstance(child, ast.ImportFrom):
                target = _resolve(module, is_package, child)
                names = tuple(alias.name for alias in child.names)
                found.append(Import(module, target, names, child.lineno, in_function))
            elif isinstance(child, ast.Import):
                for alias in child.names:
                    found.append(Import(module, alias.name, (), child.lineno, in_function))
            visit(child, nested)

    visit(tree, False)
    return found


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_cross_app_imports(root: Path = ROOT, extra: dict[str, str] | None = None) -> list[str]:
    """Every import, at any depth, of another app's `_private` name or module. `extra` maps a
    module name to source text standing in for (or added to) the tree."""
    units = _units(root)
    sources = {name: (path, None) for name, path in _modules(root)}
    for name, text in (extra or {}).items():
        sources[name] = (root / (name.replace(".", "/") + ".py"), text)
    found = []
    for module, (path, text) in sources.items():
        own = unit_of(module, units)
        for imp in imports_of(module, path, text):
            other = unit_of(imp.target, units)
            if other is None or other == own:
                continue
            private = [n for n in imp.names if _is_private(n)]
            private += [part for part in imp.target.split(".") if _is_private(part)]
            if private:
                found.append(f"{module}:{imp.line} imports {', '.join(private)} from {imp.target} ({other})")
    return found


def test_no_app_imports_another_apps_private_names():
    assert private_cross_app_imports() == []


def test_the_private_import_check_sees_an_import_inside_a_function():
    # The check itself can fail: a hidden import of a private helper is reported.
    bad = "def f():\n    from cases.services import _clean_and_save\n"
    assert private_cross_app_imports(extra={"accommodation.hidden": bad}) == [
        "accommodation.hidden:2 imports _clean_and_save from cases.services (cases)"
    ]
    relative = "from ..services import _x\n"  # same app: its own business
    assert private_cross_app_imports(extra={"cases.sub.mod": relative}) == []


# --- the core imports no pathway app; no import cycle between apps ---------------------------

CORE = "eip"


def _top(module: str) -> str:
    return module.split(".")[0]


def app_imports(root: Path = ROOT, extra: dict[str, str] | None = None) -> dict[tuple[str, str], list[str]]:
    """(importing package, imported package) -> where, over the top-level packages (the core,
    eip, with its sub-apps counted as one), at any depth: an import inside a function ties
    two apps as much as one at the top of the file."""
    packages = set(_packages(root))
    sources = {name: (path, None) for name, path in _modules(root)}
    for name, text in (extra or {}).items():
        sources[name] = (root / (name.replace(".", "/") + ".py"), text)
    edges: dict[tuple[str, str], list[str]] = {}
    for module, (path, text) in sources.items():
        for imp in imports_of(module, path, text):
            a, b = _top(module), _top(imp.target)
            if b in packages and a != b:
                edges.setdefault((a, b), []).append(f"{module}:{imp.line}")
    return edges


def core_imports_of_apps(root: Path = ROOT, extra: dict[str, str] | None = None) -> list[str]:
    # benchmarks is tooling over the whole project, not part of it.
    return sorted(
        f"{where} imports {b}"
        for (a, b), places in app_imports(root, extra).items()
        if a == CORE and b != "benchmarks"
        for where in places
    )


def app_cycles(root: Path = ROOT, extra: dict[str, str] | None = None) -> list[str]:
    """Every cycle in the graph of packages, each named once with the imports that close it."""
    edges = app_imports(root, extra)
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
    found = set()

    def walk(path):
        for nxt in sorted(graph.get(path[-1], ())):
            if nxt == path[0]:
                cycle = path[path.index(min(path)) :] + path[: path.index(min(path))]
                found.add(tuple(cycle))
            elif nxt not in path and nxt > path[0]:
                walk(path + [nxt])

    for start in sorted(graph):
        walk([start])
    return [
        " -> ".join(cycle + (cycle[0],))
        + " ("
        + "; ".join(edges[(a, b)][0] for a, b in zip(cycle, cycle[1:] + (cycle[0],), strict=True))
        + ")"
        for cycle in sorted(found)
    ]


def test_the_core_imports_no_pathway_app():
    assert core_imports_of_apps() == []


def test_no_import_cycle_between_apps():
    assert app_cycles() == []


def test_the_structure_checks_see_a_core_import_and_a_cycle_hidden_in_a_function():
    core = "def f():\n    from cases.models import Case\n"
    assert core_imports_of_apps(extra={"eip.extra": core}) == ["eip.extra:2 imports cases"]
    back = "def f():\n    from accommodation.models import Placement\n"
    (cycle,) = app_cycles(extra={"cases.extra": back})
    assert cycle.startswith("accommodation -> cases -> accommodation (") and cycle.endswith("; cases.extra:2)")


# --- no import cycle between modules, within an app as well as between apps -----------------


def module_cycles(root: Path = ROOT, extra: dict[str, str] | None = None) -> list[list[str]]:
    """Every group of modules that import one another round a circle (strongly connected, at
    any depth: an import inside a function to dodge the circle at load time still ties them).
    `from package import name` counts as importing the module package.name where there is one."""
    sources = {name: (path, None) for name, path in _modules(root)}
    for name, text in (extra or {}).items():
        sources[name] = (root / (name.replace(".", "/") + ".py"), text)
    graph: dict[str, set[str]] = {module: set() for module in sources}
    for module, (path, text) in sources.items():
        for imp in imports_of(module, path, text):
            targets = [f"{imp.target}.{n}" for n in imp.names if f"{imp.target}.{n}" in sources]
            if not targets and imp.target in sources:
                targets = [imp.target]
            graph[module].update(t for t in targets if t != module)
    # Tarjan's strongly connected components.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups = []

    def connect(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return sorted(groups)


def test_no_import_cycle_between_modules():
    assert module_cycles() == []


def test_the_module_cycle_check_sees_a_circle_hidden_in_a_function():
    extra = {"eip.extra_a": "from eip import extra_b\n", "eip.extra_b": "def f():\n    from . import extra_a\n"}
    assert ["eip.extra_a", "eip.extra_b"] in module_cycles(extra=extra)
