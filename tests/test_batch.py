"""Batches: ``add_colormapped_images`` writes one grid picture, read back and checked.

Colours are checked against matplotlib itself: inside each panel's image area the
written picture carries ``cmap(Normalize(vmin, vmax)(panel), bytes=True)``, with
the limits computed here from the data (batch-wide, or per panel). For the
matplotlib renderer the panels are located exactly, from the axes of the figure
it lays out; for every renderer a layout-free check looks for the solid blocks of
colour that blocky panels must produce.
"""

from __future__ import annotations

import itertools
from typing import NamedTuple

import matplotlib
import numpy as np
import pytest
from matplotlib.colors import Normalize

from figwriter import FigureSummaryWriter

from ._readback import read_image_protos, read_images
from ._requires import import_torch

RENDERERS = ["fast", "matplotlib"]

_VIRIDIS = matplotlib.colormaps["viridis"]
#: TensorBoard's limit, which figwriter documents as the largest picture it writes
MAX_PICTURE_SIDE = 4096


@pytest.fixture
def picture(tmp_path):
    """Log one batch with a fresh writer; return the pixels read back from disk."""
    counter = itertools.count()

    def write(values, **kwargs):
        logdir = str(tmp_path / f"batch{next(counter)}")
        with FigureSummaryWriter(logdir) as w:
            w.add_colormapped_images("batch", values, 0, **kwargs)
        (event,) = read_images(logdir)["batch"]
        pixels = event.pixels
        assert pixels.shape == (event.height, event.width, 3)
        return pixels

    return write


def _expected(panel: np.ndarray, vmin: float, vmax: float, cmap=_VIRIDIS) -> np.ndarray:
    """What imshow paints for ``panel`` with these limits: RGB uint8 per cell."""
    return cmap(Normalize(vmin, vmax)(panel), bytes=True)[..., :3]


class Box(NamedTuple):
    """Where a panel's cells are in a picture, in pixels (origin top-left)."""

    top: float
    left: float
    height: float
    width: float


def _panel_boxes(renderer, pixels, panels, *, shared, ncols=None, titles=None, tag="batch"):
    """Each panel's image area in the written picture, and the number of colour bars.

    matplotlib: from the figure its renderer lays out for this batch
    (``_GridFigure``): after a draw, each image's window extent is where the panel
    sits (display y runs upwards). fast: from the renderer's cached grid layout
    for the tag, which must be the size of the picture written.
    """
    if renderer == "matplotlib":
        from figwriter import _scale
        from figwriter.render import mpl as _mpl
        from figwriter.render.cells import grid_columns

        scales = (
            [_scale.resolve_scale(panels)] if shared
            else [_scale.resolve_scale([p]) for p in panels]
        )
        grid = _mpl._GridFigure(
            [p.shape for p in panels], scales, grid_columns(len(panels), ncols),
            bool(titles),
        )
        drawn = grid.draw(panels, scales, titles, None)
        assert drawn.shape == pixels.shape, "not the written layout"
        boxes = []
        for image in grid.images:
            e = image.get_window_extent()
            boxes.append(Box(pixels.shape[0] - e.y1, e.x0, e.height, e.width))
        return boxes, len(grid.colorbars)
    from figwriter.render.fast import layout as fast_layout

    layout = fast_layout.grid_layout_for(
        tag, [p.shape for p in panels], ncols=ncols,
        titles=titles is not None and any(t is not None for t in titles),
        label=False, shared=shared,
    )
    assert (layout.height, layout.width) == pixels.shape[:2], "not the written layout"
    assert all(place.down == 1 for place in layout.panels), "panels were reduced"
    boxes = [Box(*place.image) for place in layout.panels]
    return boxes, len(layout.bars())


def _cell_colours(pixels, panels, boxes):
    """The picture's colour at the centre of every cell of every panel."""
    out = []
    for box, panel in zip(boxes, panels):
        h, w = panel.shape
        assert box.height / h >= 4 and box.width / w >= 4, "cells too small to sample"
        ys = np.floor(box.top + (np.arange(h) + 0.5) * box.height / h).astype(int)
        xs = np.floor(box.left + (np.arange(w) + 0.5) * box.width / w).astype(int)
        out.append(pixels[ys[:, None], xs[None, :]])
    return out


