"""Layout: where everything goes in a picture, in whole pixels (origin top-left).

One model, :class:`Layout`, for both kinds of picture: panels
(:class:`PanelPlace`: cells, frame, title, axis ticks) and colour bars
(:class:`BarPlace`). A single picture is the 1x1 grid whose panel has ticked
axes; a grid lays panels out in a near-square grid (or ``ncols`` per row),
each panel enlarged or reduced on its own, with one shared colour bar or one
per panel, and panels reduced further until the picture fits
:data:`GRID_MAX_SIDE` pixels a side. No picture ever exceeds
:data:`~figwriter.render.options.MAX_PICTURE_SIDE`.

**Stable size.** A layout depends only on the shapes, whether there are
titles and a label, ``max_size``, the font sizes and the width reserved for
tick labels; never on the limits or the norm. Tick labels get a column as wide
as ``"−0.00000"``; a stream whose labels are ever wider widens that column once
(:class:`~figwriter.render.options.CanvasSizes`).

**Extensions.** When the limits clip finite data, the bar ends in
matplotlib-style triangles, each 5% of the interior long, inside the bar's
fixed span (:func:`bar_interior`).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from ..._cache import BoundedCache
from ..cells import MIN_LONG_SIDE, cell_factors, grid_columns
from ..options import DEFAULT_MAX_SIZE, MAX_PICTURE_SIDE, CanvasSizes
from .text import DPI, rasterize, text_height
from .ticks import font_size, image_axis_ticks

__all__ = [
    "Rect",
    "Style",
    "BarPlace",
    "PanelPlace",
    "Layout",
    "bar_interior",
    "layout_for",
    "grid_layout_for",
    "single_stream",
    "grid_stream",
    "label_allowance",
    "GRID_MAX_SIDE",
]

#: the colour bar is never shorter than this, in pixels
MIN_BAR_LENGTH = 128
#: the tick-label column fits this text at least
LABEL_ALLOWANCE_TEXT = "\N{MINUS SIGN}0.00000"
#: matplotlib's default colour-bar extension length, a fraction of the interior
EXTEND_FRAC = 0.05
#: matplotlib's default colour bar aspect (long / short side)
BAR_ASPECT = 20
#: a batch picture is made to fit this many pixels on each side when it can
#: (panels are reduced to fit); it never exceeds MAX_PICTURE_SIDE
GRID_MAX_SIDE = 2048
#: a per-panel colour bar is never shorter than this, in pixels
MIN_PANEL_BAR = 48
#: panels whose longest side may not reach this many pixels get no titles
MIN_TITLED_PANEL = 24

_MARGIN = 6
_GAP = 14  # image frame to colour bar


def _pt(points: float) -> int:
    """Points to whole pixels at DPI."""
    return max(1, int(round(points * DPI / 72.0)))


class Rect(NamedTuple):
    """A pixel rectangle: rows ``y .. y + height``, columns ``x .. x + width``."""

    y: int
    x: int
    height: int
    width: int

    def slices(self) -> tuple[slice, slice]:
        """``canvas[rect.slices()]`` is the rectangle's pixels."""
        return slice(self.y, self.y + self.height), slice(self.x, self.x + self.width)


@dataclass(frozen=True)
class Style:
    """Sizes read from rcParams once per layout."""

    tick_size: float
    title_size: float
    label_size: float
    tick_len: int
    minor_len: int
    tick_pad: int
    title_pad: int
    label_pad: int

    @classmethod
    def current(cls) -> Style:
        import matplotlib

        rc = matplotlib.rcParams
        return cls(
            tick_size=font_size("ytick.labelsize"),
            title_size=font_size("axes.titlesize"),
            label_size=font_size("axes.labelsize"),
            tick_len=_pt(rc["ytick.major.size"]),
            minor_len=_pt(rc["ytick.minor.size"]),
            tick_pad=_pt(rc["ytick.major.pad"]),
            title_pad=_pt(rc["axes.titlepad"]),
            label_pad=_pt(rc["axes.labelpad"]),
        )


