"""Properties over arrays and options: every call writes a correct picture or refuses clearly.

For each drawn call (:mod:`tests.strategies`), on one writer that lives for the
whole property:

- either the call raises ``ValueError``/``TypeError`` whose message names one
  of the arguments that were invalid on purpose (or, for a data-dependent
  refusal such as a log norm over data with no positive value, the argument at
  fault, which the test confirms is at fault);
- or it writes exactly one picture, which decodes to the height and width the
  event records, is at most 4096 px on a side, and whose data cells show
  ``cmap(norm(value))`` of the resolved scale;
- and afterwards every event written so far (and nothing else) reads back.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from hypothesis import given, note
from hypothesis import strategies as st
from matplotlib.figure import Figure

from figwriter import FigureSummaryWriter, _convert, _scale
from figwriter.render import MAX_PICTURE_SIDE

from ._oracle import Scale, expected_scale
from ._readback import ImageEvent, read_images
from .strategies import Call, batch_calls, examples, image_calls, reference_float64

RENDERERS = ["fast", "matplotlib"]


def names_argument(err: BaseException, names: frozenset[str] | set[str]) -> bool:
    message = str(err)
    return any(re.search(rf"(?<![\w.]){re.escape(n)}\b", message) for n in names)


# -- expected colours ----------------------------------------------------------------
def _over_background(rgba: np.ndarray, background: np.ndarray) -> np.ndarray:
    a = rgba[..., 3:4].astype(np.float64) / 255.0
    return np.rint(rgba[..., :3] * a + background * (1.0 - a)).astype(np.int16)


def allowed_colours(value: float, dtype: np.dtype, scale: Scale,
                    background: np.ndarray) -> np.ndarray:
    """RGB colours a cell of ``value`` may be painted with.

    Its colour under the resolved scale, ``cmap(norm(value))`` with the norm
    applied to an array of the data's dtype (as ``imshow`` does: float32 data is
    normalised in float32), or a neighbouring lookup-table entry (rounding, and
    matplotlib resampling large images in data space, may move a value by one).
    """
    bad = _over_background(np.array([scale.cmap(np.nan, bytes=True)]), background)
    if not math.isfinite(value):
        return bad
    with np.errstate(all="ignore"):
        x = scale.norm(np.array([value], dtype=dtype))
    if np.ma.is_masked(x) or np.isnan(np.ma.getdata(x)[0]):
        return bad
    # +-inf (float32 arithmetic overflowed) is over/under, as in Colormap.__call__
    x = float(np.ma.getdata(x)[0])
    step = 1.0 / scale.cmap.N
    xs = np.array([x - step, x, x + step])
    return _over_background(np.asarray(scale.cmap(xs, bytes=True)), background)


def colour_ok(pixel: np.ndarray, allowed: np.ndarray) -> bool:
    return bool(np.any(np.all(np.abs(allowed - pixel.astype(np.int16)) <= 1, axis=1)))


def check_cells_in_axes(pixels: np.ndarray, ax: Any, data: np.ndarray,
                        scale: Scale, rng: np.random.Generator,
                        samples: int = 40) -> int:
    """Sampled cells of ``data`` drawn in ``ax`` (an imshow axes) have their colours.

    Arrays longer than ``_mpl.MAX_CELLS`` are drawn box-averaged, in the full
    array's axes units: the shown cells are those of ``_mpl._cells(data)``, each
    ``f`` data cells wide. Returns the number of cells checked.
    """
    import matplotlib.colors as mcolors

    from figwriter.render import mpl as _mpl

    full_h, full_w = data.shape
    data = _mpl._cells(data)
    h, w = data.shape
    f = -(-max(full_h, full_w) // max(h, w)) if (h, w) != (full_h, full_w) else 1
    h_px = pixels.shape[0]
    bbox = ax.get_window_extent()
    cell_w, cell_h = f * bbox.width / full_w, f * bbox.height / full_h
    if ax.get_aspect() != "auto":  # imshow's "equal" aspect: the image box is not the axes box
        corners = ax.transData.transform([[-0.5, -0.5], [full_w - 0.5, full_h - 0.5]])
        cell_w = f * abs(corners[1, 0] - corners[0, 0]) / full_w
        cell_h = f * abs(corners[1, 1] - corners[0, 1]) / full_h
    # a cell under 3 px may be replaced by a neighbour when matplotlib resamples
    rx = 0 if cell_w >= 3 else math.ceil(1 / cell_w) + 1
    ry = 0 if cell_h >= 3 else math.ceil(1 / cell_h) + 1
    background = np.array(mcolors.to_rgb(ax.get_facecolor())) * 255
    idx = {(0, 0), (h - 1, w - 1), (0, w - 1), (h - 1, 0)}
    for _ in range(samples):
        idx.add((int(rng.integers(h)), int(rng.integers(w))))
    checked = 0
    for i, j in sorted(idx):
        xd, yd = ax.transData.transform((j * f + (f - 1) / 2, i * f + (f - 1) / 2))
        if not (bbox.x0 + 2 < xd < bbox.x1 - 2 and bbox.y0 + 2 < yd < bbox.y1 - 2):
            continue  # the spines are drawn over the image's outer pixels
        checked += 1
        row, col = int(math.floor(h_px - yd)), int(math.floor(xd))
        pixel = pixels[row, col]
        near = data[max(0, i - ry): i + ry + 1, max(0, j - rx): j + rx + 1]
        allowed = np.concatenate([allowed_colours(float(v), data.dtype, scale, background)
                                  for v in np.unique(near)])
        assert colour_ok(pixel, allowed), (
            f"cell ({i}, {j}) = {data[i, j]!r} drawn at pixel ({row}, {col}) as {pixel}; "
            f"expected one of {np.unique(allowed, axis=0).tolist()} "
            f"(scale {scale.vmin}..{scale.vmax}, {scale.norm_name}, {scale.cmap.name})"
        )
    return checked


def _cached_figure(tag: str, grid: bool) -> Any:
    from figwriter.render import mpl as _mpl

    for key, fig in list(_mpl._CACHE._items.items()):
        if (key[0] == "grid" and key[1] == tag) if grid else key[0] == tag:
            return fig
    raise AssertionError(f"no cached matplotlib figure for tag {tag!r}")


def check_matplotlib_picture(event: ImageEvent, tag: str, panels: list[np.ndarray],
                             scales: list[Scale], grid: bool,
                             rng: np.random.Generator) -> int:
    fig = _cached_figure(tag, grid)
    width, height = fig.canvas.get_width_height()
    assert (event.height, event.width) == (height, width)
    pixels = event.pixels
    axes = fig.axes if grid else [fig.ax]
    checked = 0
    for i, (ax, data) in enumerate(zip(axes, panels)):
        scale = scales[0] if len(scales) == 1 else scales[i]
        checked += check_cells_in_axes(pixels, ax, data, scale, rng,
                                       samples=40 if not grid else 12)
    return checked


def check_fast_cells(pixels: np.ndarray, image: Any, up: int, down: int, data: np.ndarray,
                     scale: Scale, rng: np.random.Generator, samples: int) -> int:
    """Sampled shown cells of the fast renderer: ``up x up`` blocks of pixels, each the
    colour of the mean of a ``down x down`` block of data cells (bad if any is not finite)."""
    h, w = data.shape
    rows, cols = -(-h // down), -(-w // down)
    assert (image.height, image.width) == (rows * up, cols * up)
    white = np.array([255.0, 255.0, 255.0])
    idx = {(0, 0), (rows - 1, cols - 1), (0, cols - 1), (rows - 1, 0)}
    for _ in range(samples):
        idx.add((int(rng.integers(rows)), int(rng.integers(cols))))
    for r, c in sorted(idx):
        raw = data[r * down:(r + 1) * down, c * down:(c + 1) * down]
        with np.errstate(all="ignore"):  # in the data's dtype: rows first, then columns
            rows = raw[0].copy()
            for row in raw[1:]:
                rows += row
            in_dtype = rows[0]
            for v in rows[1:]:
                in_dtype += v
        block = raw.astype(np.float64)
        mean = float(block.mean()) if np.isfinite(block).all() else math.nan
        allowed = allowed_colours(mean, data.dtype, scale, white)
        if not np.isfinite(in_dtype):  # the sum overflows the data's dtype: bad
            allowed = np.concatenate([allowed, allowed_colours(math.nan, data.dtype, scale,
                                                               white)])
        y, x = image.y + r * up + up // 2, image.x + c * up + up // 2
        pixel = pixels[y, x]
        assert colour_ok(pixel, allowed), (
            f"shown cell ({r}, {c}) (mean {mean!r} of {down}x{down}) at pixel ({y}, {x}) is "
            f"{pixel}; expected one of {np.unique(allowed, axis=0).tolist()} "
            f"(scale {scale.vmin}..{scale.vmax}, {scale.norm_name}, {scale.cmap.name})"
        )
    return len(idx)


def check_fast_picture(event: ImageEvent, tag: str, panels: list[np.ndarray],
                       scales: list[Scale], kw: dict[str, Any], batch: bool,
                       rng: np.random.Generator) -> int:
    """The fast renderer's picture, checked against the layout its module exposes."""
    from figwriter.render.fast import grid_layout_for, layout_for

    max_size = kw.get("max_size", 512)
    label = kw.get("label") is not None
    if not batch:
        layout = layout_for(tag, panels[0].shape, title=kw.get("title") is not None,
                            label=label, max_size=max_size)
        places = [(layout.image, layout.up, layout.down)]
    else:
        titles = kw.get("titles")
        grid = grid_layout_for(
            tag, [p.shape for p in panels], ncols=kw.get("ncols"),
            titles=titles is not None and any(t is not None for t in titles), label=label,
            shared=len(scales) == 1, max_size=max_size)
        layout = grid
        places = [(p.image, p.up, p.down) for p in grid.panels]
    assert (event.height, event.width) == (layout.height, layout.width)
    checked = 0
    for i, ((image, up, down), data) in enumerate(zip(places, panels)):
        scale = scales[0] if len(scales) == 1 else scales[i]
        checked += check_fast_cells(event.pixels, image, up, down, data, scale, rng,
                                    samples=40 if not batch else 12)
    return checked


