"""The package stays readable: small modules, short functions, the stages in their places."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "figwriter"
MODULES = sorted(PACKAGE.rglob("*.py"))
#: the limits CONTRIBUTING.md states
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60


def _code_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of a function, its docstring aside."""
    assert node.end_lineno is not None
    lines = node.end_lineno - node.lineno + 1
    first = node.body[0]
    if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)):
        assert first.end_lineno is not None
        lines -= first.end_lineno - first.lineno + 1
    return lines


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_modules_and_functions_are_small(path):
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_MODULE_LINES, f"{path.name} is over {MAX_MODULE_LINES}"
    long = [
        f"{node.name} (line {node.lineno}): {_code_lines(node)} lines"
        for node in ast.walk(ast.parse(text))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and _code_lines(node) > MAX_FUNCTION_LINES
    ]
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines in {path.name}: {long}"


def test_the_render_stage_has_its_modules():
    render = PACKAGE / "render"
    assert {p.name for p in render.glob("*.py")} >= {"__init__.py", "cells.py", "mpl.py",
                                                     "options.py"}
    assert {p.name for p in (render / "fast").glob("*.py")} >= {
        "__init__.py", "colours.py", "ticks.py", "layout.py", "paint.py", "text.py"}


def test_the_renderer_names_are_written_once():
    """The public methods' type hint lists the registry's names, no more, no fewer."""
    from typing import get_args

    from figwriter._mixin import RendererName
    from figwriter.render import RENDERERS

    assert get_args(RendererName) == tuple(RENDERERS)


def test_the_measure_counts_code_not_docstrings():
    tree = ast.parse('def f():\n    """doc\n\n    more doc\n    """\n    return 1\n')
    (node,) = tree.body
    assert isinstance(node, ast.FunctionDef)
    assert _code_lines(node) == 2


def test_every_public_docstring_has_its_shared_parameter_docs_filled_in():
    """A ``%(name)s`` placeholder left in a docstring would reach help() and the API page."""
    import inspect

    import figwriter
    from figwriter.torch import FigureSummaryWriter as TorchWriter

    objects = [getattr(figwriter, name) for name in figwriter.__all__ if name != "__version__"]
    for cls in (figwriter.FigureSummaryWriter, TorchWriter):
        objects += [member for _, member in inspect.getmembers(cls, callable)]
    left = [getattr(obj, "__qualname__", repr(obj)) for obj in objects
            if "%(" in (inspect.getdoc(obj) or "")]
    assert left == []
