"""The package's layout follows the flow of data, and imports only run down that flow.

OSM -> roads -> timetables / demand -> dial-a-ride problem -> solver ->
simulation -> operating models -> evaluation -> comparison / dispatch ->
commands. A module may import from its own folder and from folders earlier in
the flow, never from a later one or a sibling, and no set of modules imports
each other in a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "transit"

#: Folders in the order of the flow; equal rank means siblings that must not import each other.
RANK: dict[str, int] = {
    "errors": 0,
    "util": 1,
    "kernels": 2,
    "road": 3,
    "timetable": 4,
    "district": 5,
    "demand": 5,
    "darp": 6,
    "solver": 7,
    "sim": 8,
    "opmodels": 9,
    "evaluate": 10,
    "compare": 11,
    "dispatch": 11,
    "publish": 12,
    "sweep": 12,
    "commands": 13,
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _bound_in_package(module: str, modules: dict[str, Path]) -> set[str]:
    """Names a package's ``__init__`` binds (``from pkg import name`` then means the attribute)."""
    path = modules.get(module)
    if path is None or path.name != "__init__.py":
        return set()
    bound: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound.add(node.name)
    return bound


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """Every transit module that ``path`` imports, at module level or inside functions."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            bound = _bound_in_package(node.module, modules)
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names if a.name not in bound]
        for name in names:
            if name.startswith("transit.") and name in modules:
                found.add(name)
    return found


def _folder(module: str) -> str:
    return module.split(".")[1] if module.count(".") >= 1 else ""


def test_top_level_holds_only_init_errors_and_folders():
    files = sorted(p.name for p in PACKAGE.iterdir() if p.is_file() and p.suffix == ".py")
    assert files == ["__init__.py", "errors.py"]
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders - {"data", "locale"} == set(RANK) - {"errors"}


def test_imports_run_down_the_flow_only():
    modules = _modules()
    wrong = []
    for mod, path in modules.items():
        if mod == "transit":
            continue
        here = _folder(mod)
        for dep in _imports(path, modules):
            there = _folder(dep)
            if there == here or dep == "transit":
                continue
            if not RANK[there] < RANK[here]:
                wrong.append(f"{mod} imports {dep}")
    assert wrong == []


def test_the_solver_is_used_through_its_package_interface():
    modules = _modules()
    wrong = []
    for mod, path in modules.items():
        if _folder(mod) == "solver":
            continue
        wrong += [f"{mod} imports {dep}" for dep in _imports(path, modules) if dep.startswith("transit.solver.")]
    assert wrong == []


def test_no_import_circle():
    modules = _modules()
    graph = {m: {d for d in _imports(p, modules) if d != m and not m.startswith(d + ".")} for m, p in modules.items()}
    # Tarjan's strongly connected components, iteratively small enough to recurse.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    circles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                circles.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    assert circles == []


#: Functions over the limit that are still to be split (file:function). The list only shrinks.
LONG_FUNCTIONS_TO_SPLIT: set[str] = set()

MAX_FUNCTION_LINES = 100


def _is_numba_kernel(node: ast.FunctionDef) -> bool:
    return any("jit" in ast.unparse(d) for d in node.decorator_list)


def test_functions_are_at_most_100_lines_outside_numba_kernels():
    long = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not _is_numba_kernel(node):
                if node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES:
                    long.add(f"{path.relative_to(PACKAGE).as_posix()}:{node.name}")
    assert long - LONG_FUNCTIONS_TO_SPLIT == set(), "split these functions"
    assert LONG_FUNCTIONS_TO_SPLIT - long == set(), "already split: take them off the list"
