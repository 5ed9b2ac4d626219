"""Text for the fast renderer: any string, in the font matplotlib would use, cached.

Fonts are chosen as matplotlib chooses them when it draws: the fonts for the
``font.family`` / ``font.sans-serif`` (etc.) rcParams at the time of the call
(``fontManager._find_fonts_by_props``), falling back through that list
character by character, then to matplotlib's missing-glyph font. A line is
drawn one of two ways:

- plain lines (every character has a configured font and needs no shaping:
  Latin, Greek, Cyrillic, CJK, symbols) are composed from cached glyph
  bitmaps at the fonts' advances, so a new title costs a few copies;
- anything else (combining marks, control characters such as a tab, NUL or
  carriage return, scripts that need shaping, characters no configured font
  has) is laid out and drawn by matplotlib's own text layout, glyph by glyph
  as its Agg backend draws it (``FT2Font._layout``; ``set_text`` and
  ``draw_glyphs_to_bitmap`` on matplotlib before 3.11).

Newlines start new lines, spaced as matplotlib spaces them. Strings with an
even number of unescaped ``$`` (the tick labels of a log colour bar, such as
``$\\mathdefault{10^{-1}}$``) go through matplotlib's mathtext. Characters no
configured font has are drawn as matplotlib draws them (its missing-glyph
box); inside :func:`picture_text` they are reported in one warning per tag.
Each ``(string, size, rotation, fonts)`` is kept in a bounded LRU cache.

Any text a picture draws (titles, labels, tick labels, annotations) goes
through :func:`rasterize` inside the picture's :func:`picture_text` scope, and
:func:`draw_text` blends it in black or another colour.

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

import contextlib
import contextvars
import math
import re
import threading
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..._cache import BoundedCache
from ..locking import MATPLOTLIB_LOCK
from . import fonts as _fonts
from .fonts import Face, Fonts

__all__ = ["DPI", "TextImage", "rasterize", "draw_text", "picture_text", "line_count",
           "text_height", "clear_cache"]

#: pixels per inch: font sizes in points become pixels as in a 100-dpi figure
DPI = 100.0
#: at most this many rasterised strings are kept
CACHE_SIZE = 4096

#: FreeType objects are not thread-safe: every rasterisation holds this lock
_LOCK = threading.Lock()
#: made on first use and kept: the mathtext parser
_MATH_PARSER: Any = None
#: lone surrogates are not text FreeType can take; drawn as U+FFFD
_SURROGATE = re.compile("[\ud800-\udfff]")


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
    missing : str
        The characters no configured font has (drawn as missing-glyph boxes).
    """

    ink: np.ndarray
    baseline: int
    x_height: int
    missing: str = ""
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


# -- one line of text ---------------------------------------------------------------------------


#: rasterised strings by (string, size, dpi, rotation, fonts)
_CACHE: BoundedCache[TextImage] = BoundedCache("render.fast.text.strings", CACHE_SIZE)


def _rasterize_line(s: str, size: float, dpi: float, fonts: Fonts) -> tuple[np.ndarray, int]:
    """One line of text -> (ink, baseline row). Caller holds the lock."""
    faces = fonts.plain_faces(s)
    if faces is None:
        return _fonts.shaped_line(s, size, dpi, fonts)
    return _compose_glyphs(s, faces, size, dpi, fonts)


def _compose_glyphs(s: str, faces: list[Face], size: float, dpi: float,
                    fonts: Fonts) -> tuple[np.ndarray, int]:
    """A plain line composed from cached glyphs placed at their advances.

    ``FT2Font.set_text`` costs hundreds of microseconds per string; a cached
    glyph is a copy.
    """
    glyphs = [_glyph(c, face, size, dpi, fonts) for c, face in zip(s, faces)]
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


#: rasterised characters by (character, font, size, dpi, hinting)
_GLYPHS: BoundedCache[_Glyph] = BoundedCache("render.fast.text.glyphs", CACHE_SIZE)


def _glyph(c: str, face: Face, size: float, dpi: float, fonts: Fonts) -> _Glyph:
    """One character of one font file rasterised by FreeType (cached). Caller holds the lock."""
    key = (c, face, size, dpi, fonts.hinting)
    g = _GLYPHS.get(key)
    if g is not None:
        return g
    from matplotlib.font_manager import get_font

    flags = fonts.flags
    font = get_font(face.path)
    font.clear()
    font.set_size(size, dpi)
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


# -- whole strings ------------------------------------------------------------------------------


