"""Doctest set-up: every docstring example gets a fresh ``logdir`` and ``np``."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

import figwriter


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace: dict, tmp_path) -> None:
    doctest_namespace["np"] = np
    doctest_namespace["logdir"] = str(tmp_path / "run")
    doctest_namespace["FigureSummaryWriter"] = figwriter.FigureSummaryWriter


# figwriter.torch needs torch; without it the module is not collected for doctests.
collect_ignore = []
if importlib.util.find_spec("torch") is None:
    collect_ignore.append("figwriter/torch.py")
