"""Paint: the picture's pixels, from a layout, colour tables, ticks and text.

Everything that depends only on the layout, the colormaps, the extensions and
the label (background, frames, image axis ticks, the colour bars with their
triangles) is drawn once into a read-only template (:func:`template`); a call
copies it and adds the cells (:func:`paint_cells`), the titles and the colour
bars' ticks. Text is blended by darkening (``min``), so the order in which
texts and tick marks are drawn never changes a pixel.
"""

from __future__ import annotations

import math

import numpy as np

from ..._cache import BoundedCache
from ..cells import Scratch, readonly
from .colours import ColourTable
from .layout import Layout, PanelPlace, Rect, Style, bar_interior
from .text import TextImage, draw_text, rasterize
from .ticks import BarTicks

__all__ = ["template", "paint_cells", "draw_title", "draw_bar_ticks", "draw_offset",
           "draw_bar_label_beside",
           "SCRATCH"]

_WHITE = 255
#: the temporaries of the renders running on each thread
SCRATCH = Scratch()


def _frame(canvas: np.ndarray, rect: Rect) -> None:
    """A 1-pixel black frame just outside ``rect``."""
    y0, x0 = rect.y - 1, rect.x - 1
    y1, x1 = rect.y + rect.height, rect.x + rect.width
    canvas[y0, x0:x1 + 1] = 0
    canvas[y1, x0:x1 + 1] = 0
    canvas[y0:y1 + 1, x0] = 0
    canvas[y0:y1 + 1, x1] = 0


def _bar_shape(bar: Rect, extend: str) -> tuple[np.ndarray, Rect]:
    """Mask (bar.height, bar.width) of the bar with its triangles, and its interior."""
    interior = bar_interior(bar, extend)
    mask = np.zeros((bar.height, bar.width), bool)
    mask[interior.y - bar.y:interior.y - bar.y + interior.height] = True
    centre = bar.width / 2.0
    cols = np.arange(bar.width) + 0.5
    e_top = interior.y - bar.y
    for j in range(e_top):  # upper triangle, apex at the top
        half = centre * (j + 0.5) / e_top
        mask[j] = np.abs(cols - centre) <= half
    e_bot = bar.y + bar.height - (interior.y + interior.height)
    for j in range(e_bot):  # lower triangle, apex at the bottom
        half = centre * (j + 0.5) / e_bot
        mask[bar.height - 1 - j] = np.abs(cols - centre) <= half
    return mask, interior


def _paint_bar(canvas: np.ndarray, bar: Rect, extend: str, table: ColourTable) -> None:
    """The gradient (N colours evenly along the interior), triangles and outline."""
    mask, interior = _bar_shape(bar, extend)
    n = table.n
    rows = np.arange(interior.height)
    frac = 1.0 - (rows + 0.5) / interior.height
    index = np.clip(np.floor(frac * n).astype(np.intp), 0, n - 1) + 1
    canvas[interior.slices()] = table.rgb[index][:, None, :]
    region = canvas[bar.slices()]
    top = interior.y - bar.y
    if top:
        region[:top][mask[:top]] = table.over
    bottom = top + interior.height
    if bottom < bar.height:
        region[bottom:][mask[bottom:]] = table.under
    # outline: pixels outside the shape that touch it (4-neighbourhood)
    padded = np.zeros((bar.height + 2, bar.width + 2), bool)
    padded[1:-1, 1:-1] = mask
    grown = padded.copy()
    grown[1:] |= padded[:-1]
    grown[:-1] |= padded[1:]
    grown[:, 1:] |= padded[:, :-1]
    grown[:, :-1] |= padded[:, 1:]
    outline = grown & ~padded
    around = canvas[bar.y - 1:bar.y + bar.height + 1, bar.x - 1:bar.x + bar.width + 1]
    around[outline] = 0


#: read-only pictures of what does not change between steps, by layout, colour
#: tables, extensions and label
_TEMPLATES: BoundedCache[np.ndarray] = BoundedCache("render.fast.paint.templates", 64)


def template(layout: Layout, tables: tuple[ColourTable, ...], extends: tuple[str, ...],
             label: str | None) -> np.ndarray:
    """The read-only picture of everything that does not change between steps."""
    key = (layout, tables, extends, label)
    hit = _TEMPLATES.get(key)
    if hit is not None:
        return hit
    canvas = np.full((layout.height, layout.width, 3), _WHITE, np.uint8)
    for panel in layout.panels:
        _frame(canvas, panel.image)
        _paint_axis_ticks(canvas, panel, layout.style)
    for where, table, extend in zip(layout.bars(), tables, extends):
        _paint_bar(canvas, where.bar, extend, table)
    return _TEMPLATES.put(key, readonly(canvas))


def _paint_axis_ticks(canvas: np.ndarray, panel: PanelPlace, style: Style) -> None:
    img = panel.image
    for px, label in panel.y_ticks:
        y = img.y + px
        canvas[y, img.x - 1 - style.tick_len:img.x - 1] = 0
        text = rasterize(label, style.tick_size)
        x = img.x - 1 - style.tick_len - style.tick_pad - text.width
        draw_text(canvas, text, x, y - _centre_offset(text))
    for px, label in panel.x_ticks:
        x = img.x + px
        y0 = img.y + img.height + 1
        canvas[y0:y0 + style.tick_len, x] = 0
        text = rasterize(label, style.tick_size)
        draw_text(canvas, text, x - text.width // 2,
                  y0 + style.tick_len + style.tick_pad + text.x_height - text.baseline)


