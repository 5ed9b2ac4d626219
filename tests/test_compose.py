"""The fast renderer (figwriter.render.fast), checked against matplotlib itself.

Colours against ``cmap(norm(values), bytes=True)``; tick labels and offset text
against a real ``Figure`` + ``imshow`` + ``colorbar`` whose bar has the same
height in pixels; reductions against block means computed here, independently.
"""

from __future__ import annotations

import copy
import math
import sys
import threading

import matplotlib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib import colormaps
from matplotlib import colors as mcolors
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import figwriter
from figwriter._scale import ColorScale, resolve_scale
from figwriter.render import MAX_PICTURE_SIDE, CanvasSizes, PictureOptions, Stream
from figwriter.render import render as render_with
from figwriter.render.cells import Scratch, cell_factors, grid_columns, reduce_cells
from figwriter.render.fast import paint, render_fast, render_fast_grid
from figwriter.render.fast.colours import colorize, colour_indices, colour_table, indices_into
from figwriter.render.fast.layout import GRID_MAX_SIDE, grid_layout_for, layout_for
from figwriter.render.fast.ticks import bar_ticks, font_size, image_axis_ticks, tick_space

from ._readback import read_images

MINUS = "\N{MINUS SIGN}"
#: distinct, opaque extremes, so that under/over/bad show in the pixels
EXTREMES = colormaps["viridis"].with_extremes(under="red", over="magenta", bad="black")


# -- helpers ------------------------------------------------------------------------------


def expected_rgb(values: np.ndarray, scale) -> np.ndarray:
    """What imshow paints over a white figure: cmap(norm(masked_invalid(values)))."""
    rgba = scale.cmap(scale.norm(np.ma.masked_invalid(values)), bytes=True)
    assert set(np.unique(rgba[..., 3])) <= {0, 255}, "test colormaps must be opaque or clear"
    return np.where(rgba[..., 3:] == 255, rgba[..., :3], np.uint8(255))


def cells_of(picture: np.ndarray, image, up: int, cells: tuple[int, int]) -> np.ndarray:
    """One pixel per shown cell (the top-left pixel of its block)."""
    rows = image.y + np.arange(cells[0]) * up
    cols = image.x + np.arange(cells[1]) * up
    return picture[rows[:, None], cols[None, :]]


def assert_blocks_uniform(picture: np.ndarray, image, up: int) -> None:
    """Every cell is a square block of identical pixels: no interpolation blur."""
    block = picture[image.slices()]
    h, w = image.height // up, image.width // up
    tiles = block.reshape(h, up, w, up, 3)
    assert (tiles == tiles[:, :1, :, :1]).all()


def render(values, scale, key, **kwargs):
    kwargs.setdefault("title", None)
    kwargs.setdefault("label", None)
    sizes = CanvasSizes()
    picture = render_fast(values, scale, key=key, sizes=sizes, **kwargs)
    layout = layout_for(key, values.shape, title=kwargs["title"] is not None,
                        label=kwargs["label"] is not None,
                        max_size=kwargs.get("max_size", 512), sizes=sizes)
    assert picture.shape == (layout.height, layout.width, 3)
    assert picture.dtype == np.uint8 and picture.flags.c_contiguous
    return picture, layout


def drawn_colorbar(norm, interior_px: int, extend: str = "neither"):
    """A real colorbar whose interior is ``interior_px`` high, drawn once."""
    frac = 1 + 0.05 * ((extend in ("min", "both")) + (extend in ("max", "both")))
    cax_px = interior_px * frac
    fig_h = (cax_px + 100) / 100
    fig = Figure(figsize=(4, fig_h), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.05, 0.5 / fig_h, 0.4, cax_px / 100 / fig_h))
    cax = fig.add_axes((0.6, 0.5 / fig_h, 0.05, cax_px / 100 / fig_h))
    image = ax.imshow(np.zeros((2, 2)), norm=norm, cmap="viridis")
    bar = fig.colorbar(image, cax=cax, extend=extend)
    fig.canvas.draw()
    return bar


def colorbar_reference(norm, interior_px: int, extend: str = "neither"):
    """Labels and offset text a real colorbar of this interior height prints."""
    bar = drawn_colorbar(norm, interior_px, extend)
    assert abs(bar.ax.get_window_extent().height - interior_px) < 1e-6
    # the ticks Axis.draw drew (inside the view limits), major then minor
    drawn = bar.ax.yaxis._update_ticks()
    labels = [t.label2.get_text() for t in drawn if t.label2.get_text()]
    return labels, bar.ax.yaxis.get_offset_text().get_text()


