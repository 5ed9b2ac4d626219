"""The per-picture option rules (render.cells, render.overlay), against seaborn and matplotlib.

Annotation strings and colours against seaborn's ``heatmap``; tick-label
thinning against seaborn's ``"auto"`` ticks on an axes of the same size; value
ticks against a real ``imshow(..., extent=...)`` axes of the same pixel size;
block reductions against loops written here.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from matplotlib import colormaps
from matplotlib import colors as mcolors
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from figwriter._held import HeldScales
from figwriter.render import cells, overlay
from figwriter.render.cells import default_reduce, reduce_blocks
from figwriter.render.fast.picture import value_ticks
from figwriter.render.geometry import cell_grid, cell_ratio
from figwriter.render.overlay import annotation_text, background_rgb, blend, label_step

from ._requires import require

seaborn = require("seaborn")


# -- reductions --------------------------------------------------------------------------------


def reference_reduce(data: np.ndarray, fy: int, fx: int, mode: str) -> np.ndarray:
    h, w = data.shape
    out = np.empty((-(-h // fy), -(-w // fx)))
    for i, j in itertools.product(range(out.shape[0]), range(out.shape[1])):
        block = data[i * fy:(i + 1) * fy, j * fx:(j + 1) * fx].ravel()
        finite = block[np.isfinite(block)]
        if mode == "mean":
            out[i, j] = block.mean() if finite.size == block.size else np.nan
        elif not finite.size:
            out[i, j] = np.nan
        elif mode == "max":
            out[i, j] = finite.max()
        elif mode == "min":
            out[i, j] = finite.min()
        else:
            values, counts = np.unique(finite, return_counts=True)
            out[i, j] = values[np.argmax(counts)]  # unique sorts: ties go to the smallest
    return out


@pytest.mark.parametrize("mode", cells.REDUCE_MODES)
@pytest.mark.parametrize(("shape", "fy", "fx"), [((7, 11), 2, 3), ((9, 9), 3, 3),
                                                 ((5, 13), 1, 4), ((12, 5), 5, 1)])
def test_reduce_blocks_match_a_loop(rng, mode, shape, fy, fx):
    data = rng.integers(0, 4, size=shape).astype(np.float64)
    data[rng.random(shape) < 0.1] = np.nan
    data[0, 0] = np.inf
    got = reduce_blocks(data, fy, fx, mode)
    want = reference_reduce(data, fy, fx, mode)
    np.testing.assert_allclose(got, want, rtol=1e-12, equal_nan=True)


def test_mode_of_a_label_map_holds_only_its_classes(rng):
    labels = rng.choice([3.0, 17.0], size=(100, 150))
    shown = reduce_blocks(labels, 7, 7, "mode")
    assert set(np.unique(shown)) == {3.0, 17.0}


def test_reduce_blocks_refuses_an_unknown_mode():
    with pytest.raises(ValueError, match=r"reduce must be one of .*got 'median'"):
        reduce_blocks(np.zeros((4, 4)), 2, 2, "median")


@pytest.mark.parametrize(("kind", "cmap", "norm", "want"), [
    ("i", "tab20", mcolors.Normalize(), "mode"),
    ("u", "Set3", mcolors.Normalize(), "mode"),
    ("b", "tab10", mcolors.Normalize(), "mode"),
    ("i", "viridis", mcolors.BoundaryNorm([0, 1, 2], 256), "mode"),
    ("i", "viridis", mcolors.Normalize(), "mean"),
    ("f", "tab20", mcolors.Normalize(), "mean"),
    ("f", "viridis", mcolors.BoundaryNorm([0, 1, 2], 256), "mean"),
])
def test_labels_are_never_averaged_by_default(kind, cmap, norm, want):
    assert default_reduce(kind, colormaps[cmap], norm) == want


# -- cell geometry ------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(80, 1000), (12, 197), (1, 4000), (3000, 2)])
def test_auto_aspect_fills_a_readable_box(shape):
    rows, cols = cell_grid(shape, "auto", None, 512)
    assert 1 / 3 <= rows.length / cols.length <= 3
    assert max(rows.length, cols.length) <= 512


@pytest.mark.parametrize(("shape", "aspect", "extent"), [
    ((64, 64), 0.5, None), ((64, 64), 2.0, None), ((30, 90), 1.5, None),
    ((100, 40), "equal", (0.0, 4.0, 0.0, 2.0)), ((600, 900), 0.75, None),
])
def test_numeric_aspect_is_the_cell_shape_as_imshow_draws_it(shape, aspect, extent):
    rows, cols = cell_grid(shape, aspect, extent, 512)
    want = cell_ratio(shape, aspect, extent) * shape[0] / shape[1]
    got = rows.length / cols.length
    assert got == pytest.approx(want, rel=0.2)
    assert max(rows.length, cols.length) <= 512


def test_equal_aspect_keeps_one_factor_for_both_axes():
    for shape in [(64, 64), (600, 100), (4096, 4096), (3, 7)]:
        rows, cols = cell_grid(shape, "equal", None, 512)
        assert (rows.up, rows.down) == (cols.up, cols.down)


# -- annotations, against seaborn ---------------------------------------------------------------


@pytest.mark.parametrize(("values", "fmt"), [
    (np.array([[0.123456, -2.5], [1e6, 3.0]]), ".2g"),
    (np.array([[0.5, 12.25], [-7.125, 100.0]]), ".1f"),
    (np.array([[3, 14], [0, 999]]), "d"),
    (np.array([[0.5, 0.25], [0.125, 1.0]]), ".0%"),
])
def test_annotation_strings_are_seaborns(values, fmt):
    fig = Figure()
    ax = fig.subplots()
    seaborn.heatmap(values, annot=True, fmt=fmt, ax=ax, cbar=False)
    theirs = [t.get_text() for t in ax.texts]
    ours = [annotation_text(v, fmt) for v in values.ravel()]
    assert ours == theirs


@pytest.mark.parametrize("cmap", ["viridis", "rocket", "RdBu_r", "gray"])
def test_annotation_colours_are_seaborns(rng, cmap):
    values = rng.random((6, 6))
    fig = Figure()
    ax = fig.subplots()
    seaborn.heatmap(values, annot=True, ax=ax, cbar=False, cmap=cmap, vmin=0, vmax=1)
    theirs = [mcolors.to_rgb(t.get_color()) for t in ax.texts]
    colours = colormaps[cmap](mcolors.Normalize(0, 1)(values))
    dark = overlay.dark_text(colours).ravel()
    ours = [mcolors.to_rgb(".15") if d else mcolors.to_rgb("w") for d in dark]
    assert ours == theirs
    assert overlay.ANNOT_DARK == tuple(int(round(c * 255)) for c in mcolors.to_rgb(".15"))


# -- tick labels -------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "inches"), [(10, 4.0), (100, 4.0), (197, 3.0), (40, 1.0)])
def test_label_thinning_is_seaborns_auto(n, inches):
    fig = Figure(figsize=(inches + 2, inches + 2), dpi=100)
    ax = fig.add_axes((1 / (inches + 2), 1 / (inches + 2), inches / (inches + 2),
                       inches / (inches + 2)))
    labels = [f"t{i}" for i in range(n)]
    pandas = require("pandas")
    frame = pandas.DataFrame(np.zeros((n, n)), index=labels, columns=labels)
    seaborn.heatmap(frame, xticklabels="auto", yticklabels="auto", ax=ax, cbar=False)
    size = ax.xaxis.get_ticklabels()[0].get_size()
    step = label_step(n, inches * 100, size)
    assert labels[::step] == [t.get_text() for t in ax.get_xticklabels()]
    assert labels[::step] == [t.get_text() for t in ax.get_yticklabels()]


@pytest.mark.parametrize(("extent", "size"), [
    ((0.0, 10.0, 0.0, 8000.0), (500, 300)),
    ((-1.0, 1.0, -1.0, 1.0), (256, 256)),
    ((0.0, 3e-5, 1e3, 1e3 + 1.0), (400, 200)),
    ((5.0, -5.0, 2.0, 0.0), (300, 120)),
])
def test_value_ticks_are_those_of_imshow_with_extent(extent, size):
    width, height = size
    fig = Figure(figsize=(width / 100 + 2, height / 100 + 2), dpi=100)
    FigureCanvasAgg(fig)
    fw, fh = fig.get_size_inches() * 100
    ax = fig.add_axes((100 / fw, 100 / fh, width / fw, height / fh))
    ax.imshow(np.zeros((4, 5)), extent=extent, aspect="auto")
    fig.canvas.draw()
    for axis, (start, end), length, name in (
        (ax.xaxis, (extent[0], extent[1]), width, "x"),
        (ax.yaxis, (extent[3], extent[2]), height, "y"),
    ):
        lo, hi = sorted(axis.get_view_interval())
        locs = [v for v in axis.get_majorticklocs() if lo - 1e-9 * (hi - lo) <= v
                <= hi + 1e-9 * (hi - lo)]
        want = axis.get_major_formatter().format_ticks(locs)
        ticks, offset = value_ticks(start, end, length, name, 10.0)
        assert [label for _, label in ticks] == want
        assert offset == axis.get_major_formatter().get_offset()
        # positions: the pixel each tick falls in
        trans = [ax.transData.transform((v, v)) for v in locs]
        bbox = ax.get_window_extent()
        for (px, _), xy in zip(ticks, trans):
            theirs = xy[0] - bbox.x0 if name == "x" else bbox.y1 - xy[1]
            assert abs(px - theirs) <= 1.5  # the last pixel holds a tick at the far edge


# -- background and held scales ----------------------------------------------------------------


def test_background_conversions():
    grey = np.array([[0.0, 0.5], [1.0, 2.0]])
    assert background_rgb(grey)[..., 0].tolist() == [[0, 128], [255, 255]]
    assert background_rgb(np.array([[True, False]]))[0, :, 1].tolist() == [255, 0]
    rgb = np.arange(12, dtype=np.uint8).reshape(2, 2, 3)
    np.testing.assert_array_equal(background_rgb(rgb), rgb)


def test_blend_is_the_documented_formula(rng):
    cells = rng.integers(0, 256, (5, 7, 3), dtype=np.uint8)
    back = rng.integers(0, 256, (5, 7, 3), dtype=np.uint8)
    alpha_map = rng.choice([0.0, 1.0], size=(5, 7))
    got = blend(cells, alpha_map, back, 0.3)
    a = 0.3 * alpha_map[:, :, None]
    want = np.floor(a * cells.astype(float) + (1 - a) * back.astype(float) + 0.5)
    np.testing.assert_array_equal(got, want.astype(np.uint8))


def test_held_scales_keep_the_first_limits():
    held = HeldScales()
    assert held.get("t") is None
    assert held.hold("t", 0.0, 1.0) == (0.0, 1.0)
    assert held.hold("t", -5.0, 5.0) == (0.0, 1.0)
    assert held.get("t") == (0.0, 1.0)
    assert held.get(("t", 1)) is None


def test_writer_state_objects_survive_pickling():
    import pickle

    held = HeldScales()
    held.hold("t", 0.0, 2.0)
    copy = pickle.loads(pickle.dumps(held))
    assert copy.get("t") == (0.0, 2.0) and copy.hold("u", 1.0, 3.0) == (1.0, 3.0)
    warned = overlay.Warned()
    assert warned.first("t")
    again = pickle.loads(pickle.dumps(warned))
    assert not again.first("t") and again.first("u")
    # a process keeps one record for all it unpickles (a worker's, across its jobs)
    assert pickle.loads(pickle.dumps(overlay.Warned())) is again and not again.first("u")
