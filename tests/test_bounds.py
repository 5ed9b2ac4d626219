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
from .test_properties import RENDERERS


def _big(shape: tuple[int, int]) -> np.ndarray:
    rng = np.random.default_rng(sum(shape))
    return rng.standard_normal(shape, dtype=np.float32)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("renderer", "shape"),
    [
        pytest.param("fast", (20000, 3)),
        pytest.param("fast", (3, 20000)),
        pytest.param("fast", (6000, 6000)),
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


def _too_many(n: int, ncols: int) -> str:
    return (rf"^values hold too many panels \({n}\) to lay out in a picture of at most 4096 "
            rf"pixels a side with ncols={ncols}; log fewer panels per call$")


@pytest.mark.parametrize(
    ("n", "ncols", "shared", "expected"),
    [
        # written: panels shrink (down to a pixel) until the grid fits; its shape
        # follows the grid ("square" within a factor 2, a "row" or a "column")
        (400, None, False, "square"),
        (1000, None, False, "square"),
        (3000, None, True, "square"),
        (100, 100, True, "row"),
        (100, 1, True, "column"),
        # refused: even one-pixel panels make a row or column over 4096 px
        (1000, 1000, True, _too_many(1000, 1000)),
        (2000, 1, True, _too_many(2000, 1)),
    ],
)
def test_fast_batches_stay_within_4096_px_or_are_refused_by_name(
        n, ncols, shared, expected, logdir):
    panels = np.zeros((n, 16, 16), np.float32)
    with FigureSummaryWriter(logdir) as writer:
        if expected.startswith("^"):
            with pytest.raises(ValueError, match=expected):
                writer.add_colormapped_images("many", panels, 0, ncols=ncols,
                                              shared_scale=shared)
            writer.add_scalar("still-usable", 1.0, 0)
            return
        writer.add_colormapped_images("many", panels, 0, ncols=ncols, shared_scale=shared)
    (event,) = read_images(logdir)["many"]
    assert max(event.height, event.width) <= MAX_PICTURE_SIDE
    ratio = event.width / event.height
    assert {"square": 0.5 <= ratio <= 2.0, "row": ratio > 5, "column": ratio < 0.2}[expected], (
        f"{n} panels, ncols={ncols}: a {expected} grid expected, got {event.width}x{event.height}"
    )


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


@pytest.mark.parametrize(
    ("n", "size", "expected"),
    [
        # 8 per row, as add_figure does: 6 of 600x400 px make 3600x400
        (6, (6, 4), (3600, 400)),
        # 16 of 512x256 px: two full rows of 4096 px, exactly the limit
        (16, (5.12, 2.56), (4096, 512)),
        (8, (6, 4), r"^figure: 8 figures laid out 8 per row would make a 4800x400 picture; "
                    r"TensorBoard pictures are limited to 4096 pixels on a side"),
        (40, (1, 1.2), (800, 600)),
        (32, (1, 10.5), r"^figure: 32 figures laid out 8 per row would make a 800x4200 "
                        r"picture; .* pass a smaller dpi= or fewer figures$"),
    ],
)
def test_a_list_of_figures_is_written_as_its_grid_or_refused_over_4096_px(
        n, size, expected, logdir):
    figures = [Figure(figsize=size, dpi=100) for _ in range(n)]
    with FigureSummaryWriter(logdir) as writer:
        if isinstance(expected, str):
            with pytest.raises(ValueError, match=expected):
                writer.add_figure_png("grid", figures, 0)
            return
        writer.add_figure_png("grid", figures, 0)
    (event,) = read_images(logdir)["grid"]
    assert (event.width, event.height) == expected


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
