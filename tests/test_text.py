"""Any text in titles and labels, in the font matplotlib would use, compared with matplotlib.

The fast renderer's text is checked against what matplotlib's Agg backend draws
for the same string, font settings and size: the ink of the written picture
(the pixels a string darkens, against the same picture with a blank string)
must fill the same box as matplotlib's ink within two pixels, spread the same
way over it (compared in 3x3-pixel blocks) and be about as much. CJK text uses
the WenQuanYi Micro Hei font (Debian's ``fonts-wqy-microhei``, installed by
``.ci/run``); those tests skip outside CI when it is absent and fail in CI.
"""

from __future__ import annotations

import os
import re
import warnings

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.transforms import IdentityTransform

import figwriter
from figwriter import FigureSummaryWriter
from figwriter.render.fast.text import rasterize

from ._readback import read_images

WQY = "WenQuanYi Micro Hei"
#: a character in neither DejaVu Sans nor WenQuanYi Micro Hei (U+1F9EA TEST TUBE)
ABSENT = "\U0001f9ea"
MISSING = r"Glyph \d+ \(.*\) missing from font\(s\)"


def _ensure_cjk_font() -> None:
    """Make matplotlib's font manager know WenQuanYi Micro Hei, or skip (fail in CI).

    The font manager's cache may predate the font's installation, so the font
    file is looked up and added by path when the manager does not list it.
    """
    from matplotlib import font_manager

    manager = font_manager.fontManager
    if not any(f.name == WQY for f in manager.ttflist):
        for path in font_manager.findSystemFonts():
            if os.path.basename(path).lower().startswith("wqy-microhei"):
                manager.addfont(path)
    if any(f.name == WQY for f in manager.ttflist):
        return
    reason = (f"the {WQY} font is not installed "
              "(Debian: apt-get install fonts-wqy-microhei, as .ci/run does)")
    if os.environ.get("CI"):
        pytest.fail(f"CI must test CJK text, but {reason}")
    pytest.skip(reason)


@pytest.fixture
def cjk():
    """rcParams choosing WenQuanYi Micro Hei first, for this test only."""
    _ensure_cjk_font()
    with matplotlib.rc_context({"font.sans-serif": [WQY, "DejaVu Sans"]}):
        yield


# -- what matplotlib draws, and comparing ink ----------------------------------------------------


def _points(rc_size: str) -> float:
    """The size in points of an rcParams font size ('large', 12, ...)."""
    return FontProperties(size=matplotlib.rcParams[rc_size]).get_size_in_points()


def mpl_ink(s: str, size: float, rotation: int = 0) -> np.ndarray:
    """What matplotlib's Agg backend draws for ``s``: ink coverage 0-255, (h, w)."""
    fig = Figure(figsize=(8, 4), dpi=100)
    FigureCanvasAgg(fig)
    # anchored on a whole pixel, as the fast renderer's text is
    fig.text(200, 200, s, fontsize=size, rotation=rotation, ha="left", va="baseline",
             multialignment="center", transform=IdentityTransform())
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", MISSING, UserWarning)
        fig.canvas.draw()
    return 255 - np.asarray(fig.canvas.buffer_rgba())[:, :, 0].astype(np.int64)


def _crop(ink: np.ndarray) -> np.ndarray:
    rows = np.flatnonzero(ink.max(axis=1) > 0)
    cols = np.flatnonzero(ink.max(axis=0) > 0)
    assert rows.size, "no ink at all"
    return ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1].astype(np.int64)