def matplotlib_may_overflow(call: Call, kw: dict[str, Any]) -> bool:
    """Inputs on which matplotlib's own Normalize overflows inside the matplotlib renderer.

    ``imshow`` normalises float32 data in float32 (and float64 data in float64):
    ``value - vmin`` overflows for float32 data or limits beyond about 1e38, and for
    float64 data beyond the drawable window (1e300). The colours stay right (the
    overflow lands in the over/under colour, as under ``imshow``); the renderer
    silences the RuntimeWarning (``test_warnings.py``), and the cells of such
    pictures are not checked.
    """
    biggest = max([abs(v) for k, v in kw.items()
                   if k in ("vmin", "vmax", "center") and isinstance(v, float)
                   and math.isfinite(v)], default=0.0)
    small = False  # float16/float32 data is normalised in float32
    for raw in call.panels_hw():  # a batch's limits may come from another panel
        small |= np.dtype(raw.dtype).kind == "f" and np.dtype(raw.dtype).itemsize <= 4
        p = reference_float64(raw)
        finite = np.abs(p[np.isfinite(p)])
        biggest = max(biggest, float(finite.max()) if finite.size else 0.0)
    return biggest > (1e37 if small else 1e299)


# -- the session: one writer across all examples of a property ------------------------
@dataclass
class Session:
    logdir: str
    writer: FigureSummaryWriter = field(init=False)
    expected: dict[str, int] = field(default_factory=dict)  # tag -> step
    calls: int = 0
    refused: int = 0
    cells: int = 0
    known_overflow: int = 0
    _cells_checkable: bool = True
    rng: np.random.Generator = field(default_factory=lambda: np.random.default_rng(6))

    def __post_init__(self) -> None:
        self.writer = FigureSummaryWriter(self.logdir)

    def check_all_events(self) -> dict[str, list[ImageEvent]]:
        self.writer.flush()
        images = read_images(self.logdir)
        assert {t: [e.step for e in evs] for t, evs in images.items()} == {
            t: [s] for t, s in self.expected.items()
        }
        return images

    def run(self, call: Call, renderer: str | None, batch: bool) -> None:
        tag = f"p{self.calls}/{'batch' if batch else 'image'}"
        self.calls += 1
        kw = dict(call.kwargs)
        if renderer is not None and "renderer" not in call.invalid:
            kw["renderer"] = renderer
        values = call.values()
        method = self.writer.add_colormapped_images if batch else self.writer.add_colormapped_image
        known_overflow = kw.get("renderer") == "matplotlib" and matplotlib_may_overflow(call, kw)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # no call may warn, extreme values included
                method(tag, values, self.calls, dataformats=call.dataformats, **kw)
            self.known_overflow += known_overflow
            # where matplotlib's own float32 arithmetic overflows (silently: the
            # renderer draws under np.errstate), its colours are its own
            self._cells_checkable = not known_overflow
        except (ValueError, TypeError) as err:
            self.refused += 1
            self._check_refusal(err, call, kw, batch)
            self.check_all_events()
            return
        assert not call.invalid, f"accepted invalid {sorted(call.invalid)}: {kw}"
        self.expected[tag] = self.calls
        images = self.check_all_events()
        (event,) = images[tag.replace("/", "/")]
        self._check_picture(event, tag, call, kw, batch)

    def _check_refusal(self, err: BaseException, call: Call, kw: dict[str, Any],
                       batch: bool) -> None:
        if call.invalid:
            assert names_argument(err, call.invalid), (
                f"{type(err).__name__}: {err}\n does not name any of {sorted(call.invalid)}"
            )
            return
        assert names_argument(err, call.may_refuse), (
            f"valid call refused with {type(err).__name__}: {err}\n(kwargs {kw})"
        )
        if names_argument(err, {"values"}) and "values" in call.may_refuse:
            # only a log norm over data without one positive finite value
            panels = [reference_float64(p) for p in call.panels_hw()]
            positive = [bool(np.any(np.isfinite(p) & (p > 0))) for p in panels]
            shared = kw.get("shared_scale", True) or not batch
            assert not (all(positive) if not shared else any(positive)), str(err)

    def _check_picture(self, event: ImageEvent, tag: str, call: Call, kw: dict[str, Any],
                       batch: bool) -> None:
        pixels = event.pixels
        assert pixels.shape == (event.height, event.width, 3)
        assert max(event.height, event.width) <= MAX_PICTURE_SIDE
        values = call.values()
        if batch:
            panels = _convert.to_batch(values, call.dataformats)
        else:
            panels = [_convert.to_2d(values, call.dataformats)]
        for got, raw in zip(panels, call.panels_hw()):
            np.testing.assert_array_equal(got.astype(np.float64), reference_float64(raw))
        # the expected scale comes from numpy and matplotlib, not from figwriter
        if batch and not kw.get("shared_scale", True):
            scales = [expected_scale([p], kw) for p in panels]
        else:
            scales = [expected_scale(panels, kw)]
        if kw["renderer"] == "matplotlib" and not self._cells_checkable:
            return
        if kw["renderer"] == "matplotlib":
            self.cells += check_matplotlib_picture(event, tag, panels, scales, batch, self.rng)
        else:
            self.cells += check_fast_picture(event, tag, panels, scales, kw, batch, self.rng)

    def finish(self) -> None:
        # the writer still works after everything it was given
        self.writer.add_colormapped_image("final", np.eye(3), 0, renderer="matplotlib")
        self.expected["final"] = 0
        self.check_all_events()
        self.writer.close()


