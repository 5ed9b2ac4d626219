"""Every code block in README.md and docs/*.md, run by Sybil as part of the test suite.

- ``python`` blocks run as written, each in a fresh namespace (so each must be
  self-contained) with a temporary directory as the working directory (event files
  never land in the repository). ``docs/gallery.md`` is the exception its own
  introduction states: its blocks run with ``writer`` (a ``FigureSummaryWriter``),
  ``step`` and the demo's arrays already defined, exactly as
  ``scripts/make_gallery.py`` ran them to make the pictures shown.
- A block preceded by ``<!-- skip: next "reason" -->`` is reported as skipped with
  that reason (for what needs a package the test extra does not install).
- ``bash`` blocks are not executed (they install packages or start servers); every
  command in them is checked instead against what it names: pip extras and
  constraint files that exist, ``figwriter`` and ``tensorboard`` options their own
  parsers accept, scripts that exist. The commands themselves run in ``.ci/run``
  (installs, tests, docs build) or in the tests named in ``COVERED``.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import io
import shlex
import sys
import warnings
from pathlib import Path
from typing import Any

from sybil import Example, Sybil
from sybil.evaluators.python import PythonEvaluator
from sybil.parsers.markdown import CodeBlockParser, SkipParser

ROOT = Path(__file__).resolve().parent.parent

#: shell commands the docs show, and where the test suite or CI runs them
COVERED = {
    "python -m figwriter demo": "tests/test_demo.py (in process, as a subprocess, --serve)",
    "tensorboard": "tests/test_tensorboard_http.py (the real TensorBoard, same flags)",
    "python -m pytest": ".ci/run",
    "mkdocs": ".ci/run (mkdocs build --strict)",
    "pip install": ".ci/run (the README's test install, then the other extras)",
}


class FreshNamespace(PythonEvaluator):
    """Run a block in a namespace of its own: nothing leaks in from earlier blocks."""

    def __call__(self, example: Example) -> None:
        __tracebackhide__ = True
        example.namespace.clear()
        example.namespace["__name__"] = "__main__"
        super().__call__(example)


# -- the gallery ---------------------------------------------------------------------------


@functools.cache
def _gallery_data() -> dict[str, Any]:
    spec = importlib.util.spec_from_file_location("make_gallery", ROOT / "scripts" /
                                                  "make_gallery.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return dict(module.make_data())


class GalleryBlock(PythonEvaluator):
    """A gallery block with the page's names defined; it must write one picture."""

    def __call__(self, example: Example) -> None:
        __tracebackhide__ = True
        import numpy as np
        from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

        from figwriter import FigureSummaryWriter

        example.namespace.clear()
        example.namespace.update(_gallery_data(), np=np, __name__="__main__")
        logdir = Path("runs") / "gallery"
        with FigureSummaryWriter(str(logdir)) as writer:
            example.namespace["writer"] = writer
            super().__call__(example)
        accumulator = EventAccumulator(str(logdir), size_guidance={"images": 0})
        accumulator.Reload()
        tags = accumulator.Tags()["images"]
        assert len(tags) == 1, f"the block wrote pictures for {tags}, not one tag"


# -- shell commands ------------------------------------------------------------------------


def _extras() -> set[str]:
    import tomllib  # Python 3.11+

    with open(ROOT / "pyproject.toml", "rb") as f:
        return set(tomllib.load(f)["project"]["optional-dependencies"])


