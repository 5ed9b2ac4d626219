"""The fast renderer's picture with options: aspect, origin, extent, axis and tick
labels, annotations, a background.

The layout generalises the plain one: each axis has its own integer factor
(:func:`figwriter.render.geometry.cell_grid`), the image axes are ticked in array
indices (whole cells, as the plain picture), in data units (``extent``, as
``imshow`` ticks them) or with one label per row/column (thinned as seaborn's
``"auto"``), and bands for the axis labels are added around the image. With
default options this is exactly the plain layout.

x tick labels are turned upright when neighbours would overlap (as seaborn's
``heatmap`` does); y tick labels stay horizontal.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..._cache import BoundedCache
from ..._scale import ColorScale
from .. import cells as _cells_mod
from ..cells import as_cells, reduce_blocks, reduce_into
from ..geometry import AxisCells, cell_grid
from ..options import MAX_PICTURE_SIDE, CanvasSizes, PictureOptions, Stream
from ..overlay import (
    ANNOT_DARK,
    ANNOT_LIGHT,
    annotation_text,
    blend,
    dark_text,
    label_step,
    resample,
    warn_small_cells,
)
from . import layout as L
from . import paint as P
from .colours import ColourTable, _cmap_fingerprint, colour_table, indices_into
from .layout import Rect, Style, _line_px, bar_interior
from .text import draw_text, line_count, picture_text, rasterize, text_height
from .ticks import bar_ticks, font_size, image_axis_ticks

__all__ = ["PictureLayout", "picture_layout_for", "render_picture", "value_ticks"]

#: with ``annot``, enlarged cells are at least this text's width (plus 4 pixels)
ANNOT_ROOM = "\N{MINUS SIGN}0.00"


@dataclass(frozen=True)
class AxisTicks:
    """An image axis' ticks: ``(pixel, label)`` from the image's top/left edge."""

    ticks: tuple[tuple[int, str], ...] = ()
    offset: str = ""
    rotated: bool = False  #: labels turned upright (x axis only)


@dataclass(frozen=True)
class PictureLayout:
    """Where everything goes in a single picture with options (pixels, top-left origin)."""

    height: int
    width: int
    shape: tuple[int, int]
    rows: AxisCells
    cols: AxisCells
    image: Rect
    bar: Rect
    tick_x: int
    label_x: int
    label_width: int
    bar_label_x: int | None
    title: int
    style: Style = field(repr=False)
    x: AxisTicks = field(repr=False, default=AxisTicks())
    y: AxisTicks = field(repr=False, default=AxisTicks())
    xlabel_y: int | None = None  #: top row of the x label band
    ylabel_x: int | None = None  #: left column of the y label band
    options: PictureOptions = field(repr=False, default=PictureOptions())

    @property
    def cells(self) -> tuple[int, int]:
        return self.rows.shown, self.cols.shown

    def bar_interior(self, extend: str) -> Rect:
        return bar_interior(self.bar, extend)


def _index_ticks(n: int, length: int, name: str, size: float, flip: bool) -> AxisTicks:
    """Whole-cell index ticks (the plain picture's), row 0 at the bottom when ``flip``."""
    ticks = image_axis_ticks(n, length, name, size)
    if not flip:
        return AxisTicks(ticks)
    ppc = length / n
    out = []
    for _, label in ticks:
        loc = int(label.replace("\N{MINUS SIGN}", "-"))
        px = int(math.floor((n - 1 - loc + 0.5) * ppc))
        out.append((min(length - 1, max(0, px)), label))
    return AxisTicks(tuple(out))


def _label_ticks(labels: tuple[str, ...], length: int, size: float, flip: bool,
                 name: str) -> AxisTicks:
    n = len(labels)
    step = label_step(n, length, size)
    if step == 0:
        return AxisTicks()
    ticks = []
    for i in range(0, n, step):
        centre = (n - 1 - i if flip else i) + 0.5
        ticks.append((min(length - 1, int(math.floor(centre * length / n))), labels[i]))
    ticks.sort()
    rotated = False
    if name == "x":
        widths = {s: rasterize(s, size).width for _, s in ticks}
        rotated = any(b[0] - a[0] < (widths[a[1]] + widths[b[1]]) / 2 + 2
                      for a, b in zip(ticks, ticks[1:]))
    return AxisTicks(tuple(ticks), "", rotated)


def _axis_ticks(opts: PictureOptions, name: str, n: int, length: int,
                size: float) -> AxisTicks:
    labels = opts.xticklabels if name == "x" else opts.yticklabels
    flip = name == "y" and opts.origin == "lower"
    if labels is False:
        return AxisTicks()
    if isinstance(labels, tuple):
        return _label_ticks(labels, length, size, flip, name)
    if opts.extent is None:
        return _index_ticks(n, length, name, size, flip)
    left, right, bottom, top = opts.extent
    start, end = (left, right) if name == "x" else (top, bottom)
    ticks, offset = value_ticks(start, end, length, name, size)
    return AxisTicks(tuple(ticks), offset)


def _x_band(x: AxisTicks, style: Style) -> int:
    if not x.ticks:
        return 0
    if x.rotated:
        text = max((rasterize(s, style.tick_size).width for _, s in x.ticks), default=0)
    else:
        text = _line_px(style.tick_size)
    return style.tick_len + style.tick_pad + text


def _make(shape: tuple[int, int], title: int, label: int, max_size: int, style: Style,
          reserved: int, opts: PictureOptions) -> PictureLayout:
    min_cell = 1
    if opts.annot:  # room for a short number in each cell
        min_cell = rasterize(ANNOT_ROOM, font_size("font.size")).width + 4
    rows, cols = cell_grid(shape, opts.aspect, opts.extent, max_size,
                           min(_cells_mod.MIN_LONG_SIDE, max_size), min_cell)
    img_h, img_w = rows.length, cols.length
    span = max(img_h, L.MIN_BAR_LENGTH)
    bar_w = int(min(26, max(10, round(span / L.BAR_ASPECT))))
    tick_line = _line_px(style.tick_size)
    x = _axis_ticks(opts, "x", shape[1], img_w, style.tick_size)
    y = _axis_ticks(opts, "y", shape[0], img_h, style.tick_size)
    label_line = _line_px(style.label_size)

    top_band = max(tick_line // 2 + 2, tick_line + 4)
    if title:
        top_band = max(top_band, text_height(style.title_size, title) + style.title_pad)
    top = L._MARGIN + top_band
    left = L._MARGIN + 1
    ylabel_x = None
    if opts.ylabel:
        ylabel_x = left
        left += text_height(style.label_size, line_count(opts.ylabel)) + style.label_pad
    if y.ticks:
        y_label_w = max(rasterize(s, style.tick_size).width for _, s in y.ticks)
        left += y_label_w + style.tick_pad + style.tick_len
    img_y = top + (span - img_h) // 2
    image = Rect(img_y, left, img_h, img_w)
    bar_x = left + img_w + 1 + L._GAP + 1
    bar = Rect(top, bar_x, span, bar_w)
    tick_x = bar_x + bar_w + 1
    label_x = tick_x + style.tick_len + style.tick_pad
    right = label_x + reserved
    bar_label_x = None
    if label:
        bar_label_x = right + style.label_pad
        right = bar_label_x + text_height(style.label_size, label)
    below = img_y + img_h + 1 + _x_band(x, style)
    xlabel_y = None
    if opts.xlabel or x.offset:
        xlabel_y = below + style.label_pad
        below = xlabel_y + max(label_line, text_height(style.label_size,
                                                       line_count(opts.xlabel)))
    height = max(top + span + tick_line // 2 + 2, below) + L._MARGIN
    return PictureLayout(
        height=height, width=right + L._MARGIN, shape=shape, rows=rows, cols=cols,
        image=image, bar=bar, tick_x=tick_x, label_x=label_x, label_width=reserved,
        bar_label_x=bar_label_x, title=title, style=style, x=x, y=y, xlabel_y=xlabel_y,
        ylabel_x=ylabel_x, options=opts,
    )


_LAYOUTS: BoundedCache[PictureLayout] = BoundedCache("render.fast.picture.layouts", 256)


def picture_layout_for(key: Hashable, shape: tuple[int, int], *, title: int, label: int,
                       max_size: int, options: PictureOptions,
                       sizes: CanvasSizes | None = None) -> PictureLayout:
    """The (cached) layout; equal for equal shape, text lines, size, options and
    label column (the stream's, from ``sizes``)."""
    shape = (int(shape[0]), int(shape[1]))
    style = Style.current()
    stream = L.single_stream(key, shape, title, label, max_size)
    reserved = L._reserved(sizes, stream, style)
    cache_key = (shape, int(title), int(label), int(max_size), style, reserved,
                 options.layout_key)
    hit = _LAYOUTS.get(cache_key)
    if hit is not None:
        return hit
    limit = max_size
    while True:
        layout = _make(shape, title, label, limit, style, reserved, options)
        excess = max(layout.height, layout.width) - MAX_PICTURE_SIDE
        if excess <= 0 or limit <= 16:
            break
        limit = max(16, limit - excess)
    return _LAYOUTS.put(cache_key, layout)


def value_ticks(start: float, end: float, length_px: int, axis_name: str,
                font_size: float, dpi: float = 100.0) -> tuple[list[tuple[int, str]], str]:
    """An image axis in data units, ticked as ``imshow(..., extent=...)`` axes are.

    ``start`` is the value at pixel 0's outer edge, ``end`` at pixel
    ``length_px``'s; returns ``[(pixel, label)]`` and the offset text.
    """
    from matplotlib import scale, ticker

    length_pt = length_px / dpi * 72.0
    factor = 2.0 if axis_name == "y" else 3.0
    space = int(math.floor(length_pt / (font_size * factor))) if font_size > 0 else 2**31 - 1
    lo, hi = sorted((float(start), float(end)))
    axis = _ValueAxis(scale.LinearScale(None), (lo, hi), space, axis_name)
    locator = ticker.AutoLocator()
    locator.set_axis(axis)  # type: ignore[arg-type]
    formatter = ticker.ScalarFormatter()
    formatter.set_axis(axis)  # type: ignore[arg-type]
    # Axis._update_ticks keeps ticks within the view, inclusive, to 1e-10 of it
    tol = (hi - lo) * 1e-10
    locs = [float(v) for v in locator() if lo - tol <= v <= hi + tol]
    labels = formatter.format_ticks(locs)
    out = []
    for loc, label in zip(locs, labels):
        px = int(math.floor((loc - start) / (end - start) * length_px))
        out.append((min(length_px - 1, max(0, px)), str(label)))
    return out, str(formatter.get_offset()) if locs else ""


class _ValueAxis:
    """Just enough of a matplotlib ``Axis`` for ``AutoLocator`` and ``ScalarFormatter``."""

    __name__ = "image-axis"

    def __init__(self, scale: Any, view: tuple[float, float], space: int,
                 axis_name: str) -> None:
        self._scale = scale
        self._view = view
        self._space = space
        self.axis_name = axis_name

    def get_view_interval(self) -> tuple[float, float]:
        return self._view

    def get_data_interval(self) -> tuple[float, float]:
        return self._view

    def set_view_interval(self, vmin: float, vmax: float, ignore: bool = False) -> None:
        self._view = (vmin, vmax)

    def get_minpos(self) -> float:
        return math.inf

    def get_tick_space(self) -> int:
        return self._space

    def get_scale(self) -> str:
        return "linear"

    def get_transform(self) -> Any:
        return self._scale.get_transform()


# -- painting --------------------------------------------------------------------------------------


def _paint_axes(canvas: np.ndarray, layout: PictureLayout) -> None:
    style, img = layout.style, layout.image
    for px, label in layout.y.ticks:
        y = img.y + px
        canvas[y, img.x - 1 - style.tick_len:img.x - 1] = 0
        text = rasterize(label, style.tick_size)
        x = img.x - 1 - style.tick_len - style.tick_pad - text.width
        draw_text(canvas, text, x, y - P._centre_offset(text))
    y0 = img.y + img.height + 1
    for px, label in layout.x.ticks:
        x = img.x + px
        canvas[y0:y0 + style.tick_len, x] = 0
        top = y0 + style.tick_len + style.tick_pad
        if layout.x.rotated:
            text = rasterize(label, style.tick_size, rotation=90)
            draw_text(canvas, text, x - text.width // 2, top)
        else:
            text = rasterize(label, style.tick_size)
            draw_text(canvas, text, x - text.width // 2,
                           top + text.x_height - text.baseline)
    _paint_axis_labels(canvas, layout)


def _paint_axis_labels(canvas: np.ndarray, layout: PictureLayout) -> None:
    style, img, opts = layout.style, layout.image, layout.options
    if layout.y.offset:
        text = rasterize(layout.y.offset, style.tick_size)
        draw_text(canvas, text, img.x - 1, img.y - 4 - text.baseline)
    if layout.xlabel_y is not None:
        if opts.xlabel:
            text = rasterize(opts.xlabel, style.label_size)
            x = max(0, img.x + img.width // 2 - text.width // 2)
            draw_text(canvas, text, x, layout.xlabel_y)
        if layout.x.offset:
            text = rasterize(layout.x.offset, style.tick_size)
            draw_text(canvas, text, img.x + img.width - text.width, layout.xlabel_y)
    if layout.ylabel_x is not None and opts.ylabel:
        text = rasterize(opts.ylabel, style.label_size, rotation=90)
        y = max(0, img.y + img.height // 2 - text.height // 2)
        draw_text(canvas, text, layout.ylabel_x, y)


def _template(layout: PictureLayout, table: ColourTable, extend: str,
              label: str | None) -> np.ndarray:
    key = ("options", layout, table, extend, label)
    hit = P._TEMPLATES.get(key)
    if hit is not None:
        return hit
    canvas = np.full((layout.height, layout.width, 3), 255, np.uint8)
    P._frame(canvas, layout.image)
    _paint_axes(canvas, layout)
    P._paint_bar(canvas, layout.bar, extend, table)
    canvas.flags.writeable = False
    return P._TEMPLATES.put(key, canvas)


def _cells(data: np.ndarray, layout: PictureLayout, mode: str) -> np.ndarray:
    rows, cols = layout.rows, layout.cols
    if mode == "mean" and rows.down == cols.down:
        return reduce_into(data, rows.down, P.SCRATCH)
    return reduce_blocks(data, rows.down, cols.down, mode)


def _paint(canvas: np.ndarray, layout: PictureLayout, k: np.ndarray,
           table: ColourTable) -> None:
    rows, cols = layout.rows, layout.cols
    if rows.up == cols.up:
        P.paint_cells(canvas, layout.image, k, table, rows.up)
        return
    rgb = table.rgb[k]
    canvas[layout.image.slices()] = np.repeat(np.repeat(rgb, rows.up, 0), cols.up, 1)


_RGBA: BoundedCache[np.ndarray] = BoundedCache("render.fast.picture.rgba", 64)


def _raw_rgba(cmap: Any, n: int) -> np.ndarray:
    """The colormap's own RGBA bytes in :class:`ColourTable` row order."""
    key = (_cmap_fingerprint(cmap) or (id(cmap),))[0]
    hit = _RGBA.get(key)
    if hit is not None:
        return hit
    rgba = np.empty((n + 4, 4), np.uint8)
    rgba[1:n + 1] = cmap(np.arange(n), bytes=True)
    rgba[0] = cmap(-1, bytes=True)
    rgba[n + 1] = rgba[n + 2] = cmap(n, bytes=True)
    rgba[n + 3] = cmap(np.nan, bytes=True)
    rgba.flags.writeable = False
    return _RGBA.put(key, rgba)


def _blend_background(canvas: np.ndarray, layout: PictureLayout, k: np.ndarray,
                      rgba: np.ndarray, background: np.ndarray, alpha: float) -> None:
    """Blend the cells over ``background`` resampled to the image (see ``blend``)."""
    rows, cols = layout.rows, layout.cols

    def up(a: np.ndarray) -> np.ndarray:
        return np.repeat(np.repeat(a, rows.up, 0), cols.up, 1)

    back = resample(background, layout.image.height, layout.image.width)
    canvas[layout.image.slices()] = blend(up(rgba[k, :3]), up(rgba[k, 3] / 255.0), back, alpha)


def _annotate(canvas: np.ndarray, layout: PictureLayout, k: np.ndarray, values: np.ndarray,
              cells_bad: np.ndarray, rgba: np.ndarray, key: Hashable,
              options: PictureOptions) -> None:
    """Write each cell's value in it, in seaborn's contrasting colour; skip small cells."""
    rows, cols = layout.rows, layout.cols
    size = font_size("font.size")
    fmt = layout.options.fmt
    flip = layout.options.origin == "lower"
    dark = dark_text(rgba / 255.0)
    skipped = 0
    img = layout.image
    if rows.down > 1 or cols.down > 1:
        skipped = int(np.count_nonzero(~cells_bad))
    else:
        for i, j in zip(*np.nonzero(~cells_bad)):
            text = rasterize(annotation_text(values[i, j], fmt), size)
            if text.width > cols.up - 2 or text.x_height + 2 > rows.up - 2:
                skipped += 1
                continue
            r = rows.shown - 1 - i if flip else i
            cy = img.y + r * rows.up + rows.up // 2
            cx = img.x + j * cols.up + cols.up // 2
            colour = ANNOT_DARK if dark[k[r, j]] else ANNOT_LIGHT
            draw_text(canvas, text, cx - text.width // 2, cy - P._centre_offset(text),
                      color=colour)
    if skipped:
        warn_small_cells(options.warned, key, skipped, f"{cols.up}x{rows.up}")


def render_picture(data: np.ndarray, scale: ColorScale, options: PictureOptions,
                   stream: Stream) -> np.ndarray:
    """Compose ``data`` with its colour bar and the picture options; RGB uint8."""
    with picture_text(stream.key):
        return _render(data, scale, options, stream)


def _render(data: np.ndarray, scale: ColorScale, options: PictureOptions,
            stream: Stream) -> np.ndarray:
    data = as_cells(data)
    table = colour_table(scale.cmap)
    title, label, key, max_size = options.title, options.label, stream.key, options.max_size

    def layout_now() -> PictureLayout:
        return picture_layout_for(key, data.shape, title=line_count(title),
                                  label=line_count(label), max_size=max_size,
                                  options=options, sizes=stream.sizes)

    layout = layout_now()
    interior = layout.bar_interior(scale.extend)
    ticks = bar_ticks(scale.norm, interior.height, n=table.n, extend=scale.extend,
                           label_size=layout.style.tick_size)
    needed = max((rasterize(s, layout.style.tick_size).width for s in ticks.labels),
                 default=0)
    if needed > layout.label_width:
        shape = (int(data.shape[0]), int(data.shape[1]))
        kept = L.single_stream(key, shape, line_count(title), line_count(label), max_size)
        stream.sizes.widen((kept, layout.style.tick_size), needed,
                           L.label_allowance(layout.style.tick_size))
        layout = layout_now()
    mode = options.reduce or "mean"
    cells = np.asarray(_cells(data, layout, mode))
    shown = cells[::-1] if options.origin == "lower" else cells
    k = indices_into(np.ascontiguousarray(shown), scale, table.n, None)
    canvas = _template(layout, table, scale.extend, label).copy()
    rgba = _raw_rgba(scale.cmap, table.n) if (options.blended or options.annot) else None
    if options.blended and rgba is not None:
        background = options.background
        if background is None:
            background = np.full((1, 1, 3), 255, np.uint8)
        _blend_background(canvas, layout, k, rgba, background, options.alpha)
    else:
        _paint(canvas, layout, k, table)
    if options.annot and rgba is not None:
        values = cells if options.annot_value is None else options.annot_value
        _annotate(canvas, layout, k, values, ~np.isfinite(cells), rgba, key, options)
    style = layout.style
    P.draw_bar_ticks(canvas, interior, layout.tick_x, layout.label_x, ticks, style)
    P.draw_offset(canvas, layout.bar, ticks.offset, style.tick_size)
    if layout.bar_label_x is not None:
        P.draw_bar_label_beside(canvas, layout.bar, layout.label_x, ticks, label, style)
    if title:
        P.draw_title(canvas, layout.image.x + layout.image.width // 2,
                         layout.bar.y - 1 - style.title_pad, title, style.title_size)
    return canvas