def _report(session: Session, capsys_disabled: Any, label: str) -> None:
    with capsys_disabled():
        print(f"\n[{label}] calls={session.calls} written={len(session.expected)} "
              f"refused={session.refused} cells checked={session.cells} "
              f"(matplotlib-overflow cases, colours not checked: {session.known_overflow})")


# -- the properties ---------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("renderer", RENDERERS)
def test_any_array_and_options_give_a_correct_picture_or_a_clear_error(
        renderer, tmp_path, capsys):
    session = Session(str(tmp_path / "run"))

    @examples(70)
    @given(call=image_calls())
    def prop(call: Call) -> None:
        note(repr(call))
        session.run(call, renderer, batch=False)

    prop()
    session.finish()
    _report(session, capsys.disabled, f"image/{renderer}")
    assert session.calls - session.refused >= 20  # most calls are valid


@pytest.mark.slow
@pytest.mark.parametrize("renderer", RENDERERS)
def test_large_arrays_give_a_correct_picture(renderer, tmp_path, capsys):
    session = Session(str(tmp_path / "run"))

    @examples(4)
    @given(call=image_calls(large=True))
    def prop(call: Call) -> None:
        note(repr(call))
        session.run(call, renderer, batch=False)

    prop()
    session.finish()
    _report(session, capsys.disabled, f"large/{renderer}")