def _requirements() -> str:
    return (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def _check_pip(words: list[str]) -> None:
    words = words[2:]  # after "pip install"
    while words:
        word = words.pop(0)
        if word in ("-c", "--constraint", "-r"):
            target = words.pop(0)
            assert (ROOT / target).is_file(), f"{word} {target}: no such file in the repository"
        elif word in ("-e", "--editable"):
            target = words.pop(0)
            assert target.startswith(".["), f"-e {target}: expected the clone, '.[extras]'"
            _check_extras(target)
        elif word.startswith("figwriter["):
            _check_extras(word)
        elif word.startswith("-"):
            assert word in ("-q", "-U", "--upgrade"), f"pip option {word} is not expected"
        else:
            name = word.split("=")[0].split("<")[0].split(">")[0]
            assert f'"{name}' in _requirements(), (
                f"pip install {word}: {name} is in no dependency list of pyproject.toml")


def _check_extras(target: str) -> None:
    asked = target.split("[", 1)[1].rstrip("]").split(",")
    missing = set(asked) - _extras()
    assert not missing, f"{target}: pyproject.toml has no extra {sorted(missing)}"


def _check_figwriter(words: list[str]) -> None:
    from figwriter.__main__ import build_parser

    if words[3:4] == ["bench"]:
        return  # the benchmark parses its own options; tests/test_bench.py runs them
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        try:
            build_parser().parse_args(words[3:])
        except SystemExit as err:
            raise AssertionError(f"{shlex.join(words)}: {stderr.getvalue()}") from err


def _check_tensorboard(words: list[str]) -> None:
    stderr = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stderr(stderr):
        # tensorboard's vendored html5lib warns about its own sanitizer when loaded
        warnings.simplefilter("ignore", DeprecationWarning)
        from tensorboard import program

        try:
            program.TensorBoard().configure(argv=words)
        except SystemExit as err:
            raise AssertionError(f"{shlex.join(words)}: {stderr.getvalue()}") from err


def _check_mutmut(words: list[str]) -> None:
    """mutmut's own commands, over the configuration pyproject.toml holds (not run here:
    a run takes about an hour; docs/testing.md)."""
    assert words[3:4] in (["run"], ["results"], ["show"], ["browse"]), shlex.join(words)
    assert "[tool.mutmut]" in (ROOT / "pyproject.toml").read_text(), "no [tool.mutmut]"
    assert "mutation" in _extras(), "no mutation extra in pyproject.toml"


def check_command(command: str) -> None:
    """Fail unless the shell command names only things that exist and parse."""
    words = shlex.split(command)
    if words[:2] == ["python", "-m"] and words[2:3] in (["venv"], ["pytest"]):
        return
    if words[:1] == ["."] and words[1].endswith("/bin/activate"):
        return
    if words[:2] == ["pip", "install"]:
        return _check_pip(words)
    if words[:3] == ["python", "-m", "figwriter"]:
        return _check_figwriter(words)
    if words[:1] == ["tensorboard"]:
        return _check_tensorboard(words)
    if words[:1] == ["mkdocs"] or words[:2] == ["apt-get", "install"]:
        return
    if words[:3] == ["python", "-m", "mutmut"]:
        return _check_mutmut(words)
    if words[:1] == ["python"] and words[1].endswith(".py"):
        assert (ROOT / words[1]).is_file(), f"{command}: no script {words[1]}"
        return
    raise AssertionError(
        f"shell command {command!r} is neither run by a test nor checked here; "
        "add a rule to tests/_docs.py")


def check_shell_block(example: Example) -> None:
    __tracebackhide__ = True
    for line in str(example.parsed).splitlines():
        line = line.split(" #", 1)[0].strip()
        for command in filter(None, (c.strip() for c in line.split("&&"))):
            check_command(command)


# -- the Sybil set-up ----------------------------------------------------------------------


def docs_sybil() -> Sybil:
    """Sybil over README.md and docs/*.md (collected from the repository's root)."""
    common: dict[str, Any] = {"path": str(ROOT), "fixtures": ["docs_workdir"]}
    pages = Sybil(
        parsers=[
            CodeBlockParser("python", FreshNamespace()),
            CodeBlockParser("bash", check_shell_block),
            SkipParser(),
        ],
        patterns=["README.md", "docs/*.md"],
        excludes=["docs/gallery.md"],
        name="docs",
        **common,
    )
    gallery = Sybil(
        parsers=[CodeBlockParser("python", GalleryBlock()), SkipParser()],
        patterns=["docs/gallery.md"],
        name="gallery",
        **common,
    )
    return pages + gallery
