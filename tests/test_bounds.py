"""Bounds: no picture over 4096 px a side, large inputs reduced, memory per call bounded.

TensorBoard refuses to serve very large images, so nothing larger than
``MAX_PICTURE_SIDE`` (4096) pixels on a side may be written, whatever the
input. Inputs far larger than the picture are reduced (the fast renderer's box
average), and one call's peak memory (numpy allocations, as ``tracemalloc``
sees them) stays within a small multiple of the input.
"""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest
from matplotlib.figure import Figure

from figwriter import FigureSummaryWriter
from figwriter.render import MAX_PICTURE_SIDE

from ._readback import read_images
from .test_properties import HAVE_COMPOSE, RENDERERS

needs_fast = pytest.mark.skipif(not HAVE_COMPOSE, reason="figwriter.render.fast is not here yet")


def _big(shape: tuple[int, int]) -> np.ndarray:
    rng = np.random.default_rng(sum(shape))
    return rng.standard_normal(shape, dtype=np.float32)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("renderer", "shape"),
    [
        pytest.param("fast", (20000, 3), marks=needs_fast),
        pytest.param("fast", (3, 20000), marks=needs_fast),
        pytest.param("fast", (6000, 6000), marks=needs_fast),
        ("matplotlib", (20000, 3)),
        ("matplotlib", (3, 20000)),
        # 6000x6000 through the matplotlib renderer peaks near 2.5 GB (see the
        # memory test below); a smaller square keeps the suite's memory modest
        ("matplotlib", (2500, 2500)),
    ],
    ids=lambda v: v if isinstance(v, str) else "x".join(map(str, v)),
)
def test_huge_inputs_give_pictures_within_4096_px(renderer, shape, logdir):
    values = _big(shape)
    with FigureSummaryWriter(logdir) as writer:
        writer.add_colormapped_image("big", values, 0, renderer=renderer)
        writer.add_colormapped_images("big/batch", [values, values[::2, ::2]], 0,
                                      renderer=renderer)
    for tag in ("big", "big/batch"):
        (event,) = read_images(logdir)[tag]
        assert max(event.height, event.width) <= MAX_PICTURE_SIDE
        assert event.pixels.shape == (event.height, event.width, 3)
        # reduced, not drawn in full: the picture is shorter than the data
        assert max(event.height, event.width) < max(shape)


@needs_fast
@pytest.mark.parametrize(
    "shape",
    [(20000, 3), (6000, 6000), (513, 2), pytest.param((4096, 4096), id="4096x4096")],
    ids=lambda v: "x".join(map(str, v)),
)
@pytest.mark.parametrize("max_size", [16, 512, 4096])
def test_fast_renderer_reduces_by_an_integer_factor_to_max_size(shape, max_size, logdir):
    from figwriter.render.fast import layout_for

    values = np.zeros(shape, np.float32)
    with FigureSummaryWriter(logdir) as writer:
        writer.add_colormapped_image("r", values, 0, max_size=max_size)
    (event,) = read_images(logdir)["r"]
    layout = layout_for("r", shape, title=False, label=False, max_size=max_size)
    assert (event.height, event.width) == (layout.height, layout.width)
    assert max(event.height, event.width) <= MAX_PICTURE_SIDE
    longest = max(shape)
    if longest > max_size:
        assert layout.up == 1 and layout.down >= math.ceil(longest / max_size)
    assert max(layout.image.height, layout.image.width) <= max_size


@needs_fast
@pytest.mark.parametrize(("n", "ncols"), [(400, None), (100, 100), (100, 1), (1000, None)])
def test_fast_batches_stay_within_4096_px_or_are_refused_by_name(n, ncols, logdir):
    panels = np.zeros((n, 16, 16), np.float32)
    with FigureSummaryWriter(logdir) as writer:
        try:
            writer.add_colormapped_images("many", panels, 0, ncols=ncols,
                                          shared_scale=n <= 100)
        except ValueError as err:
            assert "values" in str(err) and "4096" in str(err)
            return
    (event,) = read_images(logdir)["many"]
    assert max(event.height, event.width) <= MAX_PICTURE_SIDE


@needs_fast
def test_fast_renderer_with_max_size_4096_stays_within_4096_px(logdir):
    with FigureSummaryWriter(logdir) as writer:
        writer.add_colormapped_image("r", np.zeros((4096, 4096), np.float32), 0,
                                     max_size=4096, title="t", label="l")
    (event,) = read_images(logdir)["r"]
    assert max(event.height, event.width) <= MAX_PICTURE_SIDE