def reference_blocks(data: np.ndarray, f: int):
    """Per f x f block (edge blocks smaller): exact sum (math.fsum), cell count, badness."""
    h, w = -(-data.shape[0] // f), -(-data.shape[1] // f)
    sums = np.full((h, w), np.nan)
    counts = np.zeros((h, w))
    bad = np.zeros((h, w), bool)
    for i in range(h):
        for j in range(w):
            block = data[i * f:(i + 1) * f, j * f:(j + 1) * f].astype(np.float64)
            counts[i, j] = block.size
            if np.isfinite(block).all():
                sums[i, j] = math.fsum(block.ravel())
            else:
                bad[i, j] = True
    return sums, counts, bad


def reference_means(data: np.ndarray, f: int) -> tuple[np.ndarray, np.ndarray]:
    """Block means and which blocks hold a non-finite cell."""
    sums, counts, bad = reference_blocks(data, f)
    return sums / counts, bad


# -- colours ------------------------------------------------------------------------------

NORMS = [
    pytest.param(dict(vmin=-1.0, vmax=1.0, cmap=EXTREMES), id="linear-clipped"),
    pytest.param(dict(cmap=EXTREMES), id="linear-auto"),
    pytest.param(dict(norm="log", vmin=0.05, vmax=3.0, cmap=EXTREMES), id="log-nonpositive-bad"),
    pytest.param(dict(norm="symlog", cmap=EXTREMES), id="symlog"),
    pytest.param(dict(norm=mcolors.PowerNorm(0.5, vmin=0.0, vmax=4.0), cmap=EXTREMES),
                 id="power"),
    pytest.param(dict(norm=mcolors.TwoSlopeNorm(0.0, -20.0, 10.0), cmap="RdBu_r"), id="twoslope"),
    pytest.param(dict(vmin=-2.0, vmax=2.0, cmap="viridis"), id="viridis-bad-is-white"),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("options", NORMS)
def test_cells_carry_exactly_the_colours_of_cmap_of_norm(rng, dtype, options):
    values = (rng.normal(size=(40, 70)) * 2).astype(dtype)
    values[0, 0], values[1, 1], values[2, 2] = np.nan, np.inf, -np.inf
    values[3, 3], values[4, 4] = 0.0, -5.0
    scale = resolve_scale([values], **options)
    picture, layout = render(values, scale, f"colours-{dtype.__name__}")
    assert layout.up > 1 and layout.down == 1
    assert_blocks_uniform(picture, layout.image, layout.up)
    got = cells_of(picture, layout.image, layout.up, layout.cells)
    np.testing.assert_array_equal(got, expected_rgb(values, scale))
    # non-finite cells are bad, whatever the norm would make of them
    bad = tuple(scale.cmap(np.nan, bytes=True)[:3]) if scale.cmap(np.nan)[3] else (255,) * 3
    assert {tuple(got[i, i]) for i in range(3)} == {bad}


def test_under_over_and_bad_cells_show_their_own_colours(rng):
    values = rng.uniform(0, 1, size=(20, 20))
    values[0, :5] = [-1.0, 2.0, np.nan, 0.0, 1.0]  # under, over, bad, vmin, vmax
    scale = resolve_scale([values], vmin=0.0, vmax=1.0, cmap=EXTREMES)
    assert scale.extend == "both"
    got = colorize(values, scale)
    assert got[0, 0].tolist() == [255, 0, 0]
    assert got[0, 1].tolist() == [255, 0, 255]
    assert got[0, 2].tolist() == [0, 0, 0]
    np.testing.assert_array_equal(got[0, 3], EXTREMES(0, bytes=True)[:3])
    np.testing.assert_array_equal(got[0, 4], EXTREMES(255, bytes=True)[:3])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_index_boundaries_follow_colormap_call_exactly(dtype):
    """Values on and next to each of the 256 colour boundaries, as Colormap.__call__."""
    vmin, vmax = -0.3, 1.7
    edges = vmin + (vmax - vmin) * np.arange(257) / 256
    values = np.concatenate([
        edges, np.nextafter(edges, -np.inf), np.nextafter(edges, np.inf),
    ]).astype(dtype).reshape(3, 257)
    scale = resolve_scale([values], vmin=vmin, vmax=vmax, cmap=EXTREMES)
    np.testing.assert_array_equal(colorize(values, scale), expected_rgb(values, scale))


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from([np.float32, np.float64]),
    st.floats(-1e6, 1e6), st.floats(1e-6, 1e6), st.integers(0, 2**32 - 1),
    st.sampled_from(["linear", "log", "symlog"]),
)
def test_colorize_equals_matplotlib_for_any_limits(dtype, centre, width, seed, norm):
    rng = np.random.default_rng(seed)
    values = (centre + width * rng.normal(size=(9, 11))).astype(dtype)
    values.flat[rng.integers(0, values.size, 3)] = [np.nan, np.inf, -np.inf]
    lo, hi = centre - width, centre + width * 0.5
    if norm == "log":
        lo, hi = width / 10, width * 3
    scale = resolve_scale([values], vmin=lo, vmax=hi, norm=norm, cmap=EXTREMES)
    np.testing.assert_array_equal(colorize(values, scale), expected_rgb(values, scale))


def test_colour_table_is_built_once_per_colormap():
    a, b = colormaps["viridis"], colormaps["viridis"]  # two registry copies
    assert a is not b
    assert colour_table(a) is colour_table(b)
    assert colour_table(EXTREMES) is not colour_table(a)
    np.testing.assert_array_equal(colour_table(EXTREMES).bad, [0, 0, 0])
    np.testing.assert_array_equal(colour_table(a).bad, [255, 255, 255])  # clear: white
    table = colour_table(colormaps["RdBu_r"])
    np.testing.assert_array_equal(table.rgb[1:257], colormaps["RdBu_r"](np.arange(256),
                                                                       bytes=True)[:, :3])


# Colour tables are cached per colormap for the life of the process; each test below
# empties the caches first, so the tables it checks are built while it runs.

#: colormaps with distinct opaque under/over/bad colours, N = 256 and fewer
FRESH_CMAPS = [
    pytest.param(lambda: EXTREMES, id="viridis-extremes"),
    pytest.param(lambda: mcolors.ListedColormap(
        ["#102030", "#ff8000", "#00ff00", "#4080c0", "#fe01fd"],
    ).with_extremes(under="red", over="blue", bad="black"), id="listed-5"),
    pytest.param(lambda: mcolors.LinearSegmentedColormap.from_list("two", ["navy", "gold"], N=7)
                 .with_extremes(under="#00ff00", over="#ff00ff", bad="#808080"), id="segmented-7"),
    pytest.param(lambda: colormaps["viridis"], id="viridis-clear-bad"),
]


def edge_values(n: int, vmin: float, vmax: float, dtype) -> np.ndarray:
    """Each colour's centre, vmin, vmax, just over vmax (N < xa < N + 1), far out, non-finite."""
    width = vmax - vmin
    centres = vmin + width * (np.arange(n) + 0.5) / n
    extra = [vmin, vmax, vmax + width * 0.5 / n, vmax + width * 10, vmin - width * 0.5 / n,
             vmin - width * 10, np.nan, np.inf, -np.inf]
    return np.concatenate([centres, extra]).astype(dtype)[None, :]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("make_cmap", FRESH_CMAPS)
def test_a_freshly_built_colour_table_gives_every_colour_of_cmap_of_norm(make_cmap, dtype):
    figwriter.clear_caches()
    cmap = make_cmap()
    values = edge_values(cmap.N, -1.0, 3.0, dtype)
    scale = resolve_scale([values], vmin=-1.0, vmax=3.0, cmap=cmap)
    got = colorize(values, scale)
    assert got.dtype == np.uint8 and got.shape == values.shape + (3,)
    np.testing.assert_array_equal(got, expected_rgb(values, scale))
    table = colour_table(cmap)
    assert table.rgb.dtype == np.uint8 and table.rgb.shape == (cmap.N + 4, 3)
    np.testing.assert_array_equal(table.rgb[1:cmap.N + 1], expected_rgb(np.arange(cmap.N) /
                                                                        (cmap.N - 1), _unit(cmap)))
    for row, value in [(table.under, -1), (table.over, cmap.N), (table.bad, np.nan)]:
        rgba = cmap(value, bytes=True)
        np.testing.assert_array_equal(row, rgba[:3] if rgba[3] == 255 else [255, 255, 255])
    # the packed table holds the same bytes, R G B 0
    np.testing.assert_array_equal(table.packed.view(np.uint8).reshape(-1, 4)[:, :3], table.rgb)
    assert not table.packed.view(np.uint8).reshape(-1, 4)[:, 3].any()


def _unit(cmap) -> ColorScale:
    return resolve_scale([np.array([[0.0, 1.0]])], vmin=0.0, vmax=1.0, cmap=cmap)


def test_translucent_colours_are_composited_over_white_and_rounded():
    """Alpha bytes a: shown as round((c * a + 255 * (255 - a)) / 255), Agg over a white figure."""
    figwriter.clear_caches()
    colours = [(0.0, 0.0, 1.0, 0.5), (1.0, 0.2, 0.0, 0.25), (0.3, 0.6, 0.9, 0.75), (0, 0, 0, 0.1)]
    cmap = mcolors.ListedColormap(colours).with_extremes(
        under=(0.0, 0.5, 0.0, 0.4), over=(0.9, 0.1, 0.5, 0.6), bad=(0.2, 0.2, 0.2, 0.3))
    table = colour_table(cmap)
    rgba = np.concatenate([cmap(np.arange(4), bytes=True), [cmap(-1, bytes=True)],
                           [cmap(4, bytes=True)], [cmap(np.nan, bytes=True)]]).astype(np.int64)
    assert set(rgba[:, 3]) - {0, 255}, "the colours must be translucent"
    c, a = rgba[:, :3], rgba[:, 3:]
    expected = (2 * (c * a + 255 * (255 - a)) + 255) // 510  # exact round half up
    np.testing.assert_array_equal(table.rgb[1:5], expected[:4])
    np.testing.assert_array_equal(table.under, expected[4])
    np.testing.assert_array_equal(table.over, expected[5])
    np.testing.assert_array_equal(table.bad, expected[6])


@pytest.mark.parametrize(("extreme", "value"), [("under", -5.0), ("over", 5.0), ("bad", np.nan)])
def test_colormaps_sharing_colours_but_not_extremes_get_their_own_tables(extreme, value):
    """Copies of one colormap share its colour data; their extremes still tell them apart."""
    figwriter.clear_caches()
    values = np.array([[value, 0.5]])
    for colour in ["red", "blue", "#00ff00"]:
        cmap = colormaps["viridis"].with_extremes(**{extreme: colour})
        scale = resolve_scale([values], vmin=0.0, vmax=1.0, cmap=cmap)
        got = colorize(values, scale)
        np.testing.assert_array_equal(got, expected_rgb(values, scale))
        np.testing.assert_array_equal(got[0, 0], np.array(mcolors.to_rgb(colour)) * 255)


def test_listed_colormaps_with_the_same_name_and_size_get_their_own_tables():
    figwriter.clear_caches()
    values = np.array([[0.1, 0.9]])
    for colours in [["red", "green"], ["blue", "yellow"], ["black", "white"]]:
        cmap = mcolors.ListedColormap(colours)  # all named "from_list", N = 2
        scale = resolve_scale([values], vmin=0.0, vmax=1.0, cmap=cmap)
        np.testing.assert_array_equal(colorize(values, scale), expected_rgb(values, scale))


class _Listed(mcolors.ListedColormap):
    """A colormap class of its own: its tables are cached by identity."""


def test_colour_tables_are_built_once_per_colormap_by_data_or_identity(monkeypatch):
    from figwriter.render.fast import colours

    built = []

    def counting_build(cmap):
        built.append(cmap)
        return build(cmap)

    build = colours._build_table
    monkeypatch.setattr(colours, "_build_table", counting_build)
    figwriter.clear_caches()
    # registry copies of a segmented and of a listed colormap share one table each
    for name in ["RdBu_r", "viridis"]:
        a, b = colormaps[name], colormaps[name]
        assert a is not b
        assert colour_table(a) is colour_table(b) is colour_table(a)
    assert len(built) == 2
    # other colormap classes: one table per object
    first, second = _Listed(["red", "green", "blue"]), _Listed(["black", "white", "gray"])
    t1 = colour_table(first)
    t2 = colour_table(second)
    assert colour_table(first) is t1 and colour_table(second) is t2 and t1 is not t2
    assert len(built) == 4
    np.testing.assert_array_equal(t1.rgb[1:4], [[255, 0, 0], [0, 128, 0], [0, 0, 255]])
    np.testing.assert_array_equal(t2.rgb[1:4], [[0, 0, 0], [255, 255, 255], [128, 128, 128]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    ("cmap", "boundaries", "extend"),
    [(mcolors.ListedColormap(["#111111", "#777777", "#cccccc", "#00aaff"])
      .with_extremes(under="red", over="magenta", bad="black"),
      [0.0, 1.0, 2.0, 3.0, 4.0], "neither"),
     (EXTREMES, [-1.0, 0.0, 0.5, 2.0, 10.0], "both"),
     (EXTREMES, [-1.0, 0.0, 0.5, 2.0, 10.0], "neither")],
)
def test_boundary_norm_indices_follow_cmap_of_norm(cmap, boundaries, extend, dtype):
    """A norm returning colour indices: -1 under, N (or more) over, masked bad."""
    figwriter.clear_caches()
    ncolors = cmap.N
    norm = mcolors.BoundaryNorm(boundaries, ncolors=ncolors, extend=extend)
    b = np.array(boundaries)
    values = np.concatenate([b, (b[1:] + b[:-1]) / 2, [b[0] - 1, b[-1] + 1, b[-1] * 100],
                             [np.nan, np.inf, -np.inf]]).astype(dtype)[None, :]
    scale = resolve_scale([values], norm=norm, cmap=cmap)
    got = colorize(values, scale)
    np.testing.assert_array_equal(got, expected_rgb(values, scale))
    # the top boundary and beyond are over, not the top colour
    over = cmap(cmap.N, bytes=True)[:3]
    np.testing.assert_array_equal(got[0, len(b) - 1], over)
    np.testing.assert_array_equal(got[0, 2 * len(b) - 1 + 1], over)


def test_a_clipping_norm_paints_out_of_range_values_in_the_end_colours():
    figwriter.clear_caches()
    values = np.array([[-100.0, -0.5, 0.0, 0.3, 1.0, 1.5, 1e9, np.nan]])
    scale = resolve_scale([values], norm=mcolors.Normalize(0.0, 1.0, clip=True), cmap=EXTREMES)
    assert scale.norm.clip
    got = colorize(values, scale)
    np.testing.assert_array_equal(got, expected_rgb(values, scale))
    np.testing.assert_array_equal(got[0, 0], EXTREMES(0, bytes=True)[:3])
    np.testing.assert_array_equal(got[0, 6], EXTREMES(255, bytes=True)[:3])


def test_a_norm_that_returns_its_input_leaves_the_values_alone():
    """NoNorm hands back the (masked) values themselves; colouring must not scale them in place."""
    values = np.array([[0.0, 0.25, 0.5, 0.999, 1.5, -0.5, np.nan]])
    before = values.copy()
    scale = resolve_scale([values], norm=mcolors.NoNorm(), cmap=EXTREMES)
    got = colorize(values, scale)
    np.testing.assert_array_equal(values, before)
    np.testing.assert_array_equal(got, expected_rgb(values, scale))


class _UnmaskedNormalize(mcolors.Normalize):
    """A user norm that drops the mask of its input (returns a plain array)."""

    def __call__(self, value, clip=None):
        return np.asarray(super().__call__(value, clip))


def test_non_finite_cells_are_bad_even_when_the_norm_drops_the_mask():
    values = np.array([[0.0, 0.5, 1.0, np.inf, -np.inf, np.nan, 2.0, -1.0]])
    scale = resolve_scale([values], norm=_UnmaskedNormalize(0.0, 1.0), cmap=EXTREMES)
    got = colorize(values, scale)
    finite = np.isfinite(values[0])
    np.testing.assert_array_equal(got[0, ~finite], [[0, 0, 0]] * 3)  # EXTREMES's bad is black
    np.testing.assert_array_equal(got[:, finite], expected_rgb(values[:, finite], scale))


def test_colour_indices_default_to_the_colormaps_size():
    cmap = mcolors.ListedColormap(["red", "green", "blue"]).with_extremes(
        under="black", over="white", bad="gray")
    values = np.array([-1.0, 0.0, 0.2, 0.5, 0.9, 1.0, 1.1, 5.0, np.nan])
    scale = resolve_scale([values[None, :]], vmin=0.0, vmax=1.0, cmap=cmap)
    assert colour_indices(values, scale).tolist() == [0, 1, 1, 2, 3, 3, 4, 5, 6]
    assert colour_indices(values, scale, 3).tolist() == [0, 1, 1, 2, 3, 3, 4, 5, 6]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_indices_into_scratch_follow_colormap_call_at_every_boundary(dtype):
    """The renderer's path (temporaries in a Scratch) rounds in the values' own dtype."""
    vmin, vmax = -0.3, 1.7
    edges = vmin + (vmax - vmin) * np.arange(257) / 256
    values = np.concatenate([
        edges, np.nextafter(edges, -np.inf), np.nextafter(edges, np.inf), [np.nan, np.inf, -np.inf],
    ]).astype(dtype)[None, :]
    scale = resolve_scale([values], vmin=vmin, vmax=vmax, cmap=EXTREMES)
    table = colour_table(EXTREMES)
    scratch = Scratch()
    for _ in range(2):  # the second time with the buffers already there
        got = table.rgb[indices_into(values, scale, table.n, scratch)]
        np.testing.assert_array_equal(got, expected_rgb(values, scale))


# -- enlargement and reduction ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "max_size", "expected"),
    [((64, 64), 512, (4, 1)), ((3, 7), 512, (37, 1)), ((256, 100), 512, (1, 1)),
     ((300, 300), 512, (1, 1)), ((513, 10), 512, (1, 2)), ((4096, 4096), 512, (1, 8)),
     ((1000, 1), 512, (1, 2)), ((10, 10), 64, (6, 1)), ((100, 100), 64, (1, 2))],
)
def test_cell_factors(shape, max_size, expected):
    up, down = cell_factors(shape, max_size)
    assert (up, down) == expected
    shown = -(-max(shape) // down) * up
    assert shown <= max_size
    if down == 1 and max(shape) < min(256, max_size):
        assert shown >= min(256, max_size) or (up + 1) * max(shape) > max_size


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(64, 64), (37, 50), (20, 3), (9, 9)])
@pytest.mark.parametrize("f", [2, 3, 5, 6, 8])
def test_reduce_cells_are_block_means_and_any_bad_cell_makes_a_bad_block(rng, dtype, shape, f):
    data = rng.normal(size=shape).astype(dtype) * 10
    data.flat[rng.integers(0, data.size, 4)] = [np.nan, np.inf, -np.inf, np.nan]
    got = reduce_cells(data, f)
    means, bad = reference_means(data, f)
    assert got.dtype == dtype and got.shape == means.shape
    np.testing.assert_array_equal(np.isnan(got), bad)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got[~bad], means[~bad], rtol=tol, atol=tol * 10)


