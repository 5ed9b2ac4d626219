"""The machinery that runs README/docs code blocks (tests/_docs.py) fails when it should."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from sybil import Sybil
from sybil.parsers.markdown import CodeBlockParser, SkipParser

from ._docs import ROOT, FreshNamespace, check_command, check_shell_block


def _examples(tmp_path: Path, text: str) -> list:
    page = tmp_path / "page.md"
    page.write_text(textwrap.dedent(text), encoding="utf-8")
    sybil = Sybil(
        parsers=[CodeBlockParser("python", FreshNamespace()),
                 CodeBlockParser("bash", check_shell_block), SkipParser()],
        path=str(tmp_path), patterns=["page.md"],
    )
    return list(sybil.parse(page))


def test_a_block_cannot_use_a_name_from_an_earlier_block(tmp_path):
    first, second = _examples(tmp_path, """
        ```python
        value = 3
        ```

        ```python
        print(value)
        ```
    """)
    first.evaluate()
    with pytest.raises(NameError, match="'value' is not defined"):
        second.evaluate()


def test_a_skipped_block_reports_its_reason(tmp_path):
    import unittest

    skip, block = _examples(tmp_path, """
        <!-- skip: next "needs a package the test extra does not install" -->
        ```python
        raise RuntimeError("not run")
        ```
    """)
    skip.evaluate()
    with pytest.raises(unittest.SkipTest, match="needs a package the test extra"):
        block.evaluate()


@pytest.mark.parametrize("command", [
    "python -m venv .venv",
    ". .venv/bin/activate",
    'pip install -c constraints.txt -e ".[test]"',
    'pip install "figwriter[viewer]"',
    "python -m figwriter demo --serve --port 6007",
    "tensorboard --logdir runs/figwriter-demo --samples_per_plugin images=1000",
    "python scripts/make_gallery.py",
])
def test_commands_the_docs_use_pass(command):
    check_command(command)


@pytest.mark.parametrize(("command", "message"), [
    ('pip install -e ".[nosuchextra]"', r"pyproject.toml has no extra \['nosuchextra'\]"),
    ('pip install -c nothere.txt -e ".[test]"', "-c nothere.txt: no such file"),
    ("pip install left-pad", "left-pad is in no dependency list of pyproject.toml"),
    ("pip install -e figwriter", r"expected the clone, '.\[extras\]'"),
    ("python -m figwriter demo --no-such-option", "unrecognized arguments: --no-such-option"),
    ("tensorboard --logdir runs --samples_per_image images=0", "tensorboard: error: "),
    ("python scripts/nothere.py", "no script scripts/nothere.py"),
    ("rm -rf runs", "neither run by a test nor checked here"),
])
def test_commands_that_name_nothing_real_fail(command, message):
    with pytest.raises(AssertionError, match=message):
        check_command(command)


def test_every_block_of_every_page_is_collected():
    from ._docs import docs_sybil

    sybils = docs_sybil()
    pages = ["README.md", *(f"docs/{p.name}" for p in sorted((ROOT / "docs").glob("*.md")))]
    for page in pages:
        text = (ROOT / page).read_text(encoding="utf-8")
        fences = [line for line in text.splitlines() if line.startswith("```")]
        opening = fences[::2]
        # any other fenced language would be run by nothing
        assert set(opening) <= {"```python", "```bash"}, f"{page}: {set(opening)}"
        (sybil,) = [s for s in sybils if s.should_parse(ROOT / page)]
        examples = [e for e in sybil.parse(ROOT / page) if "skip" not in repr(e.region)]
        assert len(examples) == len(opening), page