def _centre_offset(text: TextImage) -> int:
    """Rows from the text's top to its ``center_baseline`` (half a digit above the baseline)."""
    return text.baseline - (text.x_height + 1) // 2


def _draw_bar_label(canvas: np.ndarray, bar: Rect, x: int, label: str, size: float) -> None:
    text = rasterize(label, size, rotation=90)
    y = bar.y + (bar.height - text.height) // 2
    draw_text(canvas, text, x, y)


def draw_bar_label_beside(canvas: np.ndarray, bar: Rect, label_x: int, ticks: BarTicks,
                          label: str | None, style: Style) -> None:
    """The bar's label ``labelpad`` right of the widest tick label drawn, as matplotlib
    places it (the canvas keeps its reserved width beyond: padding outside the label)."""
    if not label:
        return
    widest = max((rasterize(s, style.tick_size).width for s in ticks.labels), default=0)
    _draw_bar_label(canvas, bar, label_x + widest + style.label_pad, label, style.label_size)


def draw_title(canvas: np.ndarray, centre_x: int, baseline_y: int, title: str,
                size: float) -> None:
    text = rasterize(title, size)
    x = centre_x - text.width // 2
    x = max(0, min(x, canvas.shape[1] - text.width))
    draw_text(canvas, text, x, baseline_y - text.baseline)


def draw_bar_ticks(canvas: np.ndarray, interior: Rect, tick_x: int, label_x: int,
                    ticks: BarTicks, style: Style) -> None:
    for marks, length in ((ticks.major, style.tick_len), (ticks.minor, style.minor_len)):
        for pos, label in marks:
            y = interior.y + int(math.floor((1.0 - pos) * interior.height))
            y = min(interior.y + interior.height - 1, max(interior.y, y))
            canvas[y, tick_x:tick_x + length] = 0
            if label:
                text = rasterize(label, style.tick_size)
                draw_text(canvas, text, label_x, y - _centre_offset(text))


def draw_offset(canvas: np.ndarray, bar: Rect, offset: str, size: float) -> None:
    if not offset:
        return
    text = rasterize(offset, size)
    draw_text(canvas, text, bar.x + bar.width - text.width, bar.y - 4 - text.baseline)


def paint_cells(canvas: np.ndarray, rect: Rect, k: np.ndarray, table: ColourTable,
                 up: int) -> None:
    """Colour the cell indices ``k`` into ``rect``, each cell ``up x up`` pixels."""
    h, w = k.shape
    packed = SCRATCH.get("packed", (h, w), np.uint32)
    np.take(table.packed, k, mode="clip", out=packed)
    if up > 1:
        wide = SCRATCH.get("wide", (h, w, up), np.uint32)
        np.copyto(wide, packed[:, :, None])
        packed = wide.reshape(h, w * up)
    width = w * up
    if _OVERLAPPING_STORES and rect.x + rect.width < canvas.shape[1]:
        # the first row of each block row, 4 bytes per pixel at 3-byte steps
        # (each store's 4th byte is fixed by the next pixel's; the byte after a
        # row, in the pixel right of the rectangle, is put back afterwards)
        _store_rgb0(canvas, rect.y, rect.x, up, packed)
        if up > 1:
            s0, s1, s2 = canvas.strides
            rows = canvas[rect.y:rect.y + h * up, rect.x:rect.x + width]
            blocks = np.lib.stride_tricks.as_strided(
                rows, shape=(h, up, width, 3), strides=(s0 * up, s0, s1, s2))
            blocks[:, 1:] = blocks[:, :1]
        return
    src = packed.view(np.uint8).reshape(h, width, 4)
    dst = canvas[rect.slices()]
    if up > 1:
        s0, s1, s2 = dst.strides
        dst = np.lib.stride_tricks.as_strided(
            dst, shape=(h, up, width, 3), strides=(s0 * up, s0, s1, s2))
        src = src[:, None]
    for c in range(3):
        dst[..., c] = src[..., c]


def _store_rgb0(canvas: np.ndarray, y: int, x: int, step: int, packed: np.ndarray) -> None:
    """Write (R, G, B, 0) uint32 pixels to rows y, y + step, ... of an RGB canvas.

    The caller guarantees a pixel to the right of every written row.
    """
    h, w = packed.shape
    s0 = canvas.strides[0]
    keep = canvas[y:y + h * step:step, x + w, 0].copy()
    dst = np.ndarray((h, w), dtype=np.uint32, buffer=canvas,
                     offset=y * s0 + x * 3, strides=(s0 * step, 3))
    dst[...] = packed
    canvas[y:y + h * step:step, x + w, 0] = keep


def _overlapping_stores_work() -> bool:
    """Whether numpy writes overlapping unaligned elements in order.

    An import-time probe of the numpy build: :func:`_paint_cells` writes
    4-byte pixels at 3-byte steps, relying on each store landing before the
    next; where that does not hold (no build seen so far), cells are painted
    one channel at a time instead.
    """
    rng = np.random.default_rng(7)
    rgb = rng.integers(0, 256, size=(5, 7, 3), dtype=np.uint8)
    packed = np.zeros((5, 7), np.uint32)
    packed.view(np.uint8).reshape(5, 7, 4)[..., :3] = rgb
    for step in (1, 2):
        canvas = np.full((12, 9, 3), 77, np.uint8)
        expected = canvas.copy()
        expected[1:1 + 5 * step:step, 1:8] = rgb
        _store_rgb0(canvas, 1, 1, step, packed)
        if not np.array_equal(canvas, expected):  # pragma: no cover - other numpy builds
            return False
    return True


_OVERLAPPING_STORES = _overlapping_stores_work()