def test_reduced_picture_colours_equal_cmap_of_norm_of_block_means(rng):
    """Values in 1/8 steps: every block sum is exact, so the means are unambiguous."""
    data = (rng.integers(-80, 80, size=(1100, 700)) / 8).astype(np.float32)
    data[5, 5] = np.nan  # makes block (2, 2) bad
    data[600:603, 300] = np.inf
    scale = resolve_scale([data], vmin=-6.0, vmax=6.0, cmap=EXTREMES)
    picture, layout = render(data, scale, "reduced")
    assert (layout.up, layout.down) == (1, 3)
    assert layout.cells == (367, 234)  # partial blocks at the bottom and right edges
    sums, counts, bad = reference_blocks(data, 3)
    # 1100 = 366 * 3 + 2 rows, 700 = 233 * 3 + 1 column: smaller edge blocks
    assert counts[0, 0] == 9 and counts[-1, 0] == 6 and counts[0, -1] == 3
    assert counts[-1, -1] == 2
    # the sums are exact in float32 too; one float32 division gives the mean
    reference = sums.astype(np.float32) / counts.astype(np.float32)
    got = cells_of(picture, layout.image, 1, layout.cells)
    np.testing.assert_array_equal(got, expected_rgb(reference, scale))
    assert bad[1, 1] and bad[200, 100] and got[1, 1].tolist() == [0, 0, 0]


