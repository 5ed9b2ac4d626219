"""The writer end to end: what add_figure_png and add_colormapped_image write.

Everything is read back from the event files with tensorboard's own reader and
decoded with Pillow; references are drawn with matplotlib itself.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pytest
from matplotlib import colormaps
from matplotlib import colors as mcolors
from matplotlib.backend_bases import FigureCanvasBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from figwriter import FigureSummaryWriter
from figwriter._cache import BoundedCache
from figwriter._mixin import FigureMethods
from figwriter._png import encode_png
from figwriter.render import mpl as _mpl

from ._readback import read_image_protos, read_images
from ._requires import import_torch

# -- helpers ----------------------------------------------------------------------------
#: For tests of the picture alone: both writer classes render through the same
#: FigureMethods code and differ only in how the PNG is written, which the other
#: tests cover for each class; these run once, with the tensorboardX writer.
one_writer_class = pytest.mark.parametrize("writer_cls", [FigureSummaryWriter],
                                           ids=["tensorboardX"])


@pytest.fixture(autouse=True)
def _fresh_figure_cache(monkeypatch):
    """Every test starts with no reusable figures; reuse is tested where it is meant."""
    monkeypatch.setattr(_mpl, "_CACHE", BoundedCache("test.figures", 16, register=False))


@pytest.fixture(params=["matplotlib", "fast"])
def renderer(request) -> str:
    """Both renderers, for behaviour that does not depend on the drawing."""
    return request.param


def _parent_cls(writer_cls: type) -> type:
    """The SummaryWriter class a figwriter writer class extends."""
    return next(
        c for c in writer_cls.__mro__[1:]
        if not issubclass(c, FigureMethods) and hasattr(c, "add_figure")
    )


def _written(writer, logdir) -> dict:
    writer.flush()
    return read_images(logdir)


def _picture(writer, logdir, tag: str, index: int = -1) -> np.ndarray:
    return _written(writer, logdir)[tag][index].pixels


def _make_figure(seed: int = 0, size=(3.0, 2.0), dpi: float = 50) -> Figure:
    """The same figure every time for the same arguments."""
    rng = np.random.default_rng(seed)
    fig = Figure(figsize=size, dpi=dpi)
    ax = fig.subplots()
    ax.plot(rng.normal(size=20).cumsum(), color="C1")
    ax.set_title(f"run {seed}")
    ax.set_xlabel("step")
    return fig


def _tiny_figure(index: int) -> Figure:
    """A small, cheap figure that differs from its neighbours in a list."""
    fig = Figure(figsize=(0.6, 0.5), dpi=40)
    fig.patch.set_facecolor((index % 3 / 2, index % 5 / 4, 0.5))
    ax = fig.add_axes((0.1, 0.1, 0.8, 0.8))
    ax.set_axis_off()
    ax.plot([0, 1], [index % 4, 3 - index % 4])
    return fig


def _agg_rgb(fig: Figure) -> np.ndarray:
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[:, :, :3].copy()


def _colorbar_layout(shape: tuple[int, int]):
    """Figure size and axes rectangles (inches) of the matplotlib renderer's layout.

    The renderer's documented layout: the image's longer side is FIG_SIZE minus
    the colour bar allowance (at least one inch each way), fixed margins for tick
    labels and title, the bar beside the image.
    """
    c = _mpl._ColorbarFigure
    h, w = shape
    longest = _mpl.FIG_SIZE - _mpl._BAR_ALLOWANCE
    img_w, img_h = (longest, longest * h / w) if w >= h else (longest * w / h, longest)
    img_w, img_h = max(img_w, 1.0), max(img_h, 1.0)
    fw = c.LEFT + img_w + c.GAP + c.BAR + c.BAR_TEXT
    fh = c.BOTTOM + img_h + c.TOP_TITLE
    image_rect = (c.LEFT, c.BOTTOM, img_w, img_h)
    bar_rect = (c.LEFT + img_w + c.GAP, c.BOTTOM, c.BAR, img_h)
    return (fw, fh), image_rect, bar_rect


def _reference(data, *, title=None, label=None, extend="neither", **imshow_kwargs):
    """imshow + colorbar drawn by hand on a fresh Figure, as RGB pixels."""
    data = np.asanyarray(data, dtype=float)
    (fw, fh), (ix, iy, iw, ih), (bx, by, bw, bh) = _colorbar_layout(data.shape)
    fig = Figure(figsize=(fw, fh), dpi=_mpl.FIG_DPI)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((ix / fw, iy / fh, iw / fw, ih / fh))
    cax = fig.add_axes((bx / fw, by / fh, bw / fw, bh / fh))
    shown = data if np.ma.isMaskedArray(data) else np.ma.masked_invalid(data)
    im = ax.imshow(shown, interpolation="nearest", aspect="auto", **imshow_kwargs)
    bar = fig.colorbar(im, cax=cax, extend=extend)
    if title is not None:
        ax.set_title(title)
    if label is not None:
        bar.set_label(label)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[:, :, :3].copy()


def _cell_centre(shape, i, j) -> tuple[int, int]:
    """(row, column) of the pixel at the centre of data cell (i, j) in the picture."""
    (fw, fh), (ix, iy, iw, ih), _ = _colorbar_layout(shape)
    dpi = _mpl.FIG_DPI
    h, w = shape
    x = (ix + (j + 0.5) * iw / w) * dpi
    y_top = (fh - iy - ih + (i + 0.5) * ih / h) * dpi
    return int(y_top), int(x)


def _assert_same_picture(got: np.ndarray, expected: np.ndarray) -> None:
    assert got.shape == expected.shape
    differ = np.any(got != expected, axis=-1)
    assert not differ.any(), f"{differ.sum()} pixels differ, first at {np.argwhere(differ)[0]}"


# -- add_figure_png ---------------------------------------------------------------------
def test_figure_pixels_equal_the_parents_add_figure(writer_cls, tmp_path):
    ours, theirs = str(tmp_path / "ours"), str(tmp_path / "theirs")
    tag = "loss curve/val (ema)"  # cleaned into a valid tag name the same way
    with writer_cls(ours) as w:
        w.add_figure_png(tag, _make_figure(1), global_step=2)
    with _parent_cls(writer_cls)(theirs) as w:
        w.add_figure(tag, _make_figure(1), global_step=2)
    assert list(read_images(ours)) == list(read_images(theirs))
    (mine,) = next(iter(read_images(ours).values()))
    (parent,) = next(iter(read_images(theirs).values()))
    assert (mine.width, mine.height) == (parent.width, parent.height) == (150, 100)
    assert mine.step == parent.step == 2
    _assert_same_picture(mine.pixels, parent.pixels)


def test_figure_bytes_are_one_encode_of_the_agg_pixels(writer, logdir):
    writer.add_figure_png("fig", _make_figure(3), global_step=0)
    writer.flush()
    ((tag, step, _, proto),) = read_image_protos(logdir)
    expected_rgb = _agg_rgb(_make_figure(3))
    assert (tag, step) == ("fig", 0)
    assert proto.encoded_image_string == encode_png(expected_rgb)
    assert (proto.height, proto.width, proto.colorspace) == (100, 150, 3)
    (event,) = read_images(logdir)["fig"]
    _assert_same_picture(event.pixels, expected_rgb)


class _CometRecorder:
    def __init__(self):
        self.images = []

    def log_image_encoded(self, png, tag, step=None):
        self.images.append((png, tag, step))

    def end(self):  # called by the parent's close()
        pass


def test_pictures_reach_the_parents_comet_hook(logdir, monkeypatch, field):
    writer = FigureSummaryWriter(logdir)
    recorder = _CometRecorder()
    monkeypatch.setattr(writer, "_get_comet_logger", lambda: recorder)
    writer.add_figure_png("fig", _make_figure(), 3)
    writer.add_colormapped_image("img", field, 4, renderer="matplotlib")
    writer.close()
    written = read_images(logdir)
    assert recorder.images == [
        (written["fig"][0].png, "fig", 3),
        (written["img"][0].png, "img", 4),
    ]


def test_figure_png_is_deterministic(writer, logdir):
    fig = _make_figure(4)
    writer.add_figure_png("fig", fig, global_step=0, close=False)
    writer.add_figure_png("fig", fig, global_step=1, close=False)
    writer.add_figure_png("fig", _make_figure(4), global_step=2)
    first, second, third = _written(writer, logdir)["fig"]
    assert first.png == second.png == third.png


def test_figure_global_step_and_walltime(writer, logdir):
    before = time.time()
    writer.add_figure_png("fig", _make_figure(), global_step=7, walltime=1234.5)
    writer.add_figure_png("fig", _make_figure(), global_step=np.int64(8))
    writer.add_figure_png("fig", _make_figure())
    after = time.time()
    events = _written(writer, logdir)["fig"]
    assert [e.step for e in events] == [7, 8, 0]
    assert events[0].wall_time == 1234.5
    assert all(before <= e.wall_time <= after for e in events[1:])


def test_use_metadata_defaults_are_honoured(writer, logdir, renderer):
    if not hasattr(writer, "use_metadata"):
        pytest.skip("this parent writer has no use_metadata()")
    with writer.use_metadata(global_step=11, walltime=50.0):
        writer.add_figure_png("fig", _make_figure())
        writer.add_colormapped_image("img", np.eye(3), renderer=renderer)
        writer.add_figure_png("fig", _make_figure(), global_step=12, walltime=60.0)
        writer.add_scalar("loss", 1.0)
    written = _written(writer, logdir)
    assert [(e.step, e.wall_time) for e in written["fig"]] == [(11, 50.0), (12, 60.0)]
    assert [(e.step, e.wall_time) for e in written["img"]] == [(11, 50.0)]


def test_close_true_closes_a_pyplot_figure_and_false_leaves_it(writer, logdir):
    import matplotlib.pyplot as plt
    keep = plt.figure(figsize=(2, 2), dpi=30)
    keep.gca().plot([1, 2])
    gone = plt.figure(figsize=(2, 2), dpi=30)
    gone.gca().plot([2, 1])
    writer.add_figure_png("keep", keep, close=False)
    assert plt.fignum_exists(keep.number)
    writer.add_figure_png("gone", gone)  # close=True is the default
    assert not plt.fignum_exists(gone.number)
    assert plt.fignum_exists(keep.number)
    written = _written(writer, logdir)
    assert written["keep"][0].pixels.shape == written["gone"][0].pixels.shape == (60, 60, 3)


def test_close_on_a_figure_pyplot_never_saw_changes_nothing(writer, logdir):
    import matplotlib.pyplot as plt
    other = plt.figure()
    fig = _make_figure()
    writer.add_figure_png("fig", fig, close=True)
    assert plt.get_fignums() == [other.number]
    # the figure is still drawable and gives the same picture again
    writer.add_figure_png("fig", fig)
    first, second = _written(writer, logdir)["fig"]
    assert first.png == second.png


class _InteractiveCanvas(FigureCanvasBase):
    """Stands in for a GUI or notebook canvas: not Agg, counts draw requests."""

    def __init__(self, figure):
        super().__init__(figure)
        self.draw_requests = 0

    def draw_idle(self, *args, **kwargs):
        self.draw_requests += 1


def test_figure_keeps_its_own_canvas(writer, logdir):
    fig = _make_figure(5)
    canvas = _InteractiveCanvas(fig)
    assert fig.canvas is canvas
    writer.add_figure_png("fig", fig, close=False)
    assert fig.canvas is canvas
    assert canvas.figure is fig
    writer.add_figure_png("fig", fig, close=False, dpi=80)
    assert fig.canvas is canvas
    # still usable: changes reach the figure's own canvas
    fig.axes[0].set_title("changed")
    fig.canvas.draw_idle()
    assert canvas.draw_requests >= 1
    _assert_same_picture(_written(writer, logdir)["fig"][0].pixels, _agg_rgb(_make_figure(5)))


def test_pyplot_figure_keeps_its_canvas_and_manager(writer):
    import matplotlib.pyplot as plt
    fig = plt.figure(figsize=(2, 2), dpi=30)
    canvas, manager = fig.canvas, fig.canvas.manager
    writer.add_figure_png("fig", fig, close=False, dpi=60)
    assert fig.canvas is canvas and fig.canvas.manager is manager
    assert plt.fignum_exists(fig.number)
    assert tuple(fig.get_size_inches()) == (2.0, 2.0) and fig.dpi == 30


@pytest.mark.parametrize("count", [3, 9])
def test_list_of_figures_is_one_grid_like_the_parent(writer_cls, tmp_path, count):
    ours, theirs = str(tmp_path / "ours"), str(tmp_path / "theirs")
    figs = [_tiny_figure(i) for i in range(count)]
    twins = [_tiny_figure(i) for i in range(count)]
    with writer_cls(ours) as w:
        w.add_figure_png("grid", figs, global_step=1)
    with _parent_cls(writer_cls)(theirs) as w:
        w.add_figure("grid", twins, global_step=1)
    (mine,) = read_images(ours)["grid"]
    (parent,) = read_images(theirs)["grid"]
    rows = -(-count // 8)
    assert mine.pixels.shape == (20 * rows, 24 * min(count, 8), 3)
    _assert_same_picture(mine.pixels, parent.pixels)


def test_single_figure_list_is_a_one_cell_grid(writer, logdir):
    writer.add_figure_png("one", [_make_figure(2)])
    _assert_same_picture(_picture(writer, logdir, "one"), _agg_rgb(_make_figure(2)))


def test_dpi_override_for_this_picture_only(writer, logdir):
    fig = _make_figure(6, dpi=50)
    writer.add_figure_png("fig", fig, global_step=0, close=False, dpi=100)
    assert fig.dpi == 50
    assert tuple(fig.get_size_inches()) == (3.0, 2.0)
    writer.add_figure_png("fig", fig, global_step=1, close=False)
    writer.add_figure_png("fig", fig, global_step=2, close=False, dpi=np.float32(25))
    big, normal, small = _written(writer, logdir)["fig"]
    assert (big.width, big.height) == (300, 200)
    assert (normal.width, normal.height) == (150, 100)
    assert (small.width, small.height) == (75, 50)
    # the same pixels as the figure made at that dpi in the first place
    _assert_same_picture(big.pixels, _agg_rgb(_make_figure(6, dpi=100)))
    _assert_same_picture(normal.pixels, _agg_rgb(_make_figure(6, dpi=50)))
    assert fig.dpi == 50


def test_dpi_override_applies_to_every_figure_of_a_list(writer, logdir):
    figs = [_make_figure(i, size=(1.0, 1.0), dpi=30) for i in range(2)]
    writer.add_figure_png("grid", figs, dpi=60, close=False)
    assert [f.dpi for f in figs] == [30, 30]
    assert _picture(writer, logdir, "grid").shape == (60, 120, 3)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda w, f: w.add_figure_png("t", "figure"), TypeError,
         r"figure must be a matplotlib.figure.Figure; got str"),
        (lambda w, f: w.add_figure_png("t", None), TypeError,
         r"figure must be a matplotlib.figure.Figure; got NoneType"),
        (lambda w, f: w.add_figure_png("t", [f, 3]), TypeError,
         r"figure\[1\] must be a matplotlib.figure.Figure; got int"),
        (lambda w, f: w.add_figure_png("t", []), ValueError,
         r"figure must be a Figure or a non-empty list of Figures; got \[\]"),
        (lambda w, f: w.add_figure_png("t", f, dpi="100"), TypeError,
         r"dpi must be a number or None; got str"),
        (lambda w, f: w.add_figure_png("t", f, dpi=True), TypeError,
         r"dpi must be a number or None; got bool"),
        (lambda w, f: w.add_figure_png("t", f, dpi=0), ValueError,
         r"dpi must be a positive finite number; got 0"),
        (lambda w, f: w.add_figure_png("t", f, dpi=float("nan")), ValueError,
         r"dpi must be a positive finite number; got nan"),
        (lambda w, f: w.add_figure_png("t", f, dpi=-5.0), ValueError,
         r"dpi must be a positive finite number; got -5.0"),
        (lambda w, f: w.add_figure_png("t", f, dpi=5000), ValueError,
         r"figure would draw to 15000x10000 pixels; TensorBoard pictures are limited to "
         r"4096 pixels on a side: pass a smaller dpi= \(at most 1365 for this figure\)"),
        (lambda w, f: w.add_figure_png("t", [f, _make_figure(size=(2, 2))]), ValueError,
         r"figure: every figure in a list must draw to the same size; got 150x100, 100x100"),
        (lambda w, f: w.add_figure_png(3, f), TypeError, r"tag must be a str; got int"),
        (lambda w, f: w.add_figure_png("", f), ValueError, r"tag must be a non-empty str"),
    ],
)
def test_figure_errors(writer, logdir, call, error, match):
    fig = _make_figure()
    with pytest.raises(error, match=match):
        call(writer, fig)
    writer.flush()
    assert read_image_protos(logdir) == []  # nothing written


def test_figure_errors_leave_the_writer_usable(writer, logdir):
    fig = _make_figure()
    writer.add_figure_png("fig", fig, 0, close=False)
    with pytest.raises(TypeError, match="figure"):
        writer.add_figure_png("fig", [fig, "not a figure"], 1)
    with pytest.raises(ValueError, match="same size"):
        writer.add_figure_png("fig", [fig, _make_figure(size=(2, 2))], 2, close=False)
    with pytest.raises(ValueError, match="dpi"):
        writer.add_figure_png("fig", fig, 3, dpi=-1)
    writer.add_figure_png("fig", fig, 4)
    writer.close()
    events = read_images(logdir)["fig"]
    assert [e.step for e in events] == [0, 4]
    assert events[0].png == events[1].png


# -- add_colormapped_image: the matplotlib renderer against matplotlib -------------------
@pytest.fixture
def field(rng) -> np.ndarray:
    y, x = np.mgrid[0:20, 0:30]
    return np.sin(x / 4.0) * np.cos(y / 3.0) + 0.1 * rng.normal(size=(20, 30))


def _log_mpl(writer, logdir, data, tag="img", **kwargs) -> np.ndarray:
    writer.add_colormapped_image(tag, data, renderer="matplotlib", **kwargs)
    return _picture(writer, logdir, tag)


@one_writer_class
def test_matplotlib_renderer_equals_imshow_and_colorbar_by_hand(writer, logdir, field):
    _assert_same_picture(_log_mpl(writer, logdir, field), _reference(field, cmap="viridis"))


@one_writer_class
def test_matplotlib_renderer_title_label_and_cmap(writer, logdir, field):
    got = _log_mpl(writer, logdir, field, cmap="magma", title="vorticity", label="1/s")
    _assert_same_picture(got, _reference(field, cmap="magma", title="vorticity", label="1/s"))


@one_writer_class
@pytest.mark.parametrize("shape", [(40, 10), (1, 50), (1, 1)])
def test_matplotlib_renderer_any_aspect(writer, logdir, rng, shape):
    data = rng.normal(size=shape)
    if data.size == 1:  # a single cell is constant data: matplotlib widens the limits
        data[:] = 2.0
    _assert_same_picture(_log_mpl(writer, logdir, data), _reference(data, cmap="viridis"))


@one_writer_class
def test_matplotlib_renderer_explicit_limits_with_extension(writer, logdir, field):
    got = _log_mpl(writer, logdir, field, vmin=-0.5, vmax=0.25)
    _assert_same_picture(got, _reference(field, vmin=-0.5, vmax=0.25, extend="both"))
    got = _log_mpl(writer, logdir, field, tag="lo", vmin=-0.5)
    _assert_same_picture(got, _reference(field, vmin=-0.5, vmax=field.max(), extend="min"))


@one_writer_class
def test_matplotlib_renderer_robust(writer, logdir, field):
    spiky = field.copy()
    spiky[3, 4] = 50.0
    lo, hi = np.percentile(spiky, [2, 98])
    got = _log_mpl(writer, logdir, spiky, robust=True)
    _assert_same_picture(got, _reference(spiky, vmin=lo, vmax=hi, extend="both"))


@one_writer_class
def test_matplotlib_renderer_center(writer, logdir, field):
    data = field + 0.3
    r = max(data.max(), -data.min())
    got = _log_mpl(writer, logdir, data, center=0.0)
    _assert_same_picture(got, _reference(data, cmap="RdBu_r", vmin=-r, vmax=r))
    got = _log_mpl(writer, logdir, data, tag="c2", center=0.0, cmap="PuOr")
    _assert_same_picture(got, _reference(data, cmap="PuOr", vmin=-r, vmax=r))


@one_writer_class
def test_matplotlib_renderer_log_norm(writer, logdir, rng):
    data = 10.0 ** rng.uniform(-3, 2, size=(16, 24))
    data[0, :5] = 0.0  # not positive: bad under a log norm
    data[1, :5] = -1.0
    positive = data[data > 0]
    got = _log_mpl(writer, logdir, data, norm="log", label="counts")
    expected = _reference(
        data, norm=mcolors.LogNorm(vmin=positive.min(), vmax=positive.max()), label="counts"
    )
    _assert_same_picture(got, expected)


@one_writer_class
def test_matplotlib_renderer_symlog_norm(writer, logdir, field):
    data = field * 1000.0
    lim = max(abs(data.min()), abs(data.max()))
    got = _log_mpl(writer, logdir, data, norm="symlog")
    norm = mcolors.SymLogNorm(linthresh=0.01 * lim, vmin=data.min(), vmax=data.max(), base=10)
    _assert_same_picture(got, _reference(data, norm=norm))


@one_writer_class
@pytest.mark.parametrize(
    "make_norm",
    [lambda: mcolors.PowerNorm(0.5), lambda: mcolors.CenteredNorm(),
     lambda: mcolors.TwoSlopeNorm(vcenter=0.2), lambda: mcolors.Normalize(-2, 2),
     lambda: mcolors.BoundaryNorm([-1.0, 0.0, 0.5, 1.0, 2.0], 256)],
    ids=["PowerNorm", "CenteredNorm", "TwoSlopeNorm", "Normalize-with-limits", "BoundaryNorm"],
)
def test_matplotlib_renderer_normalize_instance(writer, logdir, field, make_norm):
    user = make_norm()
    limits = (user.vmin, user.vmax)
    data = field + 0.5
    got = _log_mpl(writer, logdir, data, norm=user)
    assert (user.vmin, user.vmax) == limits  # the user's norm is never modified
    _assert_same_picture(got, _reference(data, norm=make_norm()))


@one_writer_class
def test_matplotlib_renderer_nan_and_inf_cells_painted_bad(writer, logdir, field):
    data = field.copy()
    data[2:5, 3:9] = np.nan
    data[10, 10] = np.inf
    data[11, 11] = -np.inf
    cmap = colormaps["viridis"].with_extremes(bad="magenta")
    got = _log_mpl(writer, logdir, data, cmap=cmap)
    finite = data[np.isfinite(data)]
    _assert_same_picture(got, _reference(data, cmap=cmap, vmin=finite.min(), vmax=finite.max()))
    for i, j in [(3, 5), (10, 10), (11, 11)]:
        assert got[_cell_centre(data.shape, i, j)].tolist() == [255, 0, 255]
    assert got[_cell_centre(data.shape, 0, 0)].tolist() != [255, 0, 255]


@one_writer_class
def test_matplotlib_renderer_masked_array(writer, logdir, field):
    masked = np.ma.masked_greater(field, 0.5)
    cmap = colormaps["viridis"].with_extremes(bad="red")
    got = _log_mpl(writer, logdir, masked, cmap=cmap)
    _assert_same_picture(got, _reference(masked, cmap=cmap))
    i, j = np.argwhere(masked.mask)[0]
    assert got[_cell_centre(field.shape, i, j)].tolist() == [255, 0, 0]


@one_writer_class
@pytest.mark.parametrize("value", [0.0, 3.0])
def test_matplotlib_renderer_constant_array(writer, logdir, value):
    data = np.full((6, 8), value)
    _assert_same_picture(_log_mpl(writer, logdir, data), _reference(data))


@one_writer_class
def test_matplotlib_renderer_all_nan(writer, logdir):
    data = np.full((6, 8), np.nan)
    cmap = colormaps["viridis"].with_extremes(bad="magenta")
    got = _log_mpl(writer, logdir, data, cmap=cmap)
    _assert_same_picture(got, _reference(data, cmap=cmap, vmin=0.0, vmax=1.0))
    assert got[_cell_centre(data.shape, 3, 4)].tolist() == [255, 0, 255]


@one_writer_class
def test_matplotlib_renderer_reused_figure_redraws_exactly(writer, logdir, rng):
    """Calls on one tag and shape reuse a figure; each picture is still the fresh one."""
    calls = [
        (rng.normal(size=(12, 16)), {}, {}),
        (rng.normal(size=(12, 16)) * 100 + 5, {"title": "second"}, {"title": "second"}),
        (rng.normal(size=(12, 16)), {"vmin": -0.1, "vmax": 0.1, "label": "x"},
         {"vmin": -0.1, "vmax": 0.1, "label": "x", "extend": "both"}),
        (rng.normal(size=(12, 16)) + 3, {"norm": "log"}, None),
        (rng.normal(size=(12, 16)), {}, {}),
    ]
    for step, (data, kwargs, _) in enumerate(calls):
        writer.add_colormapped_image("same", data, step, renderer="matplotlib", **kwargs)
    events = _written(writer, logdir)["same"]
    assert [e.step for e in events] == list(range(len(calls)))
    for event, (data, _, ref_kwargs) in zip(events, calls):
        if ref_kwargs is None:
            ref_kwargs = {"norm": mcolors.LogNorm(data[data > 0].min(), data.max())}
        _assert_same_picture(event.pixels, _reference(data, **ref_kwargs))


#: pairs of calls on one tag and shape whose norms differ in more than their limits
_NORM_PAIRS = {
    "symlog-field-grows": (lambda: {"norm": "symlog"}, 1.0, lambda: {"norm": "symlog"}, 1000.0),
    "SymLogNorm-base": (lambda: {"norm": mcolors.SymLogNorm(1.0, base=2)}, 1.0,
                        lambda: {"norm": mcolors.SymLogNorm(1.0, base=10)}, 1.0),
    "AsinhNorm-linear_width": (lambda: {"norm": mcolors.AsinhNorm(0.1)}, 1.0,
                               lambda: {"norm": mcolors.AsinhNorm(10.0)}, 1.0),
    "FuncNorm-functions": (lambda: {"norm": mcolors.FuncNorm((np.cbrt, lambda x: x**3))}, 1.0,
                           lambda: {"norm": mcolors.FuncNorm((np.arcsinh, np.sinh))}, 1.0),
    "PowerNorm-gamma": (lambda: {"norm": mcolors.PowerNorm(0.5)}, 1.0,
                        lambda: {"norm": mcolors.PowerNorm(2.0)}, 1.0),
    "TwoSlopeNorm-vcenter": (lambda: {"norm": mcolors.TwoSlopeNorm(0.0)}, 1.0,
                             lambda: {"norm": mcolors.TwoSlopeNorm(2.0)}, 1.0),
    "cmap-same-name-other-colours": (lambda: {"cmap": "viridis"}, 1.0,
                                     lambda: {"cmap": colormaps["viridis"].resampled(5)}, 1.0),
}


@one_writer_class
@pytest.mark.parametrize("pair", list(_NORM_PAIRS))
def test_matplotlib_renderer_reused_figure_follows_norm_parameters(writer, logdir, field, pair):
    first, scale_first, second, scale_second = _NORM_PAIRS[pair]
    data = field * 5
    writer.add_colormapped_image("same", data * scale_first, 0, renderer="matplotlib",
                                 **first())
    writer.add_colormapped_image("same", data * scale_second, 1, renderer="matplotlib",
                                 **second())
    writer.add_colormapped_image("fresh", data * scale_second, 1, renderer="matplotlib",
                                 **second())
    written = _written(writer, logdir)
    _assert_same_picture(written["same"][1].pixels, written["fresh"][0].pixels)


@one_writer_class
def test_matplotlib_renderer_cache_is_bounded(writer, rng, monkeypatch):
    small = BoundedCache("test.figures", 1, register=False)
    monkeypatch.setattr(_mpl, "_CACHE", small)
    for i in range(2):
        writer.add_colormapped_image(f"tag{i}", rng.normal(size=(3, 3)), renderer="matplotlib")
    assert len(small) == 1
    assert _mpl.FIGURE_CACHE_SIZE == 16  # the real cache's bound


# -- add_colormapped_image: either renderer ---------------------------------------------
def test_colormapped_image_event(writer, logdir, field, renderer):
    before = time.time()
    writer.add_colormapped_image("a/b", field, 3, renderer=renderer)
    writer.add_colormapped_image("a/b", field, 4, 99.0, renderer=renderer)
    after = time.time()
    writer.flush()
    first, second = read_images(logdir)["a/b"]
    assert (first.step, second.step) == (3, 4)
    assert before <= first.wall_time <= after and second.wall_time == 99.0
    assert first.pixels.shape == (first.height, first.width, 3)
    assert first.png == second.png  # deterministic
    protos = read_image_protos(logdir)
    assert [p.colorspace for *_, p in protos] == [3, 3]
    assert [(p.height, p.width) for *_, p in protos] == [(first.height, first.width)] * 2
    assert protos[0][3].encoded_image_string == first.png
    assert first.png == encode_png(first.pixels)  # one encode of exactly these pixels


def test_colormapped_image_default_step_is_zero(writer, logdir, renderer):
    writer.add_colormapped_image("img", [[0, 1], [2, 3]], renderer=renderer)
    assert [e.step for e in _written(writer, logdir)["img"]] == [0]


def test_colormapped_image_paints_bad_cells_with_the_bad_colour(writer, logdir, renderer, field):
    cmap = colormaps["viridis"].with_extremes(bad=(1.0, 0.0, 1.0))
    holes = field.copy()
    holes[::3, ::4] = np.nan
    writer.add_colormapped_image("clean", field, cmap=cmap, renderer=renderer)
    writer.add_colormapped_image("holes", holes, cmap=cmap, renderer=renderer)
    writer.add_colormapped_image("empty", np.full((5, 5), np.nan), cmap=cmap, renderer=renderer)
    written = _written(writer, logdir)

    def magenta(p):
        return int(np.all(p == (255, 0, 255), axis=-1).sum())

    assert magenta(written["clean"][0].pixels) == 0
    assert magenta(written["holes"][0].pixels) > 0
    assert magenta(written["empty"][0].pixels) > magenta(written["holes"][0].pixels)


def test_constant_and_all_nan_arrays_render(writer, logdir, renderer):
    for step, value in enumerate([0.0, 7.5, -1e-3, np.nan, np.inf]):
        writer.add_colormapped_image("flat", np.full((9, 9), value), step, renderer=renderer)
    events = _written(writer, logdir)["flat"]
    assert [e.step for e in events] == [0, 1, 2, 3, 4]
    assert all(e.pixels.shape == (e.height, e.width, 3) for e in events)


def _same_field_in_every_form(field: np.ndarray):
    ints = np.round(field * 10).astype(np.int16)
    as_float = ints.astype(np.float64)

    class Wrapped:
        def __array__(self, dtype=None, copy=None):
            return ints if dtype is None else ints.astype(dtype)

    forms = {
        "float32": (ints.astype(np.float32), "HW"),
        "int16": (ints, "HW"),
        "big-endian": (ints.astype(">i4"), "HW"),
        "fortran": (np.asfortranarray(as_float), "HW"),
        "view": (np.repeat(as_float, 2, axis=1)[:, ::2], "HW"),
        "list": (ints.tolist(), "HW"),
        "masked-nothing": (np.ma.masked_array(as_float, mask=False), "HW"),
        "__array__": (Wrapped(), "HW"),
        "WH": (as_float.T.copy(), "WH"),
        "CHW": (as_float[None], "CHW"),
        "HWC": (as_float[:, :, None], "HWC"),
    }
    return as_float, forms


def _same_pictures(writer, logdir, renderer, reference, others: dict) -> None:
    """Log ``reference`` then every form in ``others`` on one tag; all pictures must match."""
    writer.add_colormapped_image("img", reference, 0, renderer=renderer)
    for step, (values, fmt) in enumerate(others.values(), start=1):
        writer.add_colormapped_image("img", values, step, dataformats=fmt, renderer=renderer)
    events = _written(writer, logdir)["img"]
    assert [e.step for e in events] == list(range(len(others) + 1))
    for name, event in zip(others, events[1:]):
        assert event.png == events[0].png, name


def test_every_input_kind_gives_the_same_picture(writer, logdir, renderer, field):
    reference, forms = _same_field_in_every_form(field)
    _same_pictures(writer, logdir, renderer, reference, forms)


def test_bool_array(writer, logdir, renderer):
    mask = np.eye(6, dtype=bool)
    _same_pictures(writer, logdir, renderer, mask.astype(float), {"bool": (mask, "HW")})


def test_masked_array_equals_nan_array(writer, logdir, renderer, field):
    masked = np.ma.masked_less(field, -0.3)
    nans = np.where(masked.mask, np.nan, field)
    _same_pictures(writer, logdir, renderer, nans, {"masked": (masked, "HW")})


def test_torch_tensors_give_the_same_picture(writer, logdir, renderer, field):
    torch = import_torch()
    exact = np.round(field * 8) / 8  # exactly representable in float16 and bfloat16
    tensors = {
        "float32": torch.tensor(exact, dtype=torch.float32),
        "requires_grad": torch.tensor(exact, dtype=torch.float32, requires_grad=True),
        "float16": torch.tensor(exact, dtype=torch.float16),
        "bfloat16": torch.tensor(exact, dtype=torch.bfloat16),
        "non_contiguous": torch.tensor(exact.T.copy()).t(),
    }
    _same_pictures(writer, logdir, renderer, exact, {k: (t, "HW") for k, t in tensors.items()})


def test_colormapped_image_does_not_modify_its_inputs(writer, renderer, field):
    data = np.ma.masked_greater(field, 0.5)
    before = (data.data.copy(), data.mask.copy())
    norm = mcolors.PowerNorm(0.5)
    cmap = colormaps["viridis"]
    bad_before = cmap.get_bad().tolist()
    writer.add_colormapped_image("img", data, norm=norm, cmap=cmap, renderer=renderer)
    np.testing.assert_array_equal(data.data, before[0])
    np.testing.assert_array_equal(data.mask, before[1])
    assert norm.vmin is None and norm.vmax is None
    assert cmap.get_bad().tolist() == bad_before


_ERRORS = [
    ({"values": np.zeros((2, 3, 4))}, ValueError,
     r"values must be 2-D for dataformats='HW'; got shape \(2, 3, 4\)"),
    ({"values": np.zeros(5)}, ValueError, r"values must be 2-D for dataformats='HW'; got shape"),
    ({"values": np.zeros((0, 4))}, ValueError, r"values must not be empty; got shape \(0, 4\)"),
    ({"values": [[]]}, ValueError, r"values must not be empty"),
    ({"values": np.ones((2, 2), complex)}, TypeError,
     r"values must be real-valued; got complex dtype complex128"),
    ({"values": [["a", "b"]]}, TypeError,
     r"values must have a real numeric or bool dtype; got dtype <U1 \(strings\)"),
    ({"values": np.array([[object(), 1]])}, TypeError,
     r"values must have a real numeric or bool dtype; got dtype object"),
    ({"values": [[1, 2], [3]]}, ValueError, r"values must be a rectangular array; got a ragged"),
    ({"values": "field"}, TypeError, r"values must be an array-like of numbers; got str"),
    ({"values": None}, TypeError, r"values must be a numpy array, .*got NoneType"),
    ({"cmap": "virdis"}, ValueError,
     r"cmap must be a registered matplotlib colormap name or a Colormap; got unknown name "
     r"'virdis'; did you mean 'viridis'"),
    ({"cmap": 5}, TypeError, r"cmap must be a colormap name \(str\) or a "),
    ({"vmin": 3, "vmax": 1}, ValueError,
     r"vmin must be less than or equal to vmax; got vmin=3.0, vmax=1.0"),
    ({"vmin": float("nan")}, ValueError, r"vmin must be finite; got nan"),
    ({"vmax": float("inf")}, ValueError, r"vmax must be finite; got inf"),
    ({"center": float("-inf")}, ValueError, r"center must be finite; got -inf"),
    ({"vmin": "0"}, TypeError, r"vmin must be a real number or None; got str"),
    ({"robust": "yes"}, TypeError, r"robust must be True or False; got str"),
    ({"norm": "logg"}, ValueError,
     r"norm must be 'linear', 'log', 'symlog' or a matplotlib.colors.Normalize; got 'logg'; "
     r"did you mean 'log'\?"),
    ({"norm": 2}, TypeError, r"norm must be 'linear', 'log', 'symlog' or a .*; got int"),
    ({"norm": "log", "values": -np.ones((3, 3))}, ValueError,
     r"values must contain at least one positive finite value for norm='log'"),
    ({"norm": "log", "vmin": 0}, ValueError, r"vmin must be positive for a log norm; got vmin=0"),
    ({"dataformats": "NCHW"}, ValueError,
     r"dataformats must be one of 'HW', 'WH', 'CHW' or 'HWC' \(one channel\); got 'NCHW'"),
    ({"dataformats": "CHW", "values": np.zeros((3, 4, 4))}, ValueError,
     r"values must have exactly one channel for dataformats='CHW'; got 3 channels"),
    ({"dataformats": ["H", "W"]}, TypeError, r"dataformats must be a str"),
    ({"title": 3}, TypeError, r"title must be a str or None; got int"),
    ({"label": b"x"}, TypeError, r"label must be a str or None; got bytes"),
    ({"renderer": "cairo"}, ValueError,
     r"renderer must be one of \('fast', 'matplotlib'\); got 'cairo'"),
    ({"tag": None}, TypeError, r"tag must be a str; got NoneType"),
    ({"tag": ""}, ValueError, r"tag must be a non-empty str"),
]


@pytest.mark.parametrize(("kwargs", "error", "match"), _ERRORS,
                         ids=[f"{i}-{k}" for i, (k, *_) in enumerate(_ERRORS)])
def test_colormapped_image_errors(writer, logdir, kwargs, error, match):
    call = {"tag": "bad", "values": np.arange(12.0).reshape(3, 4), "global_step": 1,
            "renderer": "matplotlib", **kwargs}
    with pytest.raises(error, match=match):
        writer.add_colormapped_image(**call)
    writer.flush()
    assert read_image_protos(logdir) == []  # nothing written


def test_failures_between_good_calls_leave_only_the_good_events(writer, logdir, renderer):
    writer.add_colormapped_image("img", np.eye(4), 0, renderer=renderer)
    for step, (kwargs, error, match) in enumerate(_ERRORS, start=1):
        call = {"tag": "img", "values": np.eye(4), "global_step": step, "renderer": renderer,
                **kwargs}
        with pytest.raises(error, match=match):
            writer.add_colormapped_image(**call)
    writer.add_scalar("loss", 0.5, 1)
    writer.add_colormapped_image("img", np.eye(4), 100, renderer=renderer)
    writer.close()
    events = read_images(logdir)["img"]
    assert [e.step for e in events] == [0, 100]
    assert events[0].png == events[1].png


def test_writer_is_a_context_manager_and_closes(writer_cls, logdir, field, renderer):
    with writer_cls(logdir) as w:
        w.add_colormapped_image("img", field, 1, renderer=renderer)
        w.add_figure_png("fig", _make_figure(), 1)
    written = read_images(logdir)
    assert sorted(written) == ["fig", "img"]


def test_flush_makes_everything_readable_without_closing(writer, logdir, field):
    for step in range(3):
        writer.add_colormapped_image("img", field * step, step, renderer="matplotlib")
        writer.add_figure_png("fig", _make_figure(step), step)
    writer.flush()
    written = read_images(logdir)
    assert [e.step for e in written["img"]] == [0, 1, 2]
    assert [e.step for e in written["fig"]] == [0, 1, 2]
    writer.add_figure_png("fig", _make_figure(), 3)  # still open
    assert [e.step for e in _written(writer, logdir)["fig"]] == [0, 1, 2, 3]


def test_no_pyplot_figure_is_made(writer, logdir, field, renderer):
    import matplotlib.pyplot as plt
    before = plt.get_fignums()
    writer.add_colormapped_image("img", field, renderer=renderer)
    writer.add_figure_png("fig", _make_figure())
    assert plt.get_fignums() == before
    assert "matplotlib.pyplot" in sys.modules  # imported by this test, not by figwriter