def _blocks(ink: np.ndarray, shape: tuple[int, int], k: int = 3) -> np.ndarray:
    padded = np.zeros((-(-shape[0] // k) * k, -(-shape[1] // k) * k), np.int64)
    padded[:ink.shape[0], :ink.shape[1]] = ink
    return padded.reshape(padded.shape[0] // k, k, padded.shape[1] // k, k).sum(axis=(1, 3))


def ink_difference(ours: np.ndarray, theirs: np.ndarray) -> float:
    """Share of ink in different places once both boxes are aligned (0 same .. 1 disjoint).

    Compared in 3x3-pixel blocks, at the best of the shifts by up to one pixel
    (the two drawings start at different sub-pixel positions).
    """
    a, b = _crop(ours), _crop(theirs)
    shape = (max(a.shape[0], b.shape[0]) + 2, max(a.shape[1], b.shape[1]) + 2)
    y = _blocks(np.pad(b, ((1, 0), (1, 0))), shape)
    best = 1.0
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            x = _blocks(np.pad(a, ((dy, 0), (dx, 0))), shape)
            best = min(best, float(np.abs(x - y).sum() / max(x.sum() + y.sum(), 1)))
    return best


def assert_same_ink(ours: np.ndarray, theirs: np.ndarray) -> None:
    a, b = _crop(ours), _crop(theirs)
    assert abs(a.shape[0] - b.shape[0]) <= 2 and abs(a.shape[1] - b.shape[1]) <= 2, (
        f"ink box {a.shape} here, {b.shape} in matplotlib")
    assert a.sum() == pytest.approx(b.sum(), rel=0.08)
    assert ink_difference(ours, theirs) < 0.25


# -- pictures written through the writer -----------------------------------------------------------


DATA = np.linspace(0.0, 1.0, 48 * 48).reshape(48, 48)


def _written(logdir: str, calls: list[dict]) -> dict[str, np.ndarray]:
    """Pictures of ``add_colormapped_image`` calls (tag= ... keyword arguments), read back."""
    with FigureSummaryWriter(logdir) as writer:
        for call in calls:
            call = dict(call)
            tag = call.pop("tag")
            if "titles" in call:
                writer.add_colormapped_images(tag, np.stack([DATA, DATA[::-1]]), 0, **call)
            else:
                writer.add_colormapped_image(tag, DATA, 0, **call)
    return {tag: events[-1].pixels for tag, events in read_images(logdir).items()}


def _blank(s: str) -> str:
    """Text with as many lines as ``s`` and no ink."""
    return "\n" * s.count("\n")


def _title_ink(logdir: str, title: str) -> np.ndarray:
    pictures = _written(logdir, [{"tag": "text", "title": title},
                                 {"tag": "blank", "title": _blank(title)}])
    return _ink_between(pictures["text"], pictures["blank"])


def _ink_between(picture: np.ndarray, blank: np.ndarray) -> np.ndarray:
    assert picture.shape == blank.shape
    return np.clip(blank.astype(np.int64) - picture, 0, 255).max(axis=2)


STRINGS = {
    "tab": "a\tb",
    "nul": "a\0b",
    "bell": "x\x07y",
    "carriage return": "ab\rcd",
    "newline": "first\nsecond line",
    "combining acute": "e\u0301 x",
    "emoji": "\U0001f600 ok",
    "missing glyph": f"{ABSENT} ok",
}


@pytest.mark.parametrize("name", STRINGS)
def test_title_ink_is_matplotlibs(name, logdir):
    s = STRINGS[name]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", MISSING, UserWarning)
        ours = _title_ink(logdir, s)
    assert_same_ink(ours, mpl_ink(s, _points("axes.titlesize")))


def test_cjk_title_label_and_batch_titles_draw_in_the_configured_font(cjk, logdir):
    title, label = "温度 (°C)", "温度\n(°C)"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a configured font has every glyph: no warning
        pictures = _written(logdir, [
            {"tag": "title", "title": title, "label": label},
            {"tag": "blank", "title": "", "label": _blank(label)},
            {"tag": "batch", "titles": [title, "x"], "label": None},
            {"tag": "batch-blank", "titles": ["", "x"], "label": None},
        ])
    ink = _ink_between(pictures["title"], pictures["blank"])
    bar_label = ink.copy()
    bar_label[:, :ink.shape[1] // 2] = 0  # the title is left of the colour bar's label
    ink[:, ink.shape[1] // 2:] = 0
    assert_same_ink(ink, mpl_ink(title, _points("axes.titlesize")))
    assert_same_ink(bar_label, mpl_ink(label, _points("axes.labelsize"), rotation=90))
    batch = _ink_between(pictures["batch"], pictures["batch-blank"])
    assert_same_ink(batch, mpl_ink(title, _points("axes.titlesize")))
    with matplotlib.rc_context({"font.sans-serif": ["DejaVu Sans"]}):
        boxes = mpl_ink(title, _points("axes.titlesize"))
    assert ink_difference(batch, boxes) > 0.3  # not matplotlib's missing-glyph boxes


def test_font_settings_at_call_time_change_the_picture(cjk, logdir):
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", MISSING, UserWarning)
        with FigureSummaryWriter(logdir) as writer:
            writer.add_colormapped_image("t", DATA, 0, title="温度 step")
            with matplotlib.rc_context({"font.sans-serif": ["DejaVu Sans"]}):
                writer.add_colormapped_image("t", DATA, 1, title="温度 step")
            writer.add_colormapped_image("t", DATA, 2, title="温度 step")
    first, second, third = (e.pixels for e in read_images(logdir)["t"])
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(first, third)


def test_missing_glyphs_warn_once_per_tag_as_matplotlib_words_it(logdir):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with FigureSummaryWriter(logdir) as writer:
            for step in range(3):
                writer.add_colormapped_image("a", DATA, step, title=f"{ABSENT} {step}",
                                             label="\t")
            writer.add_colormapped_images("b", np.stack([DATA, DATA]), 0,
                                          titles=[f"x{ABSENT}", "y"])
            writer.add_colormapped_image("c", DATA, 0, title="plain")
    messages = [str(w.message) for w in caught]
    assert len(messages) == 2, messages
    assert all(w.category is UserWarning for w in caught)
    # the first such character as matplotlib words it, the others listed after it
    assert re.match(rf"{MISSING} DejaVu Sans; also U\+", messages[0])
    assert "TEST TUBE" in messages[0] and "U+0009" in messages[0] or "Glyph 9 " in messages[0]
    assert "in tag 'a'" in messages[0] and "in tag 'b'" in messages[1]
    with pytest.warns(UserWarning, match=r"^Glyph 9 \(\t\) missing from font\(s\) DejaVu Sans\."):
        with FigureSummaryWriter(logdir) as writer:
            writer.add_colormapped_image("d", DATA, 0, title="tab\there")
    figwriter.clear_caches()  # forgets which tags were warned about, too
    with pytest.warns(UserWarning, match=r"in tag 'a'"):
        with FigureSummaryWriter(logdir) as writer:
            writer.add_colormapped_image("a", DATA, 9, title=ABSENT)


@pytest.mark.parametrize("batch", [False, True], ids=["image", "batch"])
def test_three_line_bar_label_is_inside_the_picture(batch, logdir):
    label = "first line\nsecond line\nthird line"
    titles = {"titles": ["a", "b"]} if batch else {}
    pictures = _written(logdir, [{"tag": "label", "label": label, **titles},
                                 {"tag": "blank", "label": _blank(label), **titles}])
    ink = _ink_between(pictures["label"], pictures["blank"])
    expected = rasterize(label, _points("axes.labelsize"), rotation=90).ink
    # all of the label's ink is in the picture, none cut at an edge
    assert ink.sum() == int(expected.astype(np.int64).sum())
    cols = np.flatnonzero(ink.max(axis=0))
    assert cols[-1] < ink.shape[1] - 2
    assert_same_ink(ink, mpl_ink(label, _points("axes.labelsize"), rotation=90))


@pytest.mark.parametrize("s", [*STRINGS.values(), "温度 (°C)", "a\nb\nc", "\t", "\0"])
def test_matplotlib_renderer_draws_every_string(s, logdir):
    """The same strings through matplotlib itself: drawn; its own warnings, as it gives them."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with FigureSummaryWriter(logdir) as writer:
            writer.add_colormapped_image("m", DATA, 0, title=s, label=s, renderer="matplotlib")
            writer.add_colormapped_images("n", np.stack([DATA, DATA]), 0, titles=[s, s],
                                          renderer="matplotlib")
    assert {w.category for w in caught} <= {UserWarning}
    assert all("missing from font(s)" in str(w.message) for w in caught)
    images = read_images(logdir)
    assert images["m"][0].pixels.shape[2] == 3 and images["n"][0].pixels.shape[2] == 3


# -- the rasteriser itself -------------------------------------------------------------------------


@pytest.mark.parametrize("s", ["e\u0301", "temp\u00e9rature\u0301", "\u05e9\u05dc\u05d5\u05dd",
                               "\u0645\u0631\u062d\u0628\u0627", "e\u0301 x"])
def test_shaped_text_is_drawn_as_matplotlib_draws_it(s):
    assert_same_ink(rasterize(s, 12.0).ink, mpl_ink(s, 12.0))


def test_combining_marks_compose_and_keep_the_next_space():
    composed, precomposed = rasterize("e\u0301 x", 12.0), rasterize("\u00e9 x", 12.0)
    assert _crop(composed.ink).shape == _crop(precomposed.ink).shape
    assert ink_difference(composed.ink, precomposed.ink) < 0.12  # "e x" against "é x": 0.48


def test_lone_surrogates_are_drawn_as_replacement_characters():
    text = rasterize("a\ud800b", 12.0)
    assert_same_ink(text.ink, rasterize("a\ufffdb", 12.0).ink)


def test_before_matplotlib_3_11_lines_are_drawn_with_set_text(cjk, monkeypatch):
    """matplotlib 3.6 to 3.10 have no ``FT2Font._layout``: ``set_text`` lays the line out."""
    from figwriter.render.fast import fonts as _fonts

    monkeypatch.setattr(_fonts, "_has_layout", lambda font: False)
    fonts = _fonts.current()
    ink, baseline = _fonts.shaped_line("温度 e\u0301", 12.0, 100.0, fonts)
    assert_same_ink(ink, mpl_ink("温度 e\u0301", 12.0))
    assert 0 < baseline < ink.shape[0]


def test_rasterize_refuses_what_is_not_text():
    with pytest.raises(TypeError, match=r"text must be a str; got bytes"):
        rasterize(b"abc", 10.0)  # type: ignore[arg-type]


def test_coloured_text_is_alpha_blended():
    from figwriter.render.fast.text import draw_text

    text = rasterize("A\u00e9", 12.0)
    canvas = np.zeros((30, 40, 3), np.uint8)
    canvas[..., 2] = 200
    before = canvas.copy()
    draw_text(canvas, text, 3, 4, color=(255, 128, 0))
    h, w = text.ink.shape
    a = text.ink.astype(np.float64)[:, :, None] / 255.0
    expected = before[4:4 + h, 3:3 + w] * (1 - a) + np.array([255, 128, 0]) * a
    np.testing.assert_allclose(canvas[4:4 + h, 3:3 + w], expected, atol=1)
    outside = np.ones(canvas.shape[:2], bool)
    outside[4:4 + h, 3:3 + w] = False
    np.testing.assert_array_equal(canvas[outside], before[outside])


def test_multi_line_panel_titles_are_inside_the_picture(logdir):
    """A panel title of three lines gets a band of three lines: none of its ink is cut."""
    title = "first line\nsecond\nthird"
    pictures = _written(logdir, [{"tag": "text", "titles": [title, None]},
                                 {"tag": "blank", "titles": [_blank(title), None]}])
    ink = _ink_between(pictures["text"], pictures["blank"])
    expected = rasterize(title, _points("axes.titlesize")).ink
    assert ink.sum() == int(expected.astype(np.int64).sum())
    assert_same_ink(ink, mpl_ink(title, _points("axes.titlesize")))
