"""Doctest set-up (every docstring example gets a fresh ``logdir`` and ``np``) and the
Sybil set-up that runs every code block in README.md and docs/*.md."""

from __future__ import annotations

import importlib.util
import os
import sys

import numpy as np
import pytest

import figwriter
from tests._docs import docs_sybil


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace: dict, tmp_path) -> None:
    doctest_namespace["np"] = np
    doctest_namespace["logdir"] = str(tmp_path / "run")
    doctest_namespace["FigureSummaryWriter"] = figwriter.FigureSummaryWriter


# figwriter.torch needs torch; without it the module is not collected for doctests.
collect_ignore = []
if importlib.util.find_spec("torch") is None:
    collect_ignore.append("figwriter/torch.py")
if importlib.util.find_spec("lightning") is None or importlib.util.find_spec("torch") is None:
    collect_ignore.append("figwriter/lightning.py")


@pytest.fixture
def docs_workdir(tmp_path, monkeypatch):
    """README/docs code blocks run in a temporary directory: no event file in the tree."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    monkeypatch.chdir(tmp_path)
    environ = dict(os.environ)  # a block may set variables (WANDB_MODE, ...)
    for name in ("WANDB_CACHE_DIR", "WANDB_CONFIG_DIR", "WANDB_DATA_DIR"):
        os.environ[name] = str(tmp_path / name.lower())  # wandb's files stay in tmp_path too
    yield tmp_path
    os.environ.clear()
    os.environ.update(environ)
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")


# Every code block in README.md and docs/*.md (tests/_docs.py says how).
pytest_collect_file = docs_sybil().pytest()
