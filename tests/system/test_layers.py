"""The package's shape: stages import only downward, no import cycles, and the command line alone
parses arguments and prints. Every import counts, including those inside functions."""
from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "keyproj"

# Top to bottom; a module may import its own package and anything in a lower layer. Packages that
# share a layer are independent of each other.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("keyproj", "__main__"),
    ("cli",),
    ("render",),
    ("report",),
    ("data",),
    ("extract",),
    ("read",),
    ("util", "metrics", "research"),
    ("lexicon", "paths", "errors", "facts", "_version"),
)
BOTTOM_MAY_IMPORT = frozenset({"errors"})  # the bottom layer's modules import only errors


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py")) if "__pycache__" not in path.parts}


def imports(name: str, path: Path, known: set[str]) -> Iterator[tuple[str, int, bool]]:
    """(imported keyproj module, line, inside a function?) for every import statement of a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    functions = [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    inside = {id(child) for function in functions for child in ast.walk(function)}
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        for target in targets:
            if target.split(".")[0] == "keyproj":
                while target not in known and "." in target:
                    target = target.rpartition(".")[0]
                yield target, node.lineno, id(node) in inside


def stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "keyproj"


def layer_of(module: str) -> int:
    for index, names in enumerate(LAYERS):
        if stage(module) in names:
            return index
    raise AssertionError(f"{module}: its package {stage(module)!r} has no layer in LAYERS; add it")


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: {target for target, _, _ in imports(name, path, known) if target != name}
            for name, path in found.items()}


def test_every_import_points_down_the_layers() -> None:
    found = modules()
    known = set(found)
    upward = []
    bottom = len(LAYERS) - 1
    for name, path in found.items():
        for target, line, _ in imports(name, path, known):
            if target == "keyproj" or stage(target) == stage(name):
                continue
            source_layer, target_layer = layer_of(name), layer_of(target)
            allowed = stage(target) in BOTTOM_MAY_IMPORT if source_layer == bottom else target_layer > source_layer
            if not allowed:
                upward.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {name} imports {target}")
    assert upward == []


def test_there_is_no_import_cycle() -> None:
    edges = graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    assert cycles == []


def test_keyproj_imports_inside_functions_are_only_for_start_up_time() -> None:
    """A keyproj import inside a function is allowed only in cli.py, where a command loads its stage
    (the data and render stages pull pandas, nbclient and papermill, which `keyproj extract` needs not)."""
    found = modules()
    known = set(found)
    hidden = [f"{name}:{line} imports {target}" for name, path in found.items() if name != "keyproj.cli"
              for target, line, inside in imports(name, path, known) if inside]
    assert hidden == []


def test_only_the_command_line_parses_arguments_or_prints() -> None:
    offenders = []
    for name, path in modules().items():
        if name == "keyproj.cli":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [alias.name for alias in node.names] + [getattr(node, "module", None) or ""]
                if "argparse" in names:
                    offenders.append(f"{name}:{node.lineno} imports argparse")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                offenders.append(f"{name}:{node.lineno} prints")
    assert offenders == []


def test_the_layer_table_names_every_package() -> None:
    for name in modules():
        layer_of(name)  # raises for a package without a layer
