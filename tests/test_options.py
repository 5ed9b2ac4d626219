"""imshow's and heatmap's options through the public methods, in both renderers.

Each test logs with ``add_colormapped_image``, reads the event file back with
tensorboard's reader, decodes the PNG and compares pixels with what matplotlib
(``cmap(norm(values))``, an ``imshow(..., extent=...)`` axes) or seaborn
(``heatmap``'s annotation strings and colours, its ``"auto"`` tick labels) give.
"""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib import colormaps
from matplotlib import colors as mcolors
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from figwriter import FigureSummaryWriter
from figwriter._checks import picture_options
from figwriter.render.fast.picture import picture_layout_for
from figwriter.render.fast.text import rasterize
from figwriter.render.overlay import ANNOT_DARK, ANNOT_LIGHT, AnnotationWarning

from ._readback import read_images
from ._requires import require

seaborn = require("seaborn")

RENDERERS = ["fast", "matplotlib"]


def logged(logdir, values, renderer="fast", tag="t", steps=1, **kwargs):
    """Log ``values`` (or a list of them, one per step) and return the decoded pictures."""
    batches = values if isinstance(values, list) else [values] * steps
    with FigureSummaryWriter(logdir) as writer:
        for step, v in enumerate(batches):
            writer.add_colormapped_image(tag, v, step, renderer=renderer, **kwargs)
    return [e.pixels for e in read_images(logdir)[tag]]


def frame_of(picture: np.ndarray) -> tuple[int, int, int, int]:
    """The fast picture's data block (y, x, height, width) inside its 1-pixel black frame.

    The frame's top edge is the topmost longest run of black pixels in a row.
    """
    black = (picture == 0).all(axis=2)
    best = (0, 0, 0)  # length, row, start
    for y in range(black.shape[0]):
        row = np.concatenate(([False], black[y], [False])).astype(np.int8)
        edges = np.flatnonzero(np.diff(row))
        for start, stop in zip(edges[::2], edges[1::2]):
            if stop - start > best[0]:
                best = (stop - start, y, start)
    length, y0, x0 = best
    column = black[y0:, x0]
    height = int(np.argmin(column[1:])) if not column[1:].all() else column.size - 1
    while height > 0 and not black[y0 + height, x0 + 1:x0 + length - 1].all():
        height -= 1
    return y0 + 1, x0 + 1, height - 1, length - 2


def first_region(picture: np.ndarray, colour) -> tuple[slice, slice]:
    """Rows and columns of the leftmost run of columns holding ``colour`` exactly."""
    mask = (picture == np.asarray(colour, np.uint8)).all(axis=2)
    cols = np.flatnonzero(mask.any(axis=0))
    assert cols.size, f"colour {colour} is not in the picture"
    gaps = np.flatnonzero(np.diff(cols) > 1)
    last = cols[gaps[0]] if gaps.size else cols[-1]
    rows = np.flatnonzero(mask[:, cols[0]:last + 1].any(axis=1))
    return slice(rows[0], rows[-1] + 1), slice(cols[0], last + 1)


def rgb_of(values, cmap="viridis", vmin=None, vmax=None) -> np.ndarray:
    norm = mcolors.Normalize(vmin, vmax)
    return colormaps[cmap](norm(np.ma.masked_invalid(values)), bytes=True)[..., :3]


