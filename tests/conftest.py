"""Shared fixtures: Agg forced, figures closed, a seeded rng, a fresh logdir."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest



matplotlib.use("Agg", force=True)


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every pyplot figure a test opened (the library itself opens none)."""
    yield
    import sys

    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261123)


@pytest.fixture
def logdir(tmp_path) -> str:
    return str(tmp_path / "run")


@pytest.fixture
def writer(logdir):
    from figwriter import FigureSummaryWriter

    w = FigureSummaryWriter(logdir)
    yield w
    w.close()