# -- figures ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("size", "dpi", "call_dpi"),
    [((50, 5), 100, None), ((5, 41), 100, None), ((4, 3), 100, 1100), ((41, 1), 100, 100.0)],
)
def test_figures_over_4096_px_are_refused_with_the_largest_dpi_that_fits(
        size, dpi, call_dpi, logdir):
    fig = Figure(figsize=size, dpi=dpi)
    with FigureSummaryWriter(logdir) as writer:
        with pytest.raises(ValueError, match=r"^figure would draw to \d+x\d+ pixels.*4096.*dpi"):
            writer.add_figure_png("big", fig, 0, dpi=call_dpi)
        best = int(MAX_PICTURE_SIDE / max(size))
        writer.add_figure_png("big", fig, 1, dpi=best)  # the advice works
    (event,) = read_images(logdir)["big"]
    assert max(event.width, event.height) <= MAX_PICTURE_SIDE


def test_a_figure_of_exactly_4096_px_is_written(logdir):
    with FigureSummaryWriter(logdir) as writer:
        writer.add_figure_png("edge", Figure(figsize=(40.96, 1), dpi=100), 0)
    (event,) = read_images(logdir)["edge"]
    assert event.width == MAX_PICTURE_SIDE


def test_a_list_of_figures_never_makes_a_picture_over_4096_px(logdir):
    figures = [Figure(figsize=(6, 4), dpi=100) for _ in range(8)]
    with FigureSummaryWriter(logdir) as writer:
        try:
            writer.add_figure_png("grid", figures, 0)
        except ValueError as err:
            assert "figure" in str(err)
            return
    (event,) = read_images(logdir)["grid"]
    assert max(event.width, event.height) <= MAX_PICTURE_SIDE


# -- memory per call -----------------------------------------------------------------------
def _peak_of_one_call(writer: FigureSummaryWriter, values: np.ndarray, renderer: str) -> int:
    # warm the stream (layout, colour table, glyphs, figure) on a small array first
    writer.add_colormapped_image("warm", values[:64, :64], 0, renderer=renderer)
    tracemalloc.start()
    try:
        writer.add_colormapped_image(f"mem{values.shape[0]}", values, 0, renderer=renderer)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


MEMORY_BOUND = "peak < 4 x input bytes + 50 MB"


def _bound(values: np.ndarray) -> int:
    return 4 * values.nbytes + 50 * 2**20


@needs_fast
@pytest.mark.slow
@pytest.mark.parametrize("side", [2048, 4096])
def test_fast_renderer_memory_per_call_is_a_small_multiple_of_the_input(
        side, logdir, capsys):
    values = _big((side, side))
    with FigureSummaryWriter(logdir) as writer:
        peak = _peak_of_one_call(writer, values, "fast")
    with capsys.disabled():
        print(f"\n[memory fast {side}x{side} float32] input {values.nbytes / 2**20:.0f} MiB, "
              f"peak {peak / 2**20:.1f} MiB ({peak / values.nbytes:.2f}x)")
    assert peak < _bound(values), MEMORY_BOUND


@pytest.mark.slow
def test_matplotlib_renderer_memory_per_call_is_a_small_multiple_of_the_input(logdir, capsys):
    values = _big((2048, 2048))
    with FigureSummaryWriter(logdir) as writer:
        peak = _peak_of_one_call(writer, values, "matplotlib")
    with capsys.disabled():
        print(f"\n[memory matplotlib 2048x2048 float32] input {values.nbytes / 2**20:.0f} MiB, "
              f"peak {peak / 2**20:.1f} MiB ({peak / values.nbytes:.2f}x)")
    assert peak < _bound(values), MEMORY_BOUND


@pytest.mark.parametrize("renderer", RENDERERS)
def test_a_batch_costs_memory_in_proportion_to_the_batch(renderer, logdir):
    values = _big((8, 256, 256))
    with FigureSummaryWriter(logdir) as writer:
        writer.add_colormapped_images("warm", values[:, :16, :16], 0, renderer=renderer)
        tracemalloc.start()
        try:
            writer.add_colormapped_images("batch", values, 0, renderer=renderer)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 6 * values.nbytes + 50 * 2**20