def _rasterize_math(s: str, size: float, dpi: float) -> tuple[np.ndarray, int]:
    """Mathtext -> (ink, baseline row). Caller holds the lock."""
    global _MATH_PARSER
    from matplotlib.font_manager import FontProperties

    if _MATH_PARSER is None:
        from matplotlib.mathtext import MathTextParser

        _MATH_PARSER = MathTextParser("agg")
    prop = FontProperties(size=size)  # the rcParams' font, as a Text has
    with MATPLOTLIB_LOCK:  # one mathtext grammar for the whole process
        parse = _MATH_PARSER.parse(s, dpi, prop, antialiased=True)
    ink = np.array(parse.image, dtype=np.uint8)
    baseline = int(math.floor(parse.height - parse.depth)) - 1
    return ink, max(0, min(baseline, ink.shape[0]))


def _stack_lines(lines: list[tuple[np.ndarray, int]], size: float, dpi: float,
                 fonts: Fonts) -> tuple[np.ndarray, int]:
    """Stack rasterised lines, centred, spaced as matplotlib spaces them."""
    if len(lines) == 1:
        return lines[0]
    extents = [_ink_extent(ink, base) for ink, base in lines]
    bases_f = [0.0]
    for above, below in zip(extents, extents[1:]):
        bases_f.append(bases_f[-1] + fonts.line_step(size, dpi, above, below))
    first_base = lines[0][1]
    bases = [first_base + int(round(b)) for b in bases_f]
    width = max(ink.shape[1] for ink, _ in lines)
    height = max(b - base + ink.shape[0] for (ink, base), b in zip(lines, bases))
    top_pad = max(0, max(base - b for (_, base), b in zip(lines, bases)))
    out = np.zeros((height + top_pad, width), np.uint8)
    for (ink, base), b in zip(lines, bases):
        top = b - base + top_pad
        left = (width - ink.shape[1]) // 2
        region = out[top:top + ink.shape[0], left:left + ink.shape[1]]
        np.maximum(region, ink, out=region)
    return out, bases[-1] + top_pad


def _ink_extent(ink: np.ndarray, baseline: int) -> tuple[float, float]:
    """(ascent, descent) of a line's ink in pixels: rows above and below its baseline."""
    rows = np.flatnonzero(ink.max(axis=1))
    if not rows.size:
        return 0.0, 0.0
    return float(baseline - rows[0]), float(rows[-1] + 1 - baseline)


def _render(s: str, size: float, dpi: float, fonts: Fonts) -> tuple[np.ndarray, int, str]:
    """``s`` -> (ink, baseline row, characters no configured font has)."""
    from matplotlib.cbook import is_math_text

    if not s.isascii():
        s = _SURROGATE.sub("\ufffd", s)
    if is_math_text(s):
        try:
            return (*_rasterize_math(s, size, dpi), "")
        except ValueError:  # not valid mathtext: draw it as typed
            pass
    else:
        s = s.replace(r"\$", "$")
    lines = s.split("\n")  # as matplotlib's Text splits; a carriage return stays in its line
    ink, baseline = _stack_lines([_rasterize_line(line, size, dpi, fonts) for line in lines],
                                 size, dpi, fonts)
    return ink, baseline, fonts.missing(s)