class BarPlace(NamedTuple):
    """Where a colour bar and its text go."""

    bar: Rect  #: the bar including room for its extension triangles
    tick_x: int  #: first column of the tick marks
    label_x: int  #: left of the tick-label column
    label_width: int  #: width reserved for tick labels
    bar_label_x: int | None  #: left of the rotated bar label, if any


class PanelPlace(NamedTuple):
    """Where one panel goes."""

    shape: tuple[int, int]
    up: int  #: each cell is ``up x up`` pixels
    down: int  #: each shown cell is the mean of ``down x down`` cells
    cells: tuple[int, int]  #: rows and columns of shown cells (after reduction)
    image: Rect  #: the shown cells' pixels (a 1-pixel frame surrounds it)
    title_baseline: int | None  #: baseline row of the panel title, if titles are on
    bar: BarPlace | None  #: its own colour bar (per-panel scales)
    x_ticks: tuple[tuple[int, str], ...] = ()  #: (pixel offset, label) under the image
    y_ticks: tuple[tuple[int, str], ...] = ()  #: (pixel offset, label) left of the image


@dataclass(frozen=True)
class Layout:
    """Where everything goes in a picture.

    Attributes
    ----------
    height, width : int
        The picture's size.
    ncols, nrows : int
        The grid (1 x 1 for a single picture).
    panels : tuple of PanelPlace
        Each panel's cells, title, axis ticks and, for per-panel scales,
        colour bar.
    bar : BarPlace or None
        The shared colour bar (None with per-panel bars).
    panel_limit : int
        The longest panel side allowed (``max_size``, or less to keep the
        picture within its bound).
    style : Style
        The font sizes and tick lengths it was made with.
    """

    height: int
    width: int
    ncols: int
    nrows: int
    panels: tuple[PanelPlace, ...]
    bar: BarPlace | None
    panel_limit: int
    style: Style = field(repr=False)

    def bars(self) -> list[BarPlace]:
        """Every colour bar, shared or per panel, in panel order."""
        if self.bar is not None:
            return [self.bar]
        return [p.bar for p in self.panels if p.bar is not None]

    # a single picture is the 1x1 grid: its one panel's geometry
    @property
    def image(self) -> Rect:
        """The first panel's image rectangle."""
        return self.panels[0].image

    @property
    def up(self) -> int:
        return self.panels[0].up

    @property
    def down(self) -> int:
        return self.panels[0].down

    @property
    def cells(self) -> tuple[int, int]:
        return self.panels[0].cells

    def bar_interior(self, extend: str) -> Rect:
        """The first colour bar's gradient when triangles are drawn for ``extend``."""
        return bar_interior(self.bars()[0].bar, extend)


def _line_px(size: float) -> int:
    """Height of one line of text at ``size`` points, in pixels."""
    return int(math.ceil(size * DPI / 72.0 * 1.2))


def _text_width(s: str, size: float) -> int:
    return rasterize(s, size).width


def label_allowance(size: float) -> int:
    """The tick-label column every stream starts with, in pixels."""
    return _text_width(LABEL_ALLOWANCE_TEXT, size)


def _extension_length(span: int, n_ext: int) -> int:
    if n_ext == 0:
        return 0
    return max(2, int(round(EXTEND_FRAC * span / (1 + EXTEND_FRAC * n_ext))))


def bar_interior(bar: Rect, extend: str) -> Rect:
    """The colour gradient's rectangle of ``bar`` when triangles are drawn for ``extend``."""
    lower, upper = extend in ("min", "both"), extend in ("max", "both")
    e = _extension_length(bar.height, int(lower) + int(upper))
    top = e if upper else 0
    return Rect(bar.y + top, bar.x, bar.height - e * (int(lower) + int(upper)), bar.width)


#: layouts by everything they depend on (never by tag)
_LAYOUTS: BoundedCache[Layout] = BoundedCache("render.fast.layout.layouts", 256)


