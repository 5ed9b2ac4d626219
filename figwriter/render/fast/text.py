"""Text for the fast renderer: rasterised once per string, cached, blended in.

Characters are rasterised with matplotlib's FreeType wrapper (``FT2Font``) in
DejaVu Sans, the font matplotlib draws with by default, once per character
and size, and strings are composed from them at the font's advances (no
kerning); strings with an even number of unescaped ``$`` (the tick labels of
a log colour bar, such as ``$\\mathdefault{10^{-1}}$``) go through
matplotlib's mathtext, as Agg would draw them. Each ``(string, size,
rotation)`` is kept in a bounded LRU cache, so a training loop that logs the
same tick labels every step never touches FreeType again, and a new title
costs a few copies.

FreeType objects are not thread-safe: every rasterisation holds one module
lock. Cached :class:`TextImage` objects are immutable and shared freely.

Examples
--------
>>> text = rasterize("0.5", 10.0)
>>> text.ink.dtype, text.ink.ndim
(dtype('uint8'), 2)
>>> canvas = np.full((30, 40, 3), 255, np.uint8)
>>> draw_text(canvas, text, 2, 2)
>>> bool((canvas < 255).any())
True
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..._cache import BoundedCache

__all__ = ["DPI", "TextImage", "rasterize", "draw_text", "clear_cache"]

#: pixels per inch: font sizes in points become pixels as in a 100-dpi figure
DPI = 100.0
#: line spacing of multi-line text, in multiples of the font size (matplotlib's)
LINE_SPACING = 1.2
#: at most this many rasterised strings are kept
CACHE_SIZE = 4096

#: FreeType objects are not thread-safe: every rasterisation holds this lock
_LOCK = threading.Lock()
#: made on first use and kept: the mathtext parser, and the font file's path
_MATH_PARSER: Any = None
_FONT_PATH: str | None = None


@dataclass(frozen=True)
class TextImage:
    """A rasterised string: its ink coverage and where its baseline is.

    Attributes
    ----------
    ink : numpy.ndarray
        (h, w) uint8 coverage, 0 (none) to 255 (full), read-only.
    baseline : int
        Row of ``ink`` just below the baseline of the (last) line: digits end
        in row ``baseline - 1``. For text rotated by 90 degrees, the column
        just right of the baseline.
    x_height : int
        Height of a digit above the baseline, in pixels (for centring labels
        on tick marks as matplotlib's ``center_baseline`` alignment does).
    """

    ink: np.ndarray
    baseline: int
    x_height: int
    _inverse: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.ink.flags.writeable = False
        # 255 - ink, shaped (h, w, 1) to broadcast over RGB: what black text
        # blended over white leaves
        inverse = (255 - self.ink)[:, :, None]
        inverse.flags.writeable = False
        object.__setattr__(self, "_inverse", inverse)

    @property
    def height(self) -> int:
        return int(self.ink.shape[0])

    @property
    def width(self) -> int:
        return int(self.ink.shape[1])


#: rasterised strings by (string, size, dpi, rotation)
_CACHE: BoundedCache[TextImage] = BoundedCache("render.fast.text.strings", CACHE_SIZE)


def _font_path() -> str:
    global _FONT_PATH
    if _FONT_PATH is None:
        from matplotlib.font_manager import FontProperties, findfont

        _FONT_PATH = findfont(FontProperties(family="DejaVu Sans"))
    return _FONT_PATH


def _hinting_flag() -> Any:
    from matplotlib.backends.backend_agg import get_hinting_flag

    return get_hinting_flag()


def _rasterize_line(s: str, size: float, dpi: float) -> tuple[np.ndarray, int]:
    """One line of plain text -> (ink, baseline row). Caller holds the lock.

    Composed from cached glyphs placed at their advances (``FT2Font.set_text``
    costs tens of microseconds per character; a cached glyph is a copy).
    """
    glyphs = [_glyph(c, size, dpi) for c in s]
    if not glyphs:
        return np.zeros((1, 1), np.uint8), 1
    pen = 0.0
    xs = []
    for g in glyphs:
        xs.append(int(math.floor(pen + g.x_offset + 0.5)))
        pen += g.advance
    left = min(0, *xs)
    above = max(g.baseline for g in glyphs)
    below = max(g.ink.shape[0] - g.baseline for g in glyphs)
    width = max(max(x + g.ink.shape[1] for x, g in zip(xs, glyphs)), int(math.ceil(pen))) - left
    out = np.zeros((above + below, max(width, 1)), np.uint8)
    for x, g in zip(xs, glyphs):
        h, w = g.ink.shape
        if h and w:
            top = above - g.baseline
            region = out[top:top + h, x - left:x - left + w]
            np.maximum(region, g.ink, out=region)
    return out, above


@dataclass(frozen=True)
class _Glyph:
    ink: np.ndarray  # coverage, tight but for a blank row above and below
    baseline: int  # row just below the baseline
    x_offset: float  # column 0 of ink, in pixels right of the pen
    advance: float  # pen advance in pixels


#: rasterised characters by (character, size, dpi)
_GLYPHS: BoundedCache[_Glyph] = BoundedCache("render.fast.text.glyphs", CACHE_SIZE)


def _glyph(c: str, size: float, dpi: float) -> _Glyph:
    """One character rasterised by FreeType (cached). Caller holds the lock."""
    key = (c, size, dpi)
    g = _GLYPHS.get(key)
    if g is not None:
        return g
    from matplotlib.font_manager import get_font

    font = get_font(_font_path())
    font.clear()
    font.set_size(size, dpi)
    flags = _hinting_flag()
    font.set_text(c, 0.0, flags=flags)
    font.draw_glyphs_to_bitmap(antialiased=True)
    ink = np.array(font.get_image(), dtype=np.uint8)
    descent = font.get_descent() / 64.0
    x_offset = font.get_bitmap_offset()[0] / 64.0
    advance = font.load_char(ord(c), flags=flags).linearHoriAdvance / 65536.0
    baseline = int(round(ink.shape[0] - 1 - descent))
    g = _Glyph(_readonly(ink), baseline, x_offset, advance)
    return _GLYPHS.put(key, g)


def _readonly(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


def _rasterize_math(s: str, size: float, dpi: float) -> tuple[np.ndarray, int]:
    """Mathtext -> (ink, baseline row). Caller holds the lock."""
    global _MATH_PARSER
    from matplotlib.font_manager import FontProperties

    if _MATH_PARSER is None:
        from matplotlib.mathtext import MathTextParser

        _MATH_PARSER = MathTextParser("agg")
    prop = FontProperties(family="DejaVu Sans", size=size)
    parse = _MATH_PARSER.parse(s, dpi, prop, antialiased=True)
    ink = np.array(parse.image, dtype=np.uint8)
    baseline = int(math.floor(parse.height - parse.depth)) - 1
    return ink, max(0, min(baseline, ink.shape[0]))


def _stack_lines(lines: list[tuple[np.ndarray, int]], size: float, dpi: float,
                 align: str = "center") -> tuple[np.ndarray, int]:
    """Stack rasterised lines with matplotlib's line spacing."""
    if len(lines) == 1:
        return lines[0]
    step = int(round(LINE_SPACING * size * dpi / 72.0))
    width = max(ink.shape[1] for ink, _ in lines)
    # baselines at multiples of `step`, the first line's at its own baseline
    first_base = lines[0][1]
    bases = [first_base + i * step for i in range(len(lines))]
    height = max(b - base + ink.shape[0] for (ink, base), b in zip(lines, bases))
    out = np.zeros((height, width), np.uint8)
    for (ink, base), b in zip(lines, bases):
        top = b - base
        left = (width - ink.shape[1]) // 2 if align == "center" else 0
        region = out[top:top + ink.shape[0], left:left + ink.shape[1]]
        np.maximum(region, ink, out=region)
    return out, bases[-1]


def _render(s: str, size: float, dpi: float) -> tuple[np.ndarray, int]:
    from matplotlib.cbook import is_math_text

    if is_math_text(s):
        try:
            return _rasterize_math(s, size, dpi)
        except ValueError:  # not valid mathtext: draw it as typed
            pass
    else:
        s = s.replace(r"\$", "$")
    return _stack_lines([_rasterize_line(line, size, dpi) for line in s.split("\n")], size, dpi)


def rasterize(s: str, size: float, *, dpi: float = DPI, rotation: int = 0) -> TextImage:
    """Rasterise ``s`` at ``size`` points (cached).

    Parameters
    ----------
    s
        The text; mathtext when it holds an even number of unescaped ``$``,
        as in matplotlib. Newlines start new (centred) lines.
    size
        Font size in points.
    dpi
        Pixels per inch.
    rotation
        0, or 90 for text reading bottom to top (a vertical colour-bar label).

    Returns
    -------
    TextImage
        Shared and immutable; do not modify its arrays.
    """
    if rotation not in (0, 90):
        raise ValueError(f"rotation must be 0 or 90; got {rotation!r}")
    key = (s, float(size), float(dpi), rotation)
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            return hit
        if rotation == 90:
            flat = _rasterize_unlocked(s, size, dpi)
            ink = np.ascontiguousarray(np.rot90(flat.ink))
            text = TextImage(ink, flat.baseline, flat.x_height)
        else:
            text = _rasterize_unlocked(s, size, dpi)
        return _CACHE.put(key, text)


def _rasterize_unlocked(s: str, size: float, dpi: float) -> TextImage:
    """Rasterise without caching; the caller must hold the module lock."""
    ink, baseline = _render(s, size, dpi)
    x_height = _digit_height(size, dpi)
    return TextImage(ink, baseline, x_height)


#: the height of a digit above the baseline, by (size, dpi)
_DIGIT_HEIGHT: BoundedCache[int] = BoundedCache("render.fast.text.digit_heights", 64)


def _digit_height(size: float, dpi: float) -> int:
    key = (size, dpi)
    h = _DIGIT_HEIGHT.get(key)
    if h is None:
        g = _glyph("0", size, dpi)
        rows = np.flatnonzero(g.ink.max(axis=1) > 64)
        h = int(g.baseline - rows[0]) if rows.size else int(round(size * dpi / 72 * 0.73))
        h = _DIGIT_HEIGHT.put(key, h)
    return h


def draw_text(canvas: np.ndarray, text: TextImage, x: int, y: int) -> None:
    """Blend black ``text`` into an RGB uint8 ``canvas`` with its top-left at (x, y).

    Over white this is exact alpha blending (``255 - ink``); over other
    colours it darkens (``min``), which keeps overlapping labels legible.
    Whatever falls outside the canvas is clipped.
    """
    h, w = text.ink.shape
    ch, cw = canvas.shape[:2]
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + w, cw), min(y + h, ch)
    if x0 >= x1 or y0 >= y1:
        return
    region = canvas[y0:y1, x0:x1]
    np.minimum(region, text._inverse[y0 - y:y1 - y, x0 - x:x1 - x], out=region)


def clear_cache() -> None:
    """Forget every rasterised string and character."""
    with _LOCK:
        _CACHE.clear()
        _GLYPHS.clear()
        _DIGIT_HEIGHT.clear()