def rasterize(s: str, size: float, *, dpi: float = DPI, rotation: int = 0) -> TextImage:
    """Rasterise ``s`` at ``size`` points in the configured font (cached).

    Parameters
    ----------
    s
        Any text; mathtext when it holds an even number of unescaped ``$``,
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
    if not isinstance(s, str):
        raise TypeError(f"text must be a str; got {type(s).__name__}")
    scope = _SCOPE.get()
    fonts = scope.fonts if scope is not None else _fonts.current()
    key = (s, float(size), float(dpi), rotation, fonts.ident)
    with _LOCK:
        text = _CACHE.get(key)
        if text is None:
            text = _rasterize_unlocked(s, size, dpi, fonts)
            if rotation == 90:
                ink = np.ascontiguousarray(np.rot90(text.ink))
                text = TextImage(ink, text.baseline, text.x_height, text.missing)
            text = _CACHE.put(key, text)
    if text.missing and scope is not None:
        scope.missing.update(dict.fromkeys(text.missing))
    return text


def _rasterize_unlocked(s: str, size: float, dpi: float, fonts: Fonts) -> TextImage:
    """Rasterise without caching; the caller must hold the module lock."""
    ink, baseline, missing = _render(s, size, dpi, fonts)
    x_height = _digit_height(size, dpi, fonts)
    return TextImage(ink, baseline, x_height, missing)


#: the height of a digit above the baseline, by (size, dpi, fonts)
_DIGIT_HEIGHT: BoundedCache[int] = BoundedCache("render.fast.text.digit_heights", 64)


def _digit_height(size: float, dpi: float, fonts: Fonts) -> int:
    key = (size, dpi, fonts.ident)
    h = _DIGIT_HEIGHT.get(key)
    if h is None:
        faces = fonts.plain_faces("0")
        g = _glyph("0", faces[0], size, dpi, fonts) if faces else None
        rows = np.flatnonzero(g.ink.max(axis=1) > 64) if g is not None else np.empty(0)
        if g is not None and rows.size:
            h = int(g.baseline - rows[0])
        else:
            h = int(round(size * dpi / 72 * 0.73))
        h = _DIGIT_HEIGHT.put(key, h)
    return h


# -- room for text ------------------------------------------------------------------------------


def line_count(s: str | None) -> int:
    """Lines ``s`` takes when drawn: 0 for None, else one more than its newlines."""
    return 0 if s is None else s.count("\n") + 1


def text_height(size: float, lines: int, *, dpi: float = DPI) -> int:
    """Pixels that ``lines`` lines of text at ``size`` points take, for layouts.

    One line takes 1.2 font sizes. Each further line takes matplotlib's
    line pitch in the configured font (1.2 font sizes in DejaVu Sans), at
    least 1.2 font sizes, plus a pixel for lines with taller accents.
    """
    one = int(math.ceil(size * dpi / 72.0 * 1.2))
    if lines <= 1:
        return one
    scope = _SCOPE.get()
    fonts = scope.fonts if scope is not None else _fonts.current()
    with _LOCK:
        pitch = max(fonts.line_step(size, dpi, (0.0, 0.0), (0.0, 0.0)), size * dpi / 72.0 * 1.2)
    return one + (lines - 1) * (int(math.ceil(pitch)) + 1)


# -- drawing ------------------------------------------------------------------------------------


def draw_text(canvas: np.ndarray, text: TextImage, x: int, y: int,
              color: tuple[int, int, int] | None = None) -> None:
    """Blend ``text`` into an RGB uint8 ``canvas`` with its top-left at (x, y).

    Black text (``color=None``) over white is exact alpha blending
    (``255 - ink``); over other colours it darkens (``min``), which keeps
    overlapping labels legible. Text of another ``color`` (RGB 0-255) is
    alpha-blended. Whatever falls outside the canvas is clipped.
    """
    h, w = text.ink.shape
    ch, cw = canvas.shape[:2]
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + w, cw), min(y + h, ch)
    if x0 >= x1 or y0 >= y1:
        return
    region = canvas[y0:y1, x0:x1]
    if color is None:
        np.minimum(region, text._inverse[y0 - y:y1 - y, x0 - x:x1 - x], out=region)
        return
    a = text.ink[y0 - y:y1 - y, x0 - x:x1 - x, None].astype(np.uint32)
    ink = np.asarray(color, np.uint32).reshape(1, 1, 3)
    region[...] = (region * (255 - a) + ink * a + 127) // 255


# -- one picture's text: one font choice, one warning per tag -----------------------------------


@dataclass
class _Scope:
    fonts: Fonts
    missing: dict[str, None]


_SCOPE: contextvars.ContextVar[_Scope | None] = contextvars.ContextVar(
    "figwriter_text_scope", default=None)


@contextlib.contextmanager
def picture_text(tag: Hashable) -> Iterator[None]:
    """Draw one picture's text: fonts read from rcParams once, missing glyphs reported once.

    Inside, :func:`rasterize` uses the fonts configured on entry; on a
    normal exit, characters that no configured font has (drawn as
    missing-glyph boxes) are reported in one ``UserWarning`` worded as
    matplotlib's ("Glyph N (...) missing from font(s) ..."), the first time
    only for each ``tag``.
    """
    scope = _Scope(_fonts.current(), {})
    token = _SCOPE.set(scope)
    try:
        yield
    finally:
        _SCOPE.reset(token)
    if scope.missing:
        _fonts.warn_missing_once(tag, "".join(scope.missing), scope.fonts)


def clear_cache() -> None:
    """Forget every rasterised string and character, and which tags were warned about."""
    with _LOCK:
        _CACHE.clear()
        _GLYPHS.clear()
        _DIGIT_HEIGHT.clear()
        _fonts.clear_cache()