def single_stream(key: Hashable, shape: tuple[int, int], title: int, label: int,
                  max_size: int) -> Hashable:
    """What a single picture's stable size is kept by (title and label in lines)."""
    return ("single", key, shape, int(title), int(label), int(max_size))


def grid_stream(key: Hashable, shapes: tuple[tuple[int, int], ...], cols: int, shared: bool,
                titles: int, label: int, max_size: int) -> Hashable:
    """What a grid picture's stable size is kept by (titles and label in lines)."""
    return ("grid", key, (shapes, cols, bool(shared)), int(titles), int(label),
            int(max_size))


def _reserved(sizes: CanvasSizes | None, stream: Hashable, style: Style) -> int:
    default = label_allowance(style.tick_size)
    if sizes is None:
        return default
    return sizes.width((stream, style.tick_size), default)


def layout_for(key: Hashable, shape: tuple[int, int], *, title: int, label: int,
               max_size: int = DEFAULT_MAX_SIZE, sizes: CanvasSizes | None = None) -> Layout:
    """The (cached) layout of a single picture: a 1x1 grid with ticked axes.

    Equal for equal ``shape``, title and label line counts (0 for none;
    ``True`` counts as one line), ``max_size`` and
    label column (from ``sizes``, the stream's writer's): whatever the limits,
    norm or tick labels. The image's long side is at most ``max_size``, and
    less when the whole picture would otherwise exceed ``MAX_PICTURE_SIDE``.

    Examples
    --------
    >>> a = layout_for("t", (64, 64), title=False, label=False)
    >>> b = layout_for("t", (64, 64), title=False, label=False)
    >>> a is b, a.up, a.image.height
    (True, 4, 256)
    """
    shape = (int(shape[0]), int(shape[1]))
    style = Style.current()
    stream = single_stream(key, shape, title, label, max_size)
    reserved = _reserved(sizes, stream, style)
    cache_key = ("single", shape, int(title), int(label), int(max_size), style, reserved)
    hit = _LAYOUTS.get(cache_key)
    if hit is not None:
        return hit
    limit = max_size
    while True:
        layout = _make_layout(shape, title, label, limit, style, reserved)
        excess = max(layout.height, layout.width) - MAX_PICTURE_SIDE
        if excess <= 0 or limit <= 16:
            break
        # the image gives way to the frame, the colour bar and the margins
        limit = max(16, limit - excess)
    return _LAYOUTS.put(cache_key, layout)