def _has_block(pixels: np.ndarray, colour, side: int) -> bool:
    """Whether a side x side square of exactly ``colour`` appears somewhere."""
    mask = np.all(pixels == np.asarray(colour, dtype=np.uint8), axis=-1).astype(np.int64)
    s = np.pad(mask.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    win = s[side:, side:] - s[:-side, side:] - s[side:, :-side] + s[:-side, :-side]
    return bool((win == side * side).any())


def _blocky(values_2x2, cell: int = 10) -> np.ndarray:
    """A panel of four solid quadrants, each ``cell`` x ``cell`` array cells."""
    return np.kron(np.asarray(values_2x2, dtype=float), np.ones((cell, cell)))


# -- colours: shared and per-panel scales --------------------------------------------------


@pytest.mark.parametrize("renderer", RENDERERS)
def test_shared_scale_panels_carry_batch_wide_colours(writer, logdir, rng, renderer):
    """Every cell of every panel is coloured by the limits of the whole batch."""
    panels = [
        rng.normal(size=(6, 8)),
        rng.normal(size=(6, 8)) * 4 + 3,  # holds the batch maximum
        rng.uniform(-9, -1, size=(5, 5)),  # holds the batch minimum
    ]
    writer.add_colormapped_images("batch", panels, 0, renderer=renderer)
    writer.flush()
    (event,) = read_images(logdir)["batch"]
    boxes, bars = _panel_boxes(renderer, event.pixels, panels, shared=True)
    assert bars == 1
    cells = _cell_colours(event.pixels, panels, boxes)
    lo = min(p.min() for p in panels)
    hi = max(p.max() for p in panels)
    for i, (got, panel) in enumerate(zip(cells, panels)):
        np.testing.assert_array_equal(got, _expected(panel, lo, hi), err_msg=f"panel {i}")
    # and not each panel's own scale (the first panel spans a small part of the range)
    assert not np.array_equal(cells[0], _expected(panels[0], panels[0].min(), panels[0].max()))


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize(
    ("options", "limits"),
    [
        pytest.param({}, lambda p: (p.min(), p.max()), id="own-min-max"),
        pytest.param({"vmin": -1.0}, lambda p: (-1.0, p.max()), id="vmin-set-vmax-own"),
    ],
)
def test_per_panel_scales_follow_each_panel(picture, rng, options, limits, renderer):
    panels = [rng.normal(size=(6, 8)), rng.normal(size=(6, 8)) * 4 + 3, rng.uniform(2, 9, (5, 5))]
    pixels = picture(panels, shared_scale=False, renderer=renderer, **options)
    boxes, bars = _panel_boxes(renderer, pixels, panels, shared=False)
    assert bars == len(panels)
    for i, (got, panel) in enumerate(zip(_cell_colours(pixels, panels, boxes), panels)):
        np.testing.assert_array_equal(got, _expected(panel, *limits(panel)), err_msg=f"panel {i}")


@pytest.mark.parametrize("renderer", RENDERERS)
def test_shared_robust_limits_come_from_the_whole_batch(picture, rng, renderer):
    panels = [rng.normal(size=(6, 8)), rng.normal(size=(7, 7)) * 3]
    pixels = picture(panels, robust=True, renderer=renderer)
    lo, hi = np.percentile(np.concatenate([p.ravel() for p in panels]), [2, 98])
    boxes, _ = _panel_boxes(renderer, pixels, panels, shared=True)
    for got, panel in zip(_cell_colours(pixels, panels, boxes), panels):
        np.testing.assert_array_equal(got, _expected(panel, lo, hi))


# panel A spans 1..4 and panel B 10..13: on the batch scale (1..13) A is dark and B
# bright; on per-panel scales both span the whole colormap.
_A = [[1.0, 2.0], [3.0, 4.0]]
_B = [[10.0, 11.0], [12.0, 13.0]]


def _colours(values, lo, hi):
    return {tuple(c) for c in _expected(np.asarray(values, float).ravel(), lo, hi).tolist()}


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("shared_scale", [True, False], ids=["shared", "per-panel"])
def test_panel_colours_follow_the_scale_any_renderer(picture, renderer, shared_scale):
    """Layout-free: solid blocks of exactly the expected colours, none of the others."""
    pixels = picture([_blocky(_A), _blocky(_B)], renderer=renderer, shared_scale=shared_scale)
    shared = _colours(_A, 1, 13) | _colours(_B, 1, 13)
    own = _colours(_A, 1, 4) | _colours(_B, 10, 13)
    want, unwanted = (shared, own - shared) if shared_scale else (own, shared - own)
    assert len(want) >= 4 and len(unwanted) >= 2
    # a quadrant is 10 x 10 cells, so at least 10 x 10 pixels; a single colour of
    # the colour bar is a thin stripe
    missing = [c for c in want if not _has_block(pixels, c, 10)]
    assert not missing, f"colours of the expected scale missing: {missing}"
    present = [c for c in unwanted if _has_block(pixels, c, 10)]
    assert not present, f"colours of the other scale painted: {present}"


# -- inputs --------------------------------------------------------------------------------


@pytest.mark.parametrize("renderer", RENDERERS)
def test_channel_layouts_give_the_nhw_picture(picture, rng, renderer):
    nhw = rng.normal(size=(3, 6, 8))
    reference = picture(nhw, renderer=renderer)
    np.testing.assert_array_equal(
        picture(nhw[:, None], dataformats="NCHW", renderer=renderer), reference
    )
    np.testing.assert_array_equal(
        picture(nhw[..., None], dataformats="NHWC", renderer=renderer), reference
    )
    # a list of the same panels is the same batch
    np.testing.assert_array_equal(picture(list(nhw), renderer=renderer), reference)


@pytest.mark.parametrize("renderer", RENDERERS)
def test_list_of_different_shapes(picture, rng, renderer):
    panels = [rng.normal(size=(4, 9)), rng.normal(size=(9, 4)), rng.normal(size=(6, 6))]
    pixels = picture(panels, renderer=renderer, ncols=3)
    boxes, _ = _panel_boxes(renderer, pixels, panels, shared=True, ncols=3)
    lo, hi = min(p.min() for p in panels), max(p.max() for p in panels)
    for got, panel in zip(_cell_colours(pixels, panels, boxes), panels):
        assert got.shape[:2] == panel.shape
        np.testing.assert_array_equal(got, _expected(panel, lo, hi))


@pytest.mark.parametrize("renderer", RENDERERS)
def test_torch_batch_gives_the_numpy_picture(picture, rng, renderer):
    torch = import_torch()
    nchw = rng.normal(size=(3, 1, 6, 8)).astype(np.float32)
    reference = picture(nchw, dataformats="NCHW", renderer=renderer)
    tensor = torch.from_numpy(nchw.copy()).requires_grad_(True)
    np.testing.assert_array_equal(picture(tensor, dataformats="NCHW", renderer=renderer),
                                  reference)
    as_list = [torch.from_numpy(p[0].copy()) for p in nchw]
    np.testing.assert_array_equal(picture(as_list, renderer=renderer), reference)


@pytest.mark.parametrize("renderer", RENDERERS)
def test_masked_cells_in_a_list_are_bad_and_never_move_the_limits(picture, rng, renderer):
    first = rng.normal(size=(6, 8))
    second = rng.normal(size=(5, 5))
    mask = np.zeros(first.shape, bool)
    mask[1, 2] = mask[4, 7] = True
    masked = np.ma.masked_array(np.where(mask, 1e6, first), mask=mask)
    with_nan = np.where(mask, np.nan, first)
    pixels = picture([masked, second], renderer=renderer)
    np.testing.assert_array_equal(pixels, picture([with_nan, second], renderer=renderer))
    boxes, _ = _panel_boxes(renderer, pixels, [with_nan, second], shared=True)
    cells = _cell_colours(pixels, [with_nan, second], boxes)
    lo = min(first[~mask].min(), second.min())
    hi = max(first[~mask].max(), second.max())
    np.testing.assert_array_equal(cells[0][~mask], _expected(first[~mask], lo, hi))
    np.testing.assert_array_equal(cells[1], _expected(second, lo, hi))
    # viridis's bad colour is transparent: the white background shows through
    assert (cells[0][mask] == 255).all()


@pytest.mark.parametrize("renderer", RENDERERS)
def test_titles_are_drawn_above_their_panels(picture, rng, renderer):
    panels = [rng.normal(size=(6, 6)) for _ in range(3)]
    titles = ("prediction", None, "error")  # any sequence
    pixels = picture(panels, titles=titles, renderer=renderer)
    boxes, _ = _panel_boxes(renderer, pixels, panels, shared=True, titles=titles)
    for box, title in zip(boxes, titles):
        # the band just above the panel's frame
        band = pixels[int(box.top) - 20: int(box.top) - 3, int(box.left): int(box.left + box.width)]
        has_ink = bool((band < 128).any())
        assert has_ink == (title is not None), f"title {title!r}"


@pytest.mark.parametrize("renderer", RENDERERS)
def test_ncols_sets_the_grid(picture, rng, renderer):
    panels = [rng.normal(size=(6, 6)) for _ in range(3)]
    column = picture(panels, ncols=1, renderer=renderer)
    assert column.shape[0] > 2 * column.shape[1]
    boxes, _ = _panel_boxes(renderer, column, panels, shared=True, ncols=1)
    assert len({round(box.left) for box in boxes}) == 1
    assert boxes[0].top < boxes[1].top < boxes[2].top
    lo, hi = min(p.min() for p in panels), max(p.max() for p in panels)
    for got, panel in zip(_cell_colours(column, panels, boxes), panels):
        np.testing.assert_array_equal(got, _expected(panel, lo, hi))
    row = picture(panels, ncols=3, renderer=renderer)
    assert row.shape[1] > 2 * row.shape[0]
    # more columns than panels is one row
    np.testing.assert_array_equal(picture(panels, ncols=9, renderer=renderer), row)


# -- bounded size --------------------------------------------------------------------------


def _documented_cap(renderer: str) -> int:
    if renderer == "matplotlib":
        from figwriter.render import mpl as _mpl

        # "a batch figure's size is capped at this many inches on each side"
        return int(round(_mpl.GRID_MAX_INCHES * _mpl.FIG_DPI))
    from figwriter.render.fast import layout as fast_layout

    # "a batch picture is made to fit this many pixels on each side when it can"
    return int(fast_layout.GRID_MAX_SIDE)


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("n", [64, 200])
def test_picture_stays_bounded_for_many_panels(picture, rng, renderer, n):
    panels = rng.normal(size=(n, 64, 64)).astype(np.float32)
    pixels = picture(panels, renderer=renderer)
    assert max(pixels.shape[:2]) <= min(_documented_cap(renderer), MAX_PICTURE_SIDE)
    assert min(pixels.shape[:2]) >= 64  # not collapsed to nothing either


@pytest.mark.parametrize(
    ("renderer", "n", "options"),
    [
        pytest.param("fast", 30, {"ncols": 1}, id="fast-one-column"),
        pytest.param("fast", 12, {"ncols": 12, "shared_scale": False}, id="fast-per-panel-row"),
        pytest.param("matplotlib", 30, {"ncols": 1}, id="matplotlib-one-column"),
        pytest.param("matplotlib", 12, {"ncols": 12, "shared_scale": False},
                     id="matplotlib-per-panel-row"),
        pytest.param("matplotlib", 60, {"ncols": 1}, id="matplotlib-60-in-a-column"),
        pytest.param("matplotlib", 25, {"ncols": 25, "shared_scale": False},
                     id="matplotlib-25-per-panel-in-a-row"),
    ],
)
def test_picture_stays_bounded_for_long_rows_and_columns(picture, rng, renderer, n, options):
    panels = rng.normal(size=(n, 8, 8))
    pixels = picture(panels, renderer=renderer, **options)
    assert max(pixels.shape[:2]) <= min(_documented_cap(renderer), MAX_PICTURE_SIDE)


# -- errors --------------------------------------------------------------------------------

_GOOD = [np.arange(4.0).reshape(2, 2), np.ones((3, 2))]

_BAD_CALLS = [
    pytest.param([], {}, ValueError, r"values must hold at least one panel; got an empty sequence",
                 id="empty-list"),
    pytest.param((), {}, ValueError, r"at least one panel; got an empty sequence",
                 id="empty-tuple"),
    pytest.param(np.zeros((0, 4, 4)), {}, ValueError,
                 r"values must hold at least one panel; got shape \(0, 4, 4\)", id="empty-array"),
    pytest.param(np.zeros((4, 4)), {}, ValueError,
                 r"values must be 3-D for dataformats='NHW'; got shape \(4, 4\)", id="2-D-array"),
    pytest.param(np.zeros((2, 1, 4, 4)), {}, ValueError,
                 r"values must be 3-D for dataformats='NHW'; got shape \(2, 1, 4, 4\)",
                 id="4-D-as-NHW"),
    pytest.param(np.zeros((2, 4, 4)), {"dataformats": "NCHW"}, ValueError,
                 r"values must be 4-D for dataformats='NCHW'; got shape \(2, 4, 4\)",
                 id="3-D-as-NCHW"),
    pytest.param(np.zeros((2, 3, 4, 4)), {"dataformats": "NCHW"}, ValueError,
                 r"values\[0\] must have exactly one channel .* got 3 channels", id="3-channels"),
    pytest.param([np.zeros((4, 4)), np.zeros((2, 4, 4))], {}, ValueError,
                 r"values\[1\] must be 2-D for dataformats='HW'; got shape \(2, 4, 4\)",
                 id="3-D-entry-in-list"),
    pytest.param(_GOOD, {"dataformats": "HW"}, ValueError,
                 r"dataformats must be one of 'NHW', 'NCHW' or 'NHWC' .*; got 'HW'",
                 id="dataformats-HW"),
    pytest.param(_GOOD, {"titles": ["a", "b", "c"]}, ValueError,
                 r"titles must have one entry per panel: 2 panels, got 3 titles",
                 id="titles-too-many"),
    pytest.param(_GOOD, {"titles": ["a"]}, ValueError,
                 r"titles must have one entry per panel: 2 panels, got 1 titles",
                 id="titles-too-few"),
    pytest.param(_GOOD, {"titles": "ab"}, TypeError,
                 r"titles must be a sequence of str \(one per panel\); got str", id="titles-str"),
    pytest.param(_GOOD, {"titles": {"a", "b"}}, TypeError,
                 r"titles must be a sequence of str \(one per panel\); got set", id="titles-set"),
    pytest.param(_GOOD, {"titles": 3}, TypeError,
                 r"titles must be a sequence of str \(one per panel\); got int", id="titles-int"),
    pytest.param(_GOOD, {"titles": ["a", 2]}, TypeError,
                 r"titles\[1\] must be a str or None; got int", id="titles-entry-int"),
    pytest.param(_GOOD, {"ncols": 0}, ValueError, r"ncols must be at least 1; got 0",
                 id="ncols-0"),
    pytest.param(_GOOD, {"ncols": -2}, ValueError, r"ncols must be at least 1; got -2",
                 id="ncols-negative"),
    pytest.param(_GOOD, {"ncols": 2.0}, TypeError, r"ncols must be an int; got float",
                 id="ncols-float"),
    pytest.param(_GOOD, {"ncols": True}, TypeError, r"ncols must be an int; got bool",
                 id="ncols-bool"),
    pytest.param(_GOOD, {"ncols": "2"}, TypeError, r"ncols must be an int; got str",
                 id="ncols-str"),
    pytest.param(_GOOD, {"shared_scale": "yes"}, TypeError,
                 r"shared_scale must be True or False; got str", id="shared_scale-str"),
    pytest.param(_GOOD, {"shared_scale": 1}, TypeError,
                 r"shared_scale must be True or False; got int", id="shared_scale-int"),
    pytest.param(_GOOD, {"shared_scale": None}, TypeError,
                 r"shared_scale must be True or False; got NoneType", id="shared_scale-None"),
    pytest.param(_GOOD, {"renderer": "agg"}, ValueError, r"renderer must be one of",
                 id="renderer"),
    pytest.param(_GOOD, {"vmin": 2.0, "vmax": 1.0}, ValueError,
                 r"vmin must be less than or equal to vmax", id="vmin-above-vmax"),
]


@pytest.mark.parametrize(("values", "kwargs", "error", "match"), _BAD_CALLS)
def test_bad_call_is_refused_with_a_clear_message(logdir, values, kwargs, error, match):
    """Refused on the caller's thread, even in background mode, and nothing written."""
    with FigureSummaryWriter(logdir, async_render=True) as w:
        with pytest.raises(error, match=match):
            w.add_colormapped_images("bad", values, 0, **{"renderer": "matplotlib", **kwargs})
        w.flush()  # nothing was deferred to the worker either
    assert read_image_protos(logdir) == []


@pytest.mark.parametrize("async_render", [False, True], ids=["sync", "background"])
def test_refused_calls_leave_the_writer_usable(logdir, async_render):
    with FigureSummaryWriter(logdir, async_render=async_render) as w:
        for case in _BAD_CALLS:
            values, kwargs, error, match = case.values
            with pytest.raises(error, match=match):
                w.add_colormapped_images("bad", values, 0, **{"renderer": "matplotlib", **kwargs})
        w.add_colormapped_images("good", _GOOD, 1, renderer="matplotlib")
    images = read_images(logdir)
    assert sorted(images) == ["good"]
    assert [e.step for e in images["good"]] == [1]
    assert images["good"][0].pixels.shape[:2] == (images["good"][0].height,
                                                  images["good"][0].width)