def test_large_input_is_bounded_by_max_size(rng):
    data = rng.normal(size=(2000, 900)).astype(np.float32)
    scale = resolve_scale([data])
    for max_size in (512, 300, 100):
        picture, layout = render(data, scale, "bounded", max_size=max_size)
        assert max(layout.image.height, layout.image.width) <= max_size
        assert layout.down == -(-2000 // max_size)


@pytest.mark.parametrize("shape", [(4096, 4096), (4096, 100), (20000, 3)])
def test_picture_never_exceeds_4096_px_even_with_max_size_4096(shape):
    layout = layout_for("huge", shape, title=True, label=True, max_size=4096)
    assert max(layout.height, layout.width) <= MAX_PICTURE_SIDE
    assert max(layout.image.height, layout.image.width) <= 4096
    assert layout.down == -(-max(shape) // max(layout.image.height, layout.image.width))


@pytest.mark.parametrize("shape", [(64, 64), (700, 300), (5, 9)])
def test_portable_pixel_copy_paints_the_same_picture(rng, monkeypatch, shape):
    """The fast 4-byte stores and the per-channel copy give identical pictures."""
    values = rng.normal(size=shape)
    values[0, 0] = np.nan
    scale = resolve_scale([values], cmap=EXTREMES)
    fast = render_fast(values, scale, title="t", label="l", key="portable")
    monkeypatch.setattr(paint, "_OVERLAPPING_STORES", False)
    np.testing.assert_array_equal(
        render_fast(values, scale, title="t", label="l", key="portable"), fast)


def test_small_input_is_enlarged_by_an_integer_factor(rng):
    data = rng.normal(size=(5, 12))
    picture, layout = render(data, resolve_scale([data]), "small")
    assert layout.up == 22 and layout.image.width == 264 and layout.image.height == 110
    assert_blocks_uniform(picture, layout.image, layout.up)


# -- ticks ---------------------------------------------------------------------------------

TICK_CASES = [
    pytest.param(mcolors.Normalize(0.0, 1.0), 256, id="unit"),
    pytest.param(mcolors.Normalize(-3.2, -1.1), 256, id="negative-unicode-minus"),
    pytest.param(mcolors.Normalize(1e-5, 3e-5), 256, id="offset-1e-5"),
    pytest.param(mcolors.Normalize(1000.1, 1000.5), 256, id="offset-plus-1e3"),
    pytest.param(mcolors.Normalize(-2e7, 5e7), 300, id="sci"),
    pytest.param(mcolors.Normalize(0.0, 1.0), 60, id="short-bar"),
    pytest.param(mcolors.LogNorm(0.01, 300.0), 256, id="log-decades"),
    pytest.param(mcolors.LogNorm(2.0, 7.0), 256, id="log-minor-labels"),
    pytest.param(mcolors.SymLogNorm(1.0, vmin=-100.0, vmax=1000.0), 400, id="symlog"),
    pytest.param(mcolors.PowerNorm(0.5, vmin=0.0, vmax=4.0), 256, id="power-funcscale"),
    pytest.param(mcolors.TwoSlopeNorm(0.0, -3.0, 2.0), 256, id="twoslope"),
]


@pytest.fixture
def fresh_caches():
    """Empty figwriter's caches, so that ticks are computed here, not looked up."""
    figwriter.clear_caches()


@pytest.mark.usefixtures("fresh_caches")
@pytest.mark.parametrize(("norm", "px"), TICK_CASES)
def test_tick_labels_and_offset_are_those_colorbar_prints(norm, px):
    ticks = bar_ticks(norm, px)
    labels, offset = colorbar_reference(norm, px)
    assert ticks.labels == labels
    assert ticks.offset == offset
    assert labels  # something to compare
    assert all(0.0 - 1e-9 <= pos <= 1.0 + 1e-9 for pos, _ in ticks.major + ticks.minor)


@pytest.mark.usefixtures("fresh_caches")
def test_offset_text_and_unicode_minus_are_matplotlibs():
    assert bar_ticks(mcolors.Normalize(1e-5, 3e-5), 256).offset == f"1e{MINUS}5"
    assert bar_ticks(mcolors.Normalize(1000.1, 1000.5), 256).offset == "+1e3"
    assert any(label.startswith(MINUS) for label in
               bar_ticks(mcolors.Normalize(-3.2, -1.1), 256).labels)


@pytest.mark.usefixtures("fresh_caches")
@pytest.mark.parametrize("extend", ["min", "max", "both"])
def test_ticks_with_extensions_match_a_colorbar_with_extensions(extend):
    norm = mcolors.Normalize(-1.5, 2.0)
    ticks = bar_ticks(norm, 233, extend=extend)
    assert (ticks.labels, ticks.offset) == colorbar_reference(norm, 233, extend)


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(["linear", "log"]),
    st.floats(-9, 9), st.floats(-6, 6), st.floats(0.01, 3), st.integers(64, 700),
)
def test_ticks_match_colorbar_for_any_limits(kind, exponent, centre, spread, px):
    figwriter.clear_caches()
    scale = 10.0 ** exponent
    if kind == "log":
        norm = mcolors.LogNorm(scale, scale * 10 ** (spread * 3))
    else:
        lo = centre * scale
        norm = mcolors.Normalize(lo, lo + spread * scale)
    ticks = bar_ticks(norm, px)
    assert (ticks.labels, ticks.offset) == colorbar_reference(norm, px)


def colorbar_ticks(norm, interior_px: int, extend: str = "neither"):
    """Major and minor ``(position, label)`` a real colorbar draws, and its offset text.

    Positions run from 0 at the bar's bottom to 1 at its top, as in ``BarTicks``.
    """
    bar = drawn_colorbar(norm, interior_px, extend)
    box = bar.ax.get_window_extent()
    yaxis = bar.ax.yaxis
    drawn = yaxis._update_ticks()
    majors = set(map(id, yaxis.majorTicks))
    major, minor = [], []
    for tick in drawn:
        y = bar.ax.transData.transform((0.5, tick.get_loc()))[1]
        entry = ((y - box.y0) / box.height, tick.label2.get_text())
        (major if id(tick) in majors else minor).append(entry)
    return major, minor, yaxis.get_offset_text().get_text(), bar.ax.get_ylim()


def assert_same_ticks(got, want):
    assert [label for _, label in got] == [label for _, label in want]
    assert [pos for pos, _ in got] == pytest.approx([pos for pos, _ in want], abs=1e-9)


BAR_POSITION_CASES = [
    pytest.param(mcolors.Normalize(0.0, 1.0), 256, "neither", id="unit"),
    pytest.param(mcolors.Normalize(1000.1, 1000.5), 256, "both", id="offset"),
    pytest.param(mcolors.Normalize(3.0, 3.0), 256, "neither", id="singular"),
    pytest.param(mcolors.Normalize(-3.0, -1.0), 256, "neither", id="ticks-on-both-ends"),
    pytest.param(mcolors.LogNorm(0.01, 300.0), 256, "neither", id="log-decades"),
    pytest.param(mcolors.LogNorm(2.0, 7.0), 256, "max", id="log-minor-labels-max"),
    pytest.param(mcolors.LogNorm(0.5, 4e3), 180, "both", id="log-both"),
    pytest.param(mcolors.LogNorm(5.0, 5.0), 256, "neither", id="log-singular"),
    pytest.param(mcolors.SymLogNorm(1.0, vmin=-100.0, vmax=1000.0), 400, "min", id="symlog"),
    pytest.param(mcolors.SymLogNorm(0.5, linscale=2.0, vmin=-10.0, vmax=10.0, base=2),
                 300, "neither", id="symlog-base2"),
    pytest.param(mcolors.PowerNorm(0.5, vmin=0.0, vmax=4.0), 256, "max", id="power-max"),
    pytest.param(mcolors.PowerNorm(2.0, vmin=1.0, vmax=9.0), 256, "both", id="power-both"),
    pytest.param(mcolors.TwoSlopeNorm(0.0, -3.0, 2.0), 256, "min", id="twoslope-min"),
    pytest.param(mcolors.AsinhNorm(0.5, vmin=-50.0, vmax=50.0), 256, "neither", id="asinh"),
]


@pytest.mark.usefixtures("fresh_caches")
@pytest.mark.parametrize(("norm", "px", "extend"), BAR_POSITION_CASES)
def test_tick_positions_minor_ticks_and_limits_are_colorbars(norm, px, extend):
    # copies: a colorbar widens a singular norm in place, and the parameters are shared
    given = copy.deepcopy(norm)
    ticks = bar_ticks(given, px, extend=extend)
    assert (given.vmin, given.vmax) == (norm.vmin, norm.vmax)  # widened on a copy
    major, minor, offset, ylim = colorbar_ticks(copy.deepcopy(norm), px, extend)
    assert major or minor  # something to compare
    assert_same_ticks(ticks.major, major)
    assert_same_ticks(ticks.minor, minor)
    assert ticks.offset == offset
    assert ticks.view == pytest.approx(ylim, rel=1e-12)


@pytest.mark.usefixtures("fresh_caches")
def test_ticks_of_different_norms_and_lengths_are_kept_apart():
    # each computed afresh, then again from the cache: the same ticks as a colorbar
    cases = [(mcolors.Normalize(0.01, 300.0), 256), (mcolors.LogNorm(0.01, 300.0), 256),
             (mcolors.LogNorm(0.01, 300.0), 60), (mcolors.LogNorm(0.01, 300.0, clip=True), 256),
             (mcolors.SymLogNorm(1.0, vmin=0.01, vmax=300.0), 256),
             (mcolors.SymLogNorm(2.0, vmin=0.01, vmax=300.0), 256),
             (mcolors.PowerNorm(0.5, vmin=0.01, vmax=300.0), 256),
             (mcolors.PowerNorm(2.0, vmin=0.01, vmax=300.0), 256),
             (mcolors.TwoSlopeNorm(30.0, vmin=0.01, vmax=300.0), 256)]
    for _ in range(2):
        for norm, px in cases:
            major, minor, offset, _ = colorbar_ticks(norm, px)
            ticks = bar_ticks(norm, px)
            assert_same_ticks(ticks.major, major)
            assert_same_ticks(ticks.minor, minor)
            assert ticks.offset == offset


@pytest.mark.usefixtures("fresh_caches")
def test_tick_label_size_decides_how_many_ticks_fit():
    norm = mcolors.Normalize(0.0, 1.0)
    with matplotlib.rc_context({"ytick.labelsize": 24}):
        big = bar_ticks(norm, 256)
        major, _, _, _ = colorbar_ticks(norm, 256)
        assert_same_ticks(big.major, major)
    small = bar_ticks(norm, 256, label_size=24.0)
    assert small.major == big.major
    assert len(bar_ticks(norm, 256).major) > len(big.major)
    assert big.tick_space == int(256 / 100 * 72 // 48)


@pytest.mark.usefixtures("fresh_caches")
@pytest.mark.parametrize("rc", [{}, {"font.size": 7.0}, {"font.size": 13.0, "ytick.labelsize": 9},
                                {"axes.titlesize": "xx-large", "ytick.labelsize": "small"}])
def test_font_sizes_are_matplotlibs(rc):
    from matplotlib.font_manager import FontProperties

    with matplotlib.rc_context(rc):
        for key in ("ytick.labelsize", "axes.titlesize", "font.size", "axes.labelsize"):
            want = FontProperties(size=matplotlib.rcParams[key]).get_size_in_points()
            assert font_size(key) == want


@pytest.mark.parametrize("px", [37, 100, 143, 256, 431, 512, 1000])
@pytest.mark.parametrize("labelsize", [6.0, 10.0, 13.5])
def test_tick_space_is_that_of_matplotlibs_axes(px, labelsize):
    with matplotlib.rc_context({"xtick.labelsize": labelsize, "ytick.labelsize": labelsize}):
        fig = Figure(figsize=(px / 100 + 2, px / 100 + 2), dpi=100)
        FigureCanvasAgg(fig)
        side = px / (px + 200)
        ax = fig.add_axes((100 / (px + 200), 100 / (px + 200), side, side))
        assert tick_space(px, labelsize) == ax.yaxis.get_tick_space()
        assert tick_space(px, labelsize, 3.0) == ax.xaxis.get_tick_space()


def imshow_axis_ticks(rows: int, cols: int, width: int, height: int):
    """``(pixel offset, label)`` of the x and y ticks an ``imshow`` axes of this size draws.

    Offsets are from the image's left edge (x) and top edge (y), rounded down.
    """
    fig = Figure(figsize=(width / 100 + 2, height / 100 + 2), dpi=100)
    FigureCanvasAgg(fig)
    fw, fh = fig.get_size_inches() * 100
    ax = fig.add_axes((100 / fw, 100 / fh, width / fw, height / fh))
    ax.imshow(np.zeros((rows, cols)), aspect="auto")
    fig.canvas.draw()
    box = ax.get_window_extent()
    out = []
    for axis in (ax.xaxis, ax.yaxis):
        ticks = []
        for tick in axis._update_ticks():
            if axis is ax.xaxis:
                px = ax.transData.transform((tick.get_loc(), 0))[0] - box.x0
            else:
                px = box.y1 - ax.transData.transform((0, tick.get_loc()))[1]
            ticks.append((int(math.floor(px + 1e-9)), tick.label1.get_text()))
        out.append(ticks)
    return out


@pytest.mark.parametrize(("rows", "cols", "height", "width"), [
    (1, 1, 256, 256), (2, 3, 200, 300), (20, 30, 60, 90), (7, 7, 490, 490), (10, 10, 500, 500),
    (13, 250, 130, 500), (37, 1, 444, 12), (64, 64, 512, 512), (100, 40, 500, 200),
    (300, 480, 300, 480), (1000, 3, 500, 300), (4097, 33, 512, 264), (101, 101, 101, 101),
    (1000, 50, 200, 500), (300, 60, 150, 100), (60, 1000, 150, 200), (30, 400, 100, 230),
    (500, 500, 90, 90), (2000, 2000, 260, 260),
])
def test_image_axis_ticks_are_those_of_imshow_axes(rows, cols, height, width):
    want_x, want_y = imshow_axis_ticks(rows, cols, width, height)
    # only whole cells are ticked: where imshow ticks halves too (a few cells on a long
    # axis), its whole-cell ticks, labelled as integers
    whole = lambda ticks: [(p, s.replace(".0", "")) for p, s in ticks  # noqa: E731
                           if s.endswith(".0") or "." not in s]
    want_x, want_y = whole(want_x), whole(want_y)
    assert want_x and want_y
    size = font_size("ytick.labelsize")
    got_x = image_axis_ticks(cols, width, "x", size)
    got_y = image_axis_ticks(rows, height, "y", size)
    assert [s for _, s in got_x] == [s for _, s in want_x]
    assert [s for _, s in got_y] == [s for _, s in want_y]
    clamp = lambda ticks, n: [min(n - 1, max(0, p)) for p, _ in ticks]  # noqa: E731
    assert [p for p, _ in got_x] == clamp(want_x, width)
    assert [p for p, _ in got_y] == clamp(want_y, height)


@pytest.mark.parametrize(("cells", "length"), [(7, 40), (5, 40), (3, 30), (9, 60), (13, 25)])
def test_few_cells_on_a_short_axis_are_ticked_at_whole_cells(cells, length):
    # where imshow would tick half cells, the ticks its AutoLocator made integer puts there
    from matplotlib.ticker import AutoLocator

    fig = Figure(figsize=(length / 100 + 2, length / 100 + 2), dpi=100)
    FigureCanvasAgg(fig)
    fw = fig.get_size_inches()[0] * 100
    ax = fig.add_axes((100 / fw, 100 / fw, length / fw, length / fw))
    ax.imshow(np.zeros((cells, cells)), aspect="auto")
    locator = AutoLocator()
    locator.set_params(integer=True)
    ax.yaxis.set_major_locator(locator)
    fig.canvas.draw()
    want = [t.label1.get_text() for t in ax.yaxis._update_ticks()]
    got = image_axis_ticks(cells, length, "y", font_size("ytick.labelsize"))
    assert [s for _, s in got] == want
    assert len(want) >= 2


def test_picture_shows_the_ticks_and_labels(rng):
    values = rng.normal(size=(50, 50)) * 1e-5 + 2e-5
    scale = resolve_scale([values], vmin=1e-5, vmax=3e-5)
    picture, layout = render(values, scale, "ticks")
    interior = layout.bar_interior(scale.extend)
    ticks = bar_ticks(scale.norm, interior.height, label_size=layout.style.tick_size)
    assert ticks.offset == f"1e{MINUS}5"
    for pos, _label in ticks.major:
        y = interior.y + min(interior.height - 1, int((1 - pos) * interior.height))
        # a black tick mark right of the bar, and ink in the label column
        bar = layout.bar
        assert (picture[y, bar.tick_x:bar.tick_x + layout.style.tick_len] == 0).all()
        column = picture[y - 3:y + 4, bar.label_x:bar.label_x + bar.label_width]
        assert (column < 128).any()
    rect = layout.bar.bar
    above = picture[:rect.y - 1, rect.x - 40:rect.x + rect.width]
    assert (above < 128).any(), "offset text above the bar"


# -- colour bar: gradient and extension triangles --------------------------------------------


@pytest.mark.parametrize("extend", ["neither", "min", "max", "both"])
def test_extension_triangles_show_where_limits_clip(rng, extend):
    values = rng.uniform(0.2, 0.8, size=(30, 30))
    if extend in ("min", "both"):
        values[0, 0] = -1.0
    if extend in ("max", "both"):
        values[0, 1] = 2.0
    scale = resolve_scale([values], vmin=0.0, vmax=1.0, cmap=EXTREMES)
    assert scale.extend == extend
    picture, layout = render(values, scale, "extend")
    bar, interior = layout.bar.bar, layout.bar_interior(extend)
    centre = bar.x + bar.width // 2
    top_rows = picture[bar.y:interior.y, centre]
    bottom_rows = picture[interior.y + interior.height:bar.y + bar.height, centre]
    has_over = (top_rows == [255, 0, 255]).all(axis=-1).any()
    has_under = (bottom_rows == [255, 0, 0]).all(axis=-1).any()
    assert has_over == (extend in ("max", "both"))
    assert has_under == (extend in ("min", "both"))
    if has_over:  # a triangle: narrower towards its apex
        widths = [(picture[y, bar.x:bar.x + bar.width] == [255, 0, 255]).all(-1).sum()
                  for y in range(bar.y, interior.y)]
        assert widths[0] < widths[-1]
    # the gradient runs from the first colour at the bottom to the last at the top
    column = picture[interior.y:interior.y + interior.height, centre]
    np.testing.assert_array_equal(column[0], EXTREMES(255, bytes=True)[:3])
    np.testing.assert_array_equal(column[-1], EXTREMES(0, bytes=True)[:3])


# -- stable size, text --------------------------------------------------------------------------


def test_canvas_size_is_stable_across_steps_with_changing_limits(rng):
    shapes = set()
    sizes = CanvasSizes()  # a writer's
    base = rng.normal(size=(48, 64))
    for step in range(12):
        values = base * 10.0 ** rng.uniform(-7, 7) + rng.uniform(-1e4, 1e4)
        scale = resolve_scale([values], vmin=None if step % 3 else float(values.min() + 1))
        shapes.add(render_fast(values, scale, title=f"step {step}", label="u",
                               key="stable", sizes=sizes).shape)
    assert len(shapes) == 1
    other = render_fast(base, resolve_scale([base]), title=None, label="u", key="stable",
                        sizes=sizes)
    assert other.shape != next(iter(shapes)), "title presence is part of the layout"


def test_wider_labels_widen_a_stream_once_and_for_good():
    values = np.linspace(1000000.25, 1000000.75, 100).reshape(10, 10)
    small = np.linspace(0, 1, 100).reshape(10, 10)
    sizes = CanvasSizes()  # a writer's
    before = render_fast(small, resolve_scale([small]), title=None, label=None, key="wide",
                         sizes=sizes)
    with matplotlib.rc_context({"axes.formatter.useoffset": False}):
        wide = render_fast(values, resolve_scale([values]), title=None, label=None,
                           key="wide", sizes=sizes)
        ticks = bar_ticks(resolve_scale([values]).norm, 256)
    assert max(len(s) for s in ticks.labels) >= 9
    assert wide.shape[1] > before.shape[1]
    after = render_fast(small, resolve_scale([small]), title=None, label=None, key="wide",
                        sizes=sizes)
    assert after.shape == wide.shape


def test_title_and_label_are_drawn(rng):
    values = rng.normal(size=(32, 32))
    scale = resolve_scale([values])
    plain, layout = render(values, scale, "text")
    titled, tlayout = render(values, scale, "text", title="prediction $x^2$", label="m/s")
    top = titled[:tlayout.image.y - 2, tlayout.image.x:tlayout.image.x + tlayout.image.width]
    assert (top < 128).any()
    assert tlayout.bar.bar_label_x is not None
    rect = tlayout.bar.bar
    column = titled[rect.y:rect.y + rect.height, tlayout.bar.label_x:tlayout.width]
    assert (column < 128).any()
    assert (plain[:layout.image.y - 2, layout.image.x:layout.image.x + 60] == 255).all()


# -- batches ------------------------------------------------------------------------------------


def test_shared_scale_panels_carry_batch_wide_colours(rng):
    panels = [rng.normal(size=(6, 8)), rng.normal(size=(9, 4)) * 3, rng.normal(size=(20, 20))]
    panels[0][1, 1] = np.nan
    scale = resolve_scale(panels, cmap=EXTREMES)
    picture = render_fast_grid(panels, [scale], titles=None, label=None, ncols=None, key="gs")
    layout = grid_layout_for("gs", [p.shape for p in panels], ncols=None, titles=False,
                             label=False, shared=True)
    assert picture.shape == (layout.height, layout.width, 3)
    assert layout.bar is not None and (layout.ncols, layout.nrows) == (2, 2)
    for panel, place in zip(panels, layout.panels):
        got = cells_of(picture, place.image, place.up, place.cells)
        np.testing.assert_array_equal(got, expected_rgb(panel, scale))
        assert_blocks_uniform(picture, place.image, place.up)


def test_per_panel_scales_colour_each_panel_by_its_own_limits(rng):
    panels = [rng.normal(size=(10, 10)), rng.normal(size=(10, 10)) * 100 + 50]
    scales = [resolve_scale([p]) for p in panels]
    picture = render_fast_grid(panels, scales, titles=["a", "b"], label="x", ncols=2, key="gp")
    layout = grid_layout_for("gp", [p.shape for p in panels], ncols=2, titles=True,
                             label=True, shared=False)
    assert layout.bar is None and len(layout.bars()) == 2
    for panel, scale, place in zip(panels, scales, layout.panels):
        got = cells_of(picture, place.image, place.up, place.cells)
        np.testing.assert_array_equal(got, expected_rgb(panel, scale))
        assert place.title_baseline is not None
        above = picture[place.title_baseline - 12:place.title_baseline,
                        place.image.x:place.image.x + place.image.width]
        assert (above < 128).any()


@pytest.mark.parametrize(("n", "ncols"), [(500, None), (40, 1), (40, 40), (3000, None)])
def test_grid_stays_bounded_for_any_batch(n, ncols):
    shapes = [(64, 64)] * n
    layout = grid_layout_for(("bounded", n, ncols), shapes, ncols=ncols, titles=True,
                             label=True, shared=True)
    assert max(layout.height, layout.width) <= MAX_PICTURE_SIDE
    if n <= 500:
        assert max(layout.height, layout.width) <= GRID_MAX_SIDE
    for place in layout.panels:
        assert place.image.height >= 1 and place.image.y + place.image.height < layout.height
        assert place.image.x + place.image.width < layout.width


def test_a_batch_that_cannot_fit_is_refused_by_name():
    with pytest.raises(ValueError, match=r"values hold too many panels \(3000\) to lay out in "
                       r"a picture of at most 4096 pixels a side with ncols=1"):
        grid_layout_for("refused", [(8, 8)] * 3000, ncols=1, titles=False, label=False,
                        shared=True)


def test_default_grid_is_about_square():
    assert [grid_columns(n, None) for n in (1, 2, 4, 5, 9, 10, 100)] == [1, 2, 2, 3, 3, 4, 10]
    assert grid_columns(3, 10) == 3


def test_grid_refuses_bad_arguments(rng):
    panel = rng.normal(size=(4, 4))
    scale = resolve_scale([panel])
    with pytest.raises(ValueError, match=r"panels must hold at least one panel"):
        render_fast_grid([], [scale], titles=None, label=None, ncols=None, key="e")
    with pytest.raises(ValueError, match=r"scales must hold one scale .* got 2"):
        render_fast_grid([panel] * 3, [scale] * 2, titles=None, label=None, ncols=None,
                         key="e")
    with pytest.raises(ValueError, match=r"titles must hold one entry per panel \(2\); got 1"):
        render_fast_grid([panel] * 2, [scale], titles=["a"], label=None, ncols=None, key="e")


def test_render_fast_refuses_non_2d_input():
    scale = resolve_scale([np.zeros((2, 2))])
    with pytest.raises(ValueError, match=r"data must be a 2-D array; got shape \(3, 4, 5\)"):
        render_fast(np.zeros((3, 4, 5)), scale, title=None, label=None, key="e")
    with pytest.raises(ValueError, match=r"data must not be empty; got shape \(0, 4\)"):
        render_fast(np.zeros((0, 4)), scale, title=None, label=None, key="e")


def test_discrete_norms_are_drawn_by_the_matplotlib_renderer(rng):
    from figwriter.render.mpl import render_matplotlib

    values = rng.uniform(0, 4, size=(8, 8))
    norm = mcolors.BoundaryNorm([0, 1, 2, 4], ncolors=256)
    scale = ColorScale(colormaps["viridis"], norm, 0.0, 4.0, "neither")
    options = PictureOptions(titles=(None,))
    fast = render_with("fast", [values], [scale], options, Stream("discrete"))
    np.testing.assert_array_equal(
        fast, render_matplotlib(values, scale, title=None, label=None, key="discrete"))


# -- threads, global state, the writer ---------------------------------------------------------


def test_many_threads_render_at_once(rng):
    jobs = []
    for i in range(24):
        values = rng.normal(size=(30 + i % 4, 40)) * 10.0 ** (i % 7 - 3)
        jobs.append((values, resolve_scale([values], norm="log" if i % 5 == 0 else "linear")
                     if i % 5 else resolve_scale([np.abs(values) + 1e-3], norm="log"),
                     f"thread-{i % 6}", f"t{i}"))
    figwriter.clear_caches()
    results: dict[int, np.ndarray] = {}
    errors: list[BaseException] = []

    def work(indices):
        try:
            for i in indices:
                values, scale, key, title = jobs[i]
                results[i] = render_fast(values, scale, title=title, label="l", key=key)
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(range(k, 24, 8),)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for i, (values, scale, key, title) in enumerate(jobs):
        np.testing.assert_array_equal(
            results[i], render_fast(values, scale, title=title, label="l", key=key))


def test_no_global_matplotlib_state_is_changed(rng):
    before = dict(matplotlib.rcParams)
    registered = sorted(colormaps)
    had_pyplot = "matplotlib.pyplot" in sys.modules
    values = rng.normal(size=(20, 20))
    render_fast(values, resolve_scale([values], norm="symlog"), title="$x$", label="y",
                key="state")
    render_fast_grid([values, values], [resolve_scale([values])], titles=None, label=None,
                     ncols=None, key="state")
    assert dict(matplotlib.rcParams) == before
    assert sorted(colormaps) == registered
    assert ("matplotlib.pyplot" in sys.modules) == had_pyplot


def test_writer_writes_the_fast_picture(logdir, rng):
    from figwriter import FigureSummaryWriter

    values = rng.normal(size=(24, 36)).astype(np.float32)
    values[3, 4] = np.nan
    batch = rng.normal(size=(3, 10, 12))
    writer = FigureSummaryWriter(logdir)
    for step in range(3):
        writer.add_colormapped_image("field", values * (step + 1), step, vmin=-2.0, vmax=2.0,
                                     title="field", label="v", renderer="fast",
                                     cmap=EXTREMES)
    writer.add_colormapped_images("batch", batch, 0, renderer="fast")
    writer.close()
    images = read_images(logdir)
    events = images["field"]
    assert [e.step for e in events] == [0, 1, 2]
    assert len({e.pixels.shape for e in events}) == 1
    sizes = CanvasSizes()  # what the writer keeps for its tags
    for step, event in enumerate(events):
        scale = resolve_scale([values * (step + 1)], vmin=-2.0, vmax=2.0, cmap=EXTREMES)
        expected = render_fast(values * (step + 1), scale, title="field", label="v",
                               key="field", sizes=sizes)
        np.testing.assert_array_equal(event.pixels, expected)
        layout = layout_for("field", values.shape, title=True, label=True, sizes=sizes)
        got = cells_of(event.pixels, layout.image, layout.up, layout.cells)
        np.testing.assert_array_equal(got, expected_rgb(values * (step + 1), scale))
    (grid,) = images["batch"]
    panels = list(batch)
    expected = render_fast_grid(panels, [resolve_scale(panels)], titles=None, label=None,
                                ncols=None, key="batch")
    np.testing.assert_array_equal(grid.pixels, expected)


# -- text ----------------------------------------------------------------------------------------


def test_text_is_rasterised_once_per_string_and_drawn_clipped():
    from figwriter.render.fast.text import draw_text, rasterize

    one = rasterize("−0.125", 10.0)
    assert rasterize("−0.125", 10.0) is one
    assert not one.ink.flags.writeable and one.ink.max() > 200
    two_lines = rasterize("step\n12", 10.0)
    assert two_lines.height > one.height + 8
    rotated = rasterize("label", 10.0, rotation=90)
    assert rotated.ink.shape == rasterize("label", 10.0).ink.shape[::-1]
    math_text = rasterize(r"$\mathdefault{10^{-3}}$", 10.0)
    assert math_text.ink.max() > 200 and math_text.baseline > math_text.height // 2
    canvas = np.full((10, 10, 3), 255, np.uint8)
    draw_text(canvas, one, -3, -2)  # hangs over the top-left corner
    draw_text(canvas, one, 50, 50)  # entirely outside: nothing happens
    assert (canvas < 255).any()
    with pytest.raises(ValueError, match=r"rotation must be 0 or 90; got 45"):
        rasterize("x", 10.0, rotation=45)


def test_wider_text_is_wider_and_digits_share_a_baseline():
    from figwriter.render.fast.text import rasterize

    assert rasterize("0.12345", 10.0).width > rasterize("0.1", 10.0).width
    a, b = rasterize("0", 10.0), rasterize("g0", 10.0)
    # the digit's ink ends on the row above the baseline in both
    assert a.ink[a.baseline - 1].max() > 0 and b.ink[b.baseline - 1].max() > 0
    assert a.ink[a.baseline:].max() == 0