@pytest.mark.slow
@pytest.mark.parametrize("renderer", RENDERERS)
def test_any_batch_gives_a_correct_grid_or_a_clear_error(renderer, tmp_path, capsys):
    session = Session(str(tmp_path / "run"))

    @examples(25)
    @given(call=batch_calls())
    def prop(call: Call) -> None:
        note(repr(call))
        session.run(call, renderer, batch=True)

    prop()
    session.finish()
    _report(session, capsys.disabled, f"batch/{renderer}")


@st.composite
def _figures(draw: Any) -> tuple[list[tuple[float, float, float]], bool, float | None]:
    n = draw(st.integers(1, 3))
    size = (draw(st.floats(0.2, 12.0)), draw(st.floats(0.2, 12.0)), draw(st.sampled_from(
        [20.0, 50.0, 72.0, 100.0, 300.0])))
    as_list = n > 1 or draw(st.booleans())
    dpi = draw(st.sampled_from([None, None, 10, 64.5, 200, 1000, 0, -3, float("nan"), "96"]))
    return [size] * n, as_list, dpi


@pytest.mark.slow
def test_any_figure_gives_its_own_pixels_or_a_clear_error(tmp_path):
    session = Session(str(tmp_path / "run"))
    drawn = 0

    @examples(25)
    @given(case=_figures())
    def prop(case: tuple[list[tuple[float, float, float]], bool, float | None]) -> None:
        nonlocal drawn
        sizes, as_list, dpi = case
        figures = []
        for w, h, fig_dpi in sizes:
            fig = Figure(figsize=(w, h), dpi=fig_dpi)
            fig.patch.set_facecolor("#205080")
            figures.append(fig)
        tag = f"fig{session.calls}"
        session.calls += 1
        w_in, h_in, fig_dpi = sizes[0]
        d = fig_dpi if dpi is None else dpi
        try:
            session.writer.add_figure_png(tag, figures if as_list else figures[0],
                                          session.calls, dpi=dpi)
        except (ValueError, TypeError) as err:
            session.refused += 1
            assert names_argument(err, {"dpi", "figure", "figure[0]"}), str(err)
            if isinstance(d, (int, float)) and d > 0 and math.isfinite(d):
                # one figure over the limit, or a list whose grid (8 per row) is
                one = max(round(w_in * d), round(h_in * d))
                cols = min(len(figures), 8) if as_list else 1
                rows = -(-len(figures) // cols) if as_list else 1
                grid = max(cols * round(w_in * d), rows * round(h_in * d))
                assert max(one, grid) > MAX_PICTURE_SIDE
            session.check_all_events()
            return
        session.expected[tag] = session.calls
        (event,) = session.check_all_events()[tag]
        assert max(event.width, event.height) <= MAX_PICTURE_SIDE
        one_w, one_h = int(w_in * d), int(h_in * d)  # Agg truncates
        ncols = min(len(figures), 8)
        assert (event.width, event.height) == (one_w * ncols, one_h)
        assert np.all(event.pixels == (0x20, 0x50, 0x80))
        drawn += 1

    prop()
    session.finish()
    assert drawn >= 5


# -- the edges the properties found, by value ---------------------------------------------
F64_MAX = float(np.finfo(np.float64).max)


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize(
    ("values", "kwargs", "limits", "extend"),
    [
        ([[-F64_MAX, F64_MAX, 0.0]], {}, (-1e300, 1e300), "both"),
        ([[0.0, F64_MAX]], {}, (0.0, 1e300), "max"),
        ([[5e-324, 1e-300, 1.0]], {"norm": "log"}, (1e-100, 1.0), "min"),
        ([[F64_MAX, F64_MAX]], {}, (9e299, 1e300), "max"),
        ([[-F64_MAX, 1.0, F64_MAX]], {"robust": True}, (-9.6e299, 9.6e299), "both"),
    ],
    ids=["both-ends", "top", "log-subnormal", "constant-huge", "robust"],
)
def test_values_near_the_float_limits_are_drawn_clipped_to_a_drawable_scale(
        renderer, values, kwargs, limits, extend, logdir):
    scale = _scale.resolve_scale([np.asarray(values, np.float64)], **kwargs)
    assert (scale.vmin, scale.vmax) == pytest.approx(limits)
    assert scale.extend == extend
    oracle = expected_scale([np.asarray(values, np.float64)], kwargs)
    assert (oracle.vmin, oracle.vmax) == pytest.approx(limits)
    with FigureSummaryWriter(logdir) as writer, warnings.catch_warnings():
        if renderer == "matplotlib":  # known: see matplotlib_may_overflow
            warnings.filterwarnings("ignore", "overflow encountered", RuntimeWarning)
        writer.add_colormapped_image("edge", np.asarray(values), 0, renderer=renderer,
                                     **kwargs)
    (event,) = read_images(logdir)["edge"]
    assert event.pixels.shape == (event.height, event.width, 3)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"vmin": 1e301}, "vmin"),
        ({"vmax": -1e305}, "vmax"),
        ({"center": 1e308}, "center"),
        ({"norm": "log", "vmin": 1e-200}, "vmin"),
        ({"norm": "log", "vmax": -1.0}, "vmax"),
        ({"norm": "log", "vmax": 0.0}, "vmax"),
    ],
)
def test_limits_beyond_a_drawable_scale_are_refused_by_name(kwargs, name, logdir):
    with FigureSummaryWriter(logdir) as writer:
        with pytest.raises(ValueError, match=rf"^{name} must be"):
            writer.add_colormapped_image("edge", [[1.0, 2.0]], 0, **kwargs)
        writer.add_colormapped_image("after", [[1.0, 2.0]], 0)
    assert sorted(read_images(logdir)) == ["after"]


def test_a_norm_instance_that_cannot_draw_its_bar_is_refused_by_name(logdir):
    import matplotlib.colors as mcolors

    with FigureSummaryWriter(logdir) as writer:
        with pytest.raises(ValueError, match=r"^norm=SymLogNorm cannot draw a colour bar"):
            writer.add_colormapped_image("edge", [[-F64_MAX, F64_MAX]], 0,
                                         norm=mcolors.SymLogNorm(linthresh=0.1))