def cell_centres(block: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    h, w = shape
    ys = ((np.arange(h) + 0.5) * block.shape[0] / h).astype(int)
    xs = ((np.arange(w) + 0.5) * block.shape[1] / w).astype(int)
    return block[ys[:, None], xs[None, :]]


# -- origin, aspect, extent ---------------------------------------------------------------------


def test_origin_lower_puts_row_zero_at_the_bottom_fast(logdir):
    values = np.arange(24.0).reshape(6, 4)
    (picture,) = logged(logdir, values, origin="lower", vmin=0, vmax=23)
    y, x, h, w = frame_of(picture)
    got = cell_centres(picture[y:y + h, x:x + w], values.shape)
    np.testing.assert_array_equal(got, rgb_of(values[::-1], vmin=0, vmax=23))
    (upper,) = logged(logdir + "-upper", values, vmin=0, vmax=23)
    y, x, h, w = frame_of(upper)
    np.testing.assert_array_equal(cell_centres(upper[y:y + h, x:x + w], values.shape),
                                  rgb_of(values, vmin=0, vmax=23))


@pytest.mark.parametrize("renderer", RENDERERS)
def test_origin_lower_in_both_renderers(logdir, renderer):
    values = np.repeat(np.arange(6.0)[:, None], 4, axis=1)
    colours = rgb_of(np.arange(6.0), vmin=0, vmax=5)
    for origin, row0_below in (("lower", True), ("upper", False)):
        (picture,) = logged(f"{logdir}-{origin}", values, renderer, origin=origin)
        rows0, _ = first_region(picture, colours[0])
        rows5, _ = first_region(picture, colours[5])
        assert (rows0.start > rows5.start) == row0_below


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("shape", [(80, 1000), (12, 197)])
def test_auto_aspect_gives_a_readable_block(logdir, renderer, shape):
    values = np.zeros(shape)
    colour = rgb_of(np.array([0.0]), vmin=-1, vmax=1)[0]
    (picture,) = logged(logdir, values, renderer, aspect="auto", vmin=-1, vmax=1)
    rows, cols = first_region(picture, colour)
    ratio = (rows.stop - rows.start) / (cols.stop - cols.start)
    assert 1 / 3 <= ratio <= 3
    (plain,) = logged(logdir + "-plain", values, renderer, vmin=-1, vmax=1)
    rows, cols = first_region(plain, colour)
    assert (rows.stop - rows.start) / (cols.stop - cols.start) < 1 / 3


@pytest.mark.parametrize("renderer", RENDERERS)
def test_numeric_aspect_is_height_over_width_of_a_cell(logdir, renderer):
    values = np.zeros((32, 32))
    colour = rgb_of(np.array([0.0]), vmin=-1, vmax=1)[0]
    (picture,) = logged(logdir, values, renderer, aspect=0.5, vmin=-1, vmax=1)
    rows, cols = first_region(picture, colour)
    ratio = (rows.stop - rows.start) / (cols.stop - cols.start)
    assert ratio == pytest.approx(0.5, abs=0.02)


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize(("shape", "aspect"), [((4, 4), 0.5), ((3, 6), 2.0), ((300, 90), 0.5)])
def test_cells_keep_their_aspect_with_annotations_or_reduction(logdir, renderer, shape,
                                                              aspect):
    values = np.zeros(shape)
    colour = rgb_of(np.array([0.0]), vmin=-1, vmax=1)[0]
    annot = max(shape) < 10
    (picture,) = logged(logdir, values, renderer, aspect=aspect, annot=annot, fmt=".0f",
                        vmin=-1, vmax=1)
    rows, cols = first_region(picture, colour)
    cell_h = (rows.stop - rows.start) / shape[0]
    cell_w = (cols.stop - cols.start) / shape[1]
    assert cell_h / cell_w == pytest.approx(aspect, rel=0.05)


def matplotlib_ticks(extent, width, height):
    """The tick labels an ``imshow(..., extent=...)`` axes of this pixel size prints."""
    fig = Figure(figsize=(width / 100 + 2, height / 100 + 2), dpi=100)
    FigureCanvasAgg(fig)
    fw, fh = fig.get_size_inches() * 100
    ax = fig.add_axes((100 / fw, 100 / fh, width / fw, height / fh))
    ax.imshow(np.zeros((3, 3)), extent=extent, aspect="auto")
    fig.canvas.draw()
    out = []
    for axis in (ax.xaxis, ax.yaxis):
        drawn = axis._update_ticks()
        out.append([t.label1.get_text() for t in drawn])
    return out


@pytest.mark.parametrize(("shape", "extent", "aspect"), [
    ((80, 1000), (0.0, 10.0, 0.0, 8000.0), "auto"),
    ((64, 64), (-1.0, 1.0, -1.0, 1.0), "equal"),
    ((50, 120), (0.0, 2.5e-5, 100.0, 101.0), "auto"),
])
def test_extent_ticks_are_those_of_imshow_axes_of_the_same_size(shape, extent, aspect):
    options = picture_options(extent=extent, aspect=aspect)
    layout = picture_layout_for("extent", shape, title=False, label=False, max_size=512,
                                options=options)
    want_x, want_y = matplotlib_ticks(extent, layout.image.width, layout.image.height)
    assert [s for _, s in layout.x.ticks] == want_x
    assert sorted(s for _, s in layout.y.ticks) == sorted(want_y)


def test_extent_ticks_sit_where_their_values_are(logdir):
    extent = (0.0, 10.0, 0.0, 8000.0)
    options = picture_options(extent=extent, aspect="auto", origin="lower")
    layout = picture_layout_for("where", (80, 1000), title=False, label=False, max_size=512,
                                options=options)
    width, height = layout.image.width, layout.image.height
    for px, label in layout.x.ticks:
        assert px == min(width - 1, int(float(label) / 10.0 * width))
    for px, label in layout.y.ticks:
        assert px == min(height - 1, int((8000.0 - float(label)) / 8000.0 * height))


# -- labels and tick labels ----------------------------------------------------------------------


@pytest.mark.parametrize("renderer", RENDERERS)
def test_axis_labels_add_text_outside_the_image(logdir, renderer):
    values = np.random.default_rng(1).random((20, 30))
    (plain,) = logged(logdir + "-a", values, renderer)
    (labelled,) = logged(logdir + "-b", values, renderer, xlabel="time (s)",
                         ylabel="frequency (Hz)")
    assert labelled.shape[0] > plain.shape[0] and labelled.shape[1] > plain.shape[1]
    assert (labelled[-plain.shape[0] // 8:] < 128).any()  # the x label, near the bottom
    assert (labelled[:, :labelled.shape[1] - plain.shape[1] + 4] < 128).any()  # the y label


def test_tick_labels_are_thinned_as_seaborns_auto():
    pandas = require("pandas")
    tokens = tuple(f"tok{i}" for i in range(197))
    options = picture_options(xticklabels=tokens, yticklabels=tokens[:12], aspect="auto")
    layout = picture_layout_for("tokens", (12, 197), title=False, label=False, max_size=512,
                                options=options)
    width, height = layout.image.width, layout.image.height
    fig = Figure(figsize=(width / 100 + 3, height / 100 + 3), dpi=100)
    fw, fh = fig.get_size_inches()
    ax = fig.add_axes((1.5 / fw, 1.5 / fh, width / 100 / fw, height / 100 / fh))
    frame = pandas.DataFrame(np.zeros((12, 197)), index=tokens[:12], columns=tokens)
    seaborn.heatmap(frame, xticklabels="auto", yticklabels="auto", ax=ax, cbar=False)
    assert [s for _, s in layout.x.ticks] == [t.get_text() for t in ax.get_xticklabels()]
    assert sorted(s for _, s in layout.y.ticks) == sorted(
        t.get_text() for t in ax.get_yticklabels())
    assert layout.x.rotated  # neighbours would overlap: upright, as seaborn turns them


def test_tick_labels_false_hides_the_ticks(logdir):
    values = np.random.default_rng(2).random((10, 10))
    (picture,) = logged(logdir, values, xticklabels=False, yticklabels=False)
    y, x, h, w = frame_of(picture)
    assert (picture[y + h + 1:, x:x + w] == 255).all()  # no tick marks or labels below
    assert (picture[y:y + h, :x - 1] == 255).all()  # nor left of the image


@pytest.mark.parametrize("renderer", RENDERERS)
def test_wrong_number_of_tick_labels_is_refused(logdir, renderer):
    with FigureSummaryWriter(logdir) as writer:
        with pytest.raises(ValueError, match=r"xticklabels must hold one label per column "
                                             r"\(values has 3 columns\); got 2"):
            writer.add_colormapped_image("t", np.zeros((2, 3)), renderer=renderer,
                                         xticklabels=["a", "b"])
        with pytest.raises(ValueError, match=r"yticklabels must hold one label per row "
                                             r"\(values has 2 rows\); got 3"):
            writer.add_colormapped_image("t", np.zeros((2, 3)), renderer=renderer,
                                         yticklabels=["a", "b", "c"])


# -- annotations -----------------------------------------------------------------------------------


def seaborn_annotations(values, fmt, cmap, vmin, vmax):
    fig = Figure()
    ax = fig.subplots()
    seaborn.heatmap(values, annot=True, fmt=fmt, ax=ax, cbar=False, cmap=cmap, vmin=vmin,
                    vmax=vmax)
    strings = np.array([t.get_text() for t in ax.texts]).reshape(values.shape)
    colours = np.array([mcolors.to_rgb(t.get_color()) for t in ax.texts])
    return strings, np.round(colours * 255).astype(int).reshape(values.shape + (3,))


def ink_box(mask: np.ndarray) -> np.ndarray:
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return mask[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]


@pytest.mark.parametrize(("values", "fmt"), [
    (np.array([[0.125, 3.5, -2.25], [10.0, 0.0, 7.75]]), ".2g"),
    (np.array([[3, 14, 0], [99, 5, 42]]), "d"),
    (np.array([[0.5, 0.25, 1.0], [0.75, 0.0, 0.125]]), ".1%"),
])
def test_fast_annotations_write_seaborns_string_in_seaborns_colour(logdir, values, fmt):
    vmin, vmax = float(values.min()), float(values.max())
    strings, colours = seaborn_annotations(values, fmt, "viridis", vmin, vmax)
    (plain,) = logged(logdir + "-plain", values, vmin=vmin, vmax=vmax)
    (picture,) = logged(logdir, values, annot=True, fmt=fmt, vmin=vmin, vmax=vmax)
    y, x, h, w = frame_of(picture)
    ch, cw = h // values.shape[0], w // values.shape[1]
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            cell = picture[y + i * ch:y + (i + 1) * ch, x + j * cw:x + (j + 1) * cw]
            base = plain[y + i * ch:y + (i + 1) * ch, x + j * cw:x + (j + 1) * cw]
            changed = (cell != base).any(axis=2)
            ink = rasterize(strings[i, j], 10.0).ink > 0
            assert ink_box(changed).shape == ink_box(ink).shape
            np.testing.assert_array_equal(ink_box(changed), ink_box(ink))
            # fully inked pixels carry the text colour seaborn chose
            darkest = np.abs(cell.astype(int) - base.astype(int)).sum(axis=2).argmax()
            assert np.abs(cell.reshape(-1, 3)[darkest] - colours[i, j]).max() <= 2


def test_matplotlib_annotations_use_seaborns_colours(logdir):
    values = np.array([[0.0, 1.0], [0.3, 0.8]])
    _, colours = seaborn_annotations(values, ".2g", "viridis", 0.0, 1.0)
    (plain,) = logged(logdir + "-plain", values, "matplotlib", vmin=0, vmax=1)
    (picture,) = logged(logdir, values, "matplotlib", annot=True, vmin=0, vmax=1)
    for i in range(2):
        for j in range(2):
            rows, cols = first_region(plain, rgb_of(values[i:i + 1, j:j + 1], vmin=0,
                                                    vmax=1)[0, 0])
            cell, base = picture[rows, cols].astype(int), plain[rows, cols].astype(int)
            diff = np.abs(cell - base).sum(axis=2)
            assert diff.max() > 100
            text_pixel = cell.reshape(-1, 3)[diff.argmax()]
            assert np.abs(text_pixel - colours[i, j]).max() <= 40
    assert tuple(colours[0, 0]) == ANNOT_LIGHT and tuple(colours[0, 1]) == ANNOT_DARK


@pytest.mark.parametrize("renderer", RENDERERS)
def test_small_cells_get_no_annotation_and_one_warning_per_tag(logdir, renderer):
    values = np.random.default_rng(3).random((200, 200))
    with FigureSummaryWriter(logdir) as writer:
        with pytest.warns(AnnotationWarning, match=r"annot: 40000 cells of 'small' are too "
                                                   r"small for their text"):
            writer.add_colormapped_image("small", values, 0, annot=True, renderer=renderer)
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("error")
            writer.add_colormapped_image("small", values, 1, annot=True, renderer=renderer)
    pictures = [e.pixels for e in read_images(logdir)["small"]]
    (plain,) = logged(logdir + "-plain", values, renderer)
    np.testing.assert_array_equal(pictures[0], plain)


def test_annot_array_and_bad_fmt_are_checked(logdir):
    with FigureSummaryWriter(logdir) as writer:
        with pytest.raises(ValueError, match=r"annot must be True, False or an array of the "
                                             r"data's shape \(2, 2\); got shape \(3,\)"):
            writer.add_colormapped_image("t", np.zeros((2, 2)), annot=[1, 2, 3])
        with pytest.raises(ValueError, match=r"fmt must be a format spec for numbers"):
            writer.add_colormapped_image("t", np.zeros((2, 2)), annot=True, fmt="q")
        with pytest.raises(TypeError, match=r"fmt must be a format spec str such as '\.2g'"):
            writer.add_colormapped_image("t", np.zeros((2, 2)), annot=True, fmt=2)
        with pytest.raises(ValueError, match=r"fmt='d' formats integers; got 0\.5 at \[0, 1\]"):
            writer.add_colormapped_image("t", np.array([[1.0, 0.5]]), annot=True, fmt="d")


# -- background ----------------------------------------------------------------------------------


def test_background_blend_is_the_documented_formula_fast(logdir, rng):
    values = rng.random((8, 8))
    values[2, 3] = np.nan  # bad: transparent, the background shows
    background = rng.integers(0, 256, (256, 256, 3), dtype=np.uint8)  # the block's size
    (picture,) = logged(logdir, values, background=background, alpha=0.3, vmin=0, vmax=1)
    y, x, h, w = frame_of(picture)
    assert (h, w) == (256, 256)
    rgba = colormaps["viridis"](mcolors.Normalize(0, 1)(np.ma.masked_invalid(values)),
                                bytes=True)
    cells = np.repeat(np.repeat(rgba, 32, 0), 32, 1).astype(float)
    a = 0.3 * cells[..., 3:] / 255
    want = np.floor(a * cells[..., :3] + (1 - a) * background + 0.5).astype(np.uint8)
    np.testing.assert_array_equal(picture[y:y + h, x:x + w], want)


def test_background_of_any_size_is_resampled_with_pillows_bilinear_filter(logdir, rng):
    from PIL import Image

    values = rng.random((16, 16))
    grey = rng.random((70, 45))
    (picture,) = logged(logdir, values, background=grey, vmin=0, vmax=1)
    y, x, h, w = frame_of(picture)
    back = np.repeat(np.floor(grey * 255 + 0.5).astype(np.uint8)[:, :, None], 3, axis=2)
    back = np.asarray(Image.fromarray(back).resize((w, h), Image.Resampling.BILINEAR,
                                                  reducing_gap=2.0))
    colour = np.repeat(np.repeat(rgb_of(values, vmin=0, vmax=1), h // 16, 0), w // 16, 1)
    want = np.floor(0.5 * colour + 0.5 * back.astype(float) + 0.5).astype(np.uint8)
    np.testing.assert_array_equal(picture[y:y + h, x:x + w], want)


def test_background_in_the_matplotlib_renderer(logdir):
    values = np.full((6, 6), 0.25)
    background = np.zeros((30, 30, 3), np.uint8)
    background[...] = (200, 40, 90)
    (picture,) = logged(logdir, values, "matplotlib", background=background, alpha=0.6,
                        vmin=0, vmax=1)
    colour = rgb_of(np.array([0.25]), vmin=0, vmax=1)[0].astype(float)
    want = np.floor(0.6 * colour + 0.4 * np.array([200, 40, 90]) + 0.5).astype(np.uint8)
    rows, cols = first_region(picture, want)
    assert rows.stop - rows.start > 200 and cols.stop - cols.start > 200


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    (dict(background=np.zeros((4, 4, 4))), ValueError,
     r"background must be an image of shape \(H, W\) \(grey\) or \(H, W, 3\) \(RGB\); "
     r"got shape \(4, 4, 4\)"),
    (dict(background=np.full((4, 4), 300)), ValueError,
     r"background integers must lie in 0\.\.255"),
    (dict(alpha=1.5), ValueError, r"alpha must be between 0 and 1; got 1\.5"),
    (dict(alpha="half"), TypeError, r"alpha must be a real number; got str"),
    (dict(aspect="square"), ValueError, r"aspect must be one of \('equal', 'auto'\); got 'square'"),
    (dict(aspect=-1), ValueError, r"aspect must be 'equal', 'auto' or a positive number; got -1"),
    (dict(aspect=[1]), TypeError, r"aspect must be 'equal', 'auto' or a positive number; got list"),
    (dict(origin="bottom"), ValueError,
     r"origin must be one of \('upper', 'lower'\); got 'bottom'"),
    (dict(extent=(0, 1, 2)), ValueError,
     r"extent must hold 4 numbers \(left, right, bottom, top\)"),
    (dict(extent="0 1 0 1"), TypeError, r"extent must be a sequence \(left, right, bottom, top\)"),
    (dict(extent=(0, 0, 0, 1)), ValueError, r"extent must span a non-empty range on each axis"),
    (dict(extent=(0, np.inf, 0, 1)), ValueError, r"extent\[1\] must be finite; got inf"),
    (dict(xlabel=3), TypeError, r"xlabel must be a str or None; got int"),
    (dict(ylabel=b"y"), TypeError, r"ylabel must be a str or None; got bytes"),
    (dict(xticklabels="abc"), TypeError, r"xticklabels must be a sequence of labels, True or "
                                         r"False; got str"),
    (dict(reduce="median"), ValueError, r"reduce must be one of \('mean', 'max', 'min', "
                                        r"'mode'\); got 'median'"),
    (dict(hold_scale=1), TypeError, r"hold_scale must be True or False; got int"),
])
def test_bad_options_are_refused_by_name(logdir, kwargs, error, match):
    with FigureSummaryWriter(logdir) as writer:
        with pytest.raises(error, match=match):
            writer.add_colormapped_image("t", np.zeros((4, 4)), **kwargs)
        writer.add_colormapped_image("t", np.zeros((4, 4)))  # the writer is still usable
    assert len(read_images(logdir)["t"]) == 1


# -- reduction -------------------------------------------------------------------------------------


@pytest.mark.parametrize("renderer", RENDERERS)
def test_a_striped_label_map_shows_only_its_classes(logdir, renderer):
    labels = np.zeros((1000, 1500), np.int64)
    labels[(np.arange(1000) // 7) % 2 == 1] = 18
    (picture,) = logged(logdir, labels, renderer, cmap="tab20")
    classes = rgb_of(np.array([0.0, 18.0]), "tab20", vmin=0, vmax=18)
    rows, cols = first_region(picture, classes[0])
    inner = picture[rows.start + 3:rows.stop - 3, cols.start + 3:cols.stop - 3].reshape(-1, 3)
    shown = {tuple(c) for c in np.unique(inner, axis=0)}
    assert shown == {tuple(c) for c in classes}


@pytest.mark.parametrize("renderer", RENDERERS)
def test_reduce_max_keeps_a_sparse_peak_visible(logdir, renderer):
    values = np.zeros((2000, 2000), np.float32)
    values[1234, 567] = 1.0
    peak = tuple(rgb_of(np.array([1.0]), vmin=0, vmax=1)[0])
    for reduce, visible in (("max", True), ("mean", False)):
        (picture,) = logged(f"{logdir}-{reduce}", values, renderer, reduce=reduce, vmin=0,
                            vmax=1)
        background = rgb_of(np.array([0.0]), vmin=0, vmax=1)[0]
        rows, cols = first_region(picture, background)
        image = picture[rows, cols].reshape(-1, 3)
        assert any(tuple(p) == peak for p in image) == visible


# -- held scales -----------------------------------------------------------------------------------


@pytest.mark.parametrize("renderer", RENDERERS)
def test_hold_scale_keeps_the_first_calls_limits(logdir, renderer, rng):
    first, second = rng.random((16, 16)), 2 * rng.random((16, 16))
    pictures = logged(logdir, [first, second], renderer, hold_scale=True, tag="held")
    (fixed,) = logged(logdir + "-fixed", second, renderer, vmin=float(first.min()),
                      vmax=float(first.max()), tag="held")
    np.testing.assert_array_equal(pictures[1], fixed)
    unheld = logged(logdir + "-free", [first, second], renderer, tag="held")
    assert not np.array_equal(unheld[1], fixed)


def test_hold_scale_is_per_writer_and_per_tag(logdir, rng):
    first, second = rng.random((8, 8)), 5 + rng.random((8, 8))
    with FigureSummaryWriter(logdir) as writer:
        writer.add_colormapped_image("a", first, 0, hold_scale=True)
        writer.add_colormapped_image("b", second, 0, hold_scale=True)
        writer.add_colormapped_image("a", second, 1, hold_scale=True)
    with FigureSummaryWriter(logdir + "-other") as other:
        other.add_colormapped_image("a", second, 0, hold_scale=True)
    images = read_images(logdir)
    (fresh,) = logged(logdir + "-fresh", second, tag="b")
    np.testing.assert_array_equal(images["b"][0].pixels, fresh)
    assert not np.array_equal(images["a"][1].pixels, fresh)
    np.testing.assert_array_equal(read_images(logdir + "-other")["a"][0].pixels,
                                  logged(logdir + "-fresh2", second, tag="a")[0])


# -- batches ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("renderer", RENDERERS)
def test_a_batch_with_options_is_a_grid_of_the_single_pictures(logdir, renderer, rng):
    from figwriter.render.tiles import tile

    a, b = rng.random((4, 5)), rng.random((4, 5))
    names = ["a", "b", "c", "d", "e"]
    common = dict(vmin=0.0, vmax=1.0, xticklabels=names, xlabel="class", origin="lower",
                  renderer=renderer)
    with FigureSummaryWriter(logdir) as writer:
        writer.add_colormapped_images("batch", [a, b], 0, annot=[a, np.round(b, 1)],
                                      titles=["first", "second"], **common)
        writer.add_colormapped_image("one", a, 0, annot=True, title="first", **common)
        writer.add_colormapped_image("two", b, 0, annot=np.round(b, 1), title="second",
                                     **common)
    images = read_images(logdir)
    want = tile([images["one"][0].pixels, images["two"][0].pixels], 2)
    np.testing.assert_array_equal(images["batch"][0].pixels, want)


@pytest.mark.parametrize("renderer", RENDERERS)
def test_a_batch_annotates_only_the_panels_asked_for(logdir, renderer, rng):
    from figwriter.render.tiles import tile

    a, b = rng.random((4, 5)), rng.random((4, 5))
    common = dict(vmin=0.0, vmax=1.0, xlabel="class", renderer=renderer)
    with FigureSummaryWriter(logdir) as writer:
        writer.add_colormapped_images("batch", [a, b], 0, annot=[True, False], **common)
        writer.add_colormapped_image("one", a, 0, annot=True, **common)
        writer.add_colormapped_image("two", b, 0, **common)
    images = read_images(logdir)
    want = tile([images["one"][0].pixels, images["two"][0].pixels], 2)
    np.testing.assert_array_equal(images["batch"][0].pixels, want)


def test_a_batch_holds_its_scale_per_panel(logdir, rng):
    from figwriter._scale import resolve_scale
    from figwriter.render.fast import render_fast_grid

    first = [rng.random((6, 6)), 10 * rng.random((6, 6))]
    second = [2 * rng.random((6, 6)), 20 * rng.random((6, 6))]
    with FigureSummaryWriter(logdir) as writer:
        for step, batch in enumerate([first, second]):
            writer.add_colormapped_images("held", batch, step, shared_scale=False,
                                          hold_scale=True)
    got = read_images(logdir)["held"][1].pixels
    scales = [resolve_scale([s], vmin=float(f.min()), vmax=float(f.max()))
              for f, s in zip(first, second)]
    assert all(s.extend == "max" for s in scales)
    want = render_fast_grid(second, scales, titles=None, label=None, ncols=None, key="held")
    np.testing.assert_array_equal(got, want)


def test_batch_options_are_checked_per_panel(logdir):
    with FigureSummaryWriter(logdir) as writer:
        with pytest.raises(ValueError, match=r"annot must be True, False or one array per "
                                             r"panel \(2\); got 3"):
            writer.add_colormapped_images("t", np.zeros((2, 3, 3)), annot=[True] * 3)
        with pytest.raises(ValueError, match=r"background must be one image or one per "
                                             r"panel \(2\); got 3"):
            writer.add_colormapped_images("t", np.zeros((2, 3, 3)),
                                          background=[np.zeros((3, 3))] * 3)
        with pytest.raises(ValueError, match=r"xticklabels must hold one label per column "
                                             r"\(values\[1\] has 4 columns\); got 3"):
            writer.add_colormapped_images("t", [np.zeros((3, 3)), np.zeros((3, 4))],
                                          xticklabels=["a", "b", "c"])


# -- layout: the colour bar's label --------------------------------------------------------------


def ink_columns(picture: np.ndarray, rows: slice, start: int) -> np.ndarray:
    """Columns right of ``start`` holding dark ink within ``rows``."""
    return start + np.flatnonzero((picture[rows, start:] < 160).any(axis=2).any(axis=0))


def test_bar_label_sits_beside_the_tick_labels_and_the_canvas_stays(logdir, rng):
    """The gap between the widest tick label and the label is matplotlib's labelpad
    (the matplotlib renderer's is matplotlib's own), whatever the tick labels' width;
    the canvas keeps its size across steps."""
    values = [rng.random((40, 40)), 1000 * rng.random((40, 40)), rng.random((40, 40))]
    pictures = logged(logdir, values, label="speed (m/s)")
    assert len({p.shape for p in pictures}) == 1
    gaps = []
    for picture in pictures:
        y, x, h, w = frame_of(picture)
        rows = slice(y + h // 2 - 40, y + h // 2 + 40)  # the label's middle: no tick label
        right = picture.shape[1]
        label_cols = ink_columns(picture, rows, right - 60)
        assert label_cols.size, "no label"
        label_left = label_cols[0]
        everything = ink_columns(picture, slice(y, y + h), x + w + 2)
        tick_right = everything[everything < label_left - 1].max()
        gaps.append(label_left - tick_right)
    assert max(gaps) - min(gaps) <= 2
    assert max(gaps) <= 12  # labelpad (4 pt) and the glyphs' side bearings