def _make_layout(shape: tuple[int, int], title: int, label: int, max_size: int,
                 style: Style, reserved: int) -> Layout:
    up, down = cell_factors(shape, max_size)
    ch, cw = -(-shape[0] // down), -(-shape[1] // down)
    img_h, img_w = ch * up, cw * up
    span = max(img_h, MIN_BAR_LENGTH)
    bar_w = int(min(26, max(10, round(span / BAR_ASPECT))))
    tick_line = _line_px(style.tick_size)
    y_ticks = image_axis_ticks(shape[0], img_h, "y", style.tick_size)
    x_ticks = image_axis_ticks(shape[1], img_w, "x", style.tick_size)
    y_label_w = max((_text_width(s, style.tick_size) for _, s in y_ticks), default=0)
    top_band = tick_line // 2 + 2  # half a tick label sticks out above the bar
    top_band = max(top_band, tick_line + 4)  # the offset text above the bar
    if title:
        top_band = max(top_band, text_height(style.title_size, title) + style.title_pad)
    top = _MARGIN + top_band
    left = _MARGIN + 1 + y_label_w + style.tick_pad + style.tick_len
    img_y = top + (span - img_h) // 2
    image = Rect(img_y, left, img_h, img_w)
    bar_x = left + img_w + 1 + _GAP + 1
    bar = Rect(top, bar_x, span, bar_w)
    tick_x = bar_x + bar_w + 1
    label_x = tick_x + style.tick_len + style.tick_pad
    right = label_x + reserved
    bar_label_x = None
    if label:
        bar_label_x = right + style.label_pad
        right = bar_label_x + text_height(style.label_size, label)
    bottom = max(top + span + tick_line // 2 + 2,
                 img_y + img_h + 1 + style.tick_len + style.tick_pad + tick_line)
    title_baseline = top - 1 - style.title_pad if title else None
    panel = PanelPlace(shape, up, down, (ch, cw), image, title_baseline, None,
                       x_ticks, y_ticks)
    place = BarPlace(bar, tick_x, label_x, reserved, bar_label_x)
    return Layout(bottom + _MARGIN, right + _MARGIN, 1, 1, (panel,), place, max_size, style)


def _bar_width(span: int) -> int:
    return int(min(26, max(8, round(span / BAR_ASPECT))))


def _bar_block(span: int, style: Style, reserved: int, label: int) -> int:
    """Columns a bar takes right of its image: gap, bar, ticks, labels, bar label."""
    width = 1 + _GAP + 1 + _bar_width(span) + 1 + style.tick_len + style.tick_pad + reserved
    if label:
        width += style.label_pad + text_height(style.label_size, label)
    return width


def _place_bar(x: int, y: int, span: int, style: Style, reserved: int,
               label: int) -> BarPlace:
    """A bar whose frame starts at column ``x`` - 1, spanning rows y .. y + span."""
    bar = Rect(y, x, span, _bar_width(span))
    tick_x = bar.x + bar.width + 1
    label_x = tick_x + style.tick_len + style.tick_pad
    bar_label_x = label_x + reserved + style.label_pad if label else None
    return BarPlace(bar, tick_x, label_x, reserved, bar_label_x)


def _try_grid(shapes: Sequence[tuple[int, int]], cols: int, titles: int, label: int,
              shared: bool, limit: int, style: Style, reserved: int) -> Layout:
    n = len(shapes)
    rows = -(-n // cols)
    titles = titles if limit >= MIN_TITLED_PANEL else 0  # lines of the tallest title
    small = limit < 64
    gap = 2 if small else min(16, max(4, limit // 16))
    tick_line = _line_px(style.tick_size)
    factors = [cell_factors(s, limit, min(MIN_LONG_SIDE, limit)) for s in shapes]
    cells = [(-(-s[0] // d), -(-s[1] // d)) for s, (_, d) in zip(shapes, factors)]
    dims = [(c[0] * u, c[1] * u) for c, (u, _) in zip(cells, factors)]
    spans = [max(h, MIN_PANEL_BAR) for h, _ in dims]
    col_w = [0] * cols
    row_h = [0] * rows
    extra_w = [0] * cols
    for i, (h, w) in enumerate(dims):
        r, c = divmod(i, cols)
        col_w[c] = max(col_w[c], w)
        row_h[r] = max(row_h[r], h if shared else spans[i])
        if not shared:
            extra_w[c] = max(extra_w[c], _bar_block(spans[i], style, reserved, label))
    band = 0  # above each row: panel titles, and offset texts of per-panel bars
    if titles:
        band = text_height(style.title_size, titles) + style.title_pad
    if not shared:
        band = max(band, tick_line + 4)
    cell_w = [col_w[c] + 2 + extra_w[c] for c in range(cols)]  # 2: the frame
    cell_h = [row_h[r] + 2 + band for r in range(rows)]
    top = _MARGIN + (tick_line + 4 if shared else 0)
    left = _MARGIN
    xs = [left + sum(cell_w[:c]) + gap * c for c in range(cols)]
    ys = [top + sum(cell_h[:r]) + gap * r for r in range(rows)]
    grid_right = xs[-1] + cell_w[-1]
    grid_bottom = ys[-1] + cell_h[-1]
    panels = []
    for i, (shape, (up, down), cell, (h, w)) in enumerate(zip(shapes, factors, cells, dims)):
        r, c = divmod(i, cols)
        box_y = ys[r] + band + 1
        box_x = xs[c] + 1
        image = Rect(box_y + (row_h[r] - h) // 2, box_x + (col_w[c] - w) // 2, h, w)
        title_baseline = image.y - 2 - style.title_pad // 2 if titles else None
        place = None
        if not shared:
            span = spans[i]
            place = _place_bar(box_x + col_w[c] + 1 + _GAP + 1, box_y + (row_h[r] - span) // 2,
                               span, style, reserved, label)
        panels.append(PanelPlace((int(shape[0]), int(shape[1])), up, down, cell, image,
                                 title_baseline, place))
    bar = None
    right = grid_right
    if shared:
        span = max(grid_bottom - top - band - 2, MIN_BAR_LENGTH)
        bar = _place_bar(grid_right + _GAP + 1, top + band + 1, span, style, reserved, label)
        right = grid_right + _bar_block(span, style, reserved, label)
        grid_bottom = max(grid_bottom, bar.bar.y + span + 1)
    width = right + _MARGIN
    height = grid_bottom + tick_line // 2 + 2 + _MARGIN
    return Layout(height, width, cols, rows, tuple(panels), bar, limit, style)


def _make_grid_layout(shapes: Sequence[tuple[int, int]], cols: int, titles: int,
                      label: int, shared: bool, max_size: int, style: Style,
                      reserved: int) -> Layout:
    """The largest panels (at most ``max_size``) that keep the picture bounded.

    Within :data:`GRID_MAX_SIDE` when 1-pixel panels can be; otherwise within
    ``MAX_PICTURE_SIDE``; otherwise a ValueError.
    """

    def attempt(limit: int) -> Layout:
        return _try_grid(shapes, cols, titles, label, shared, limit, style, reserved)

    def side(layout: Layout) -> int:
        return max(layout.height, layout.width)

    for bound in (GRID_MAX_SIDE, MAX_PICTURE_SIDE):
        best = attempt(max_size)
        if side(best) <= bound:
            return best
        smallest = attempt(1)
        if side(smallest) > bound:
            continue
        # the picture grows with the panel limit: bisect for the largest that fits
        lo, hi, best = 1, max_size, smallest
        while hi - lo > 1:
            mid = (lo + hi) // 2
            layout = attempt(mid)
            if side(layout) <= bound:
                lo, best = mid, layout
            else:
                hi = mid
        return best
    raise ValueError(
        f"values hold too many panels ({len(shapes)}) to lay out in a picture of at most "
        f"{MAX_PICTURE_SIDE} pixels a side with ncols={cols}; log fewer panels per call"
    )


def grid_layout_for(key: Hashable, shapes: Sequence[tuple[int, int]], *, ncols: int | None,
                    titles: int, label: int, shared: bool,
                    max_size: int = DEFAULT_MAX_SIZE,
                    sizes: CanvasSizes | None = None) -> Layout:
    """The (cached) layout of a batch picture.

    Equal for equal shapes, grid, title and label line counts (the most
    lines of any panel title; 0 for none), sharing,
    ``max_size`` and label column (from ``sizes``, the stream's writer's),
    whatever the limits.

    Examples
    --------
    >>> g = grid_layout_for("b", [(8, 8)] * 5, ncols=None, titles=False, label=False,
    ...                     shared=True)
    >>> g.ncols, g.nrows, len(g.panels), g.bar is not None
    (3, 2, 5, True)
    """
    shapes = tuple((int(s[0]), int(s[1])) for s in shapes)
    cols = grid_columns(len(shapes), ncols)
    style = Style.current()
    stream = grid_stream(key, shapes, cols, shared, titles, label, max_size)
    reserved = _reserved(sizes, stream, style)
    cache_key = ("grid", shapes, cols, bool(shared), int(titles), int(label), int(max_size),
                 style, reserved)
    hit = _LAYOUTS.get(cache_key)
    if hit is not None:
        return hit
    layout = _make_grid_layout(shapes, cols, titles, label, shared, max_size, style, reserved)
    return _LAYOUTS.put(cache_key, layout)
