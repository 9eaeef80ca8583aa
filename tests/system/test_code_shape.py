"""Code a newcomer can read: no module over 500 lines, and no function over 60 lines unless a
comment in it says why it is one piece."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "keyproj"
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60


def test_modules_and_functions_stay_small() -> None:
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        shown = path.relative_to(PACKAGE.parent)
        if source.count("\n") > MAX_MODULE_LINES:
            problems.append(f"{shown}: {source.count(chr(10))} lines")
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1  # type: ignore[operator]
                body = "\n".join(lines[node.lineno - 1:node.end_lineno])
                if length > MAX_FUNCTION_LINES and "# One piece:" not in body:
                    problems.append(f"{shown}:{node.lineno} {node.name}: {length} lines and no '# One piece:' reason")
    assert problems == []
