"""Warnings and output: no warning per call for bad or clipped data, nothing printed.

A training loop logs the same tag every step; data with NaN, infinities or
values outside explicit limits is normal there (the picture shows them in the
bad and extension colours). Such calls may emit at most one informative warning
per tag over a run, never one per call, and the library prints nothing to
stdout or stderr.
"""

from __future__ import annotations

import collections
import warnings

import numpy as np
import pytest
from matplotlib.figure import Figure

from figwriter import FigureSummaryWriter

from ._readback import read_images

CALLS_PER_TAG = 25


def _noisy_inputs(rng: np.random.Generator, step: int) -> dict[str, tuple[np.ndarray, dict]]:
    """Per tag: data and options that a naive implementation would warn about."""
    field = rng.normal(size=(24, 32))
    with_nan = field.copy()
    with_nan[rng.random(field.shape) < 0.2] = np.nan
    with_inf = field.copy()
    with_inf[0, :4] = [np.inf, -np.inf, np.nan, np.inf]
    positive = np.abs(field) + 1e-3
    positive[0, 0] = -1.0  # log: non-positive cells are bad
    positive[1, 1] = 0.0
    f32_huge = (rng.uniform(-1, 1, size=(16, 16)) * 1e38).astype(np.float32)
    return {
        "nan": (with_nan, {}),
        "inf": (with_inf, {}),
        "all-nan": (np.full((8, 8), np.nan), {}),
        "clipped": (field * (step + 1), {"vmin": -0.5, "vmax": 0.5}),
        "robust": (with_nan, {"robust": True}),
        "log-nonpositive": (positive, {"norm": "log"}),
        "symlog-zero": (np.zeros((6, 6)), {"norm": "symlog"}),
        "masked": (np.ma.masked_greater(field, 0.5), {"center": 0.0}),
        "constant": (np.full((5, 7), 3.0), {}),
        "float32-wide": (f32_huge, {}),
        "int-extremes": (np.array([[np.iinfo(np.int64).min, np.iinfo(np.int64).max]]), {}),
    }


@pytest.mark.parametrize(
    ("renderer", "async_render"),
    [
        pytest.param("fast", False, id="fast-sync"),
        pytest.param("fast", True, id="fast-async"),
        pytest.param("matplotlib", False, id="matplotlib-sync"),  # same drawing code async
    ],
)
def test_bad_and_clipped_data_warn_at_most_once_per_tag_and_print_nothing(
        renderer, async_render, logdir, rng, capfd):
    if renderer == "matplotlib":
        # known: matplotlib's float32 arithmetic overflows on float32 data spanning
        # +-1e38 (test_matplotlib_renderer_does_not_warn_on_extreme_floats below)
        skip = {"float32-wide"}
    else:
        skip = set()
    calls = CALLS_PER_TAG if renderer == "fast" else 3
    per_tag: collections.Counter[str] = collections.Counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        writer = FigureSummaryWriter(logdir, async_render=async_render)
        for step in range(calls):
            for tag, (values, kw) in _noisy_inputs(rng, step).items():
                if tag in skip:
                    continue
                before = len(caught)
                writer.add_colormapped_image(tag, values, step, renderer=renderer, **kw)
                writer.add_colormapped_images(tag + "/batch", [values, values], step,
                                              renderer=renderer, **kw)
                per_tag[tag] += len(caught) - before
            writer.flush()  # background warnings surface by now
        writer.close()
    messages = [f"{w.category.__name__}: {w.message} ({w.filename}:{w.lineno})" for w in caught]
    assert all(n <= 1 for n in per_tag.values()), (dict(per_tag), messages[:10])
    assert len(caught) <= len(per_tag), messages[:10]
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    images = read_images(logdir)
    tags = [t for t in _noisy_inputs(rng, 0) if t not in skip]
    assert {t: len(images[t]) for t in tags} == {t: calls for t in tags}


def test_figures_and_closing_print_nothing(logdir, capfd):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with FigureSummaryWriter(logdir, async_render=True) as writer:
            for step in range(10):
                fig = Figure(figsize=(2, 1.5), dpi=40)
                ax = fig.subplots()
                ax.plot([0, 1, np.nan, 3])  # NaN in a line: matplotlib draws a gap
                ax.set_yscale("log")  # and a non-positive value on a log axis
                ax.plot([0, -1, 2])
                writer.add_figure_png("fig", fig, step)
    assert [str(w.message) for w in caught] == []
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    assert len(read_images(logdir)["fig"]) == 10


@pytest.mark.parametrize(
    "values",
    [
        np.array([[-3.0e38, 3.0e38], [0.0, 1.0]], np.float32),
        np.array([[-np.finfo(np.float64).max, np.finfo(np.float64).max], [0.0, 1.0]]),
    ],
    ids=["float32", "float64"],
)
def test_matplotlib_renderer_does_not_warn_on_extreme_floats(values, logdir):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with FigureSummaryWriter(logdir) as writer:
            writer.add_colormapped_image("wide", values, 0, renderer="matplotlib")
    assert [str(w.message) for w in caught] == []
