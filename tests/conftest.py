"""Shared fixtures: Agg forced, figures closed, a seeded rng, a fresh logdir.

``writer_cls`` / ``writer`` run a test once per writer class: figwriter's
tensorboardX writer, and its torch.utils.tensorboard writer where torch is
installed.
"""

from __future__ import annotations

import sys

import matplotlib
import numpy as np
import pytest

from ._requires import needs_torch

matplotlib.use("Agg", force=True)



@pytest.fixture(autouse=True)
def _close_figures():
    """Close every pyplot figure a test opened (the library itself opens none)."""
    yield
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261123)


@pytest.fixture
def logdir(tmp_path) -> str:
    return str(tmp_path / "run")


@pytest.fixture(
    params=[
        "tensorboardX",
        pytest.param("torch", marks=needs_torch),
    ]
)
def writer_cls(request):
    """Each FigureSummaryWriter class: over tensorboardX, and over torch.utils.tensorboard."""
    if request.param == "torch":
        from figwriter.torch import FigureSummaryWriter
    else:
        from figwriter import FigureSummaryWriter
    return FigureSummaryWriter


@pytest.fixture
def writer(writer_cls, logdir):
    w = writer_cls(logdir)
    yield w
    w.close()
