"""Which fonts draw text, as matplotlib chooses them, and lines matplotlib lays out.

:func:`current` reads the rcParams that decide fonts (``font.family``, the
generic family lists such as ``font.sans-serif``, style, weight, hinting) and
asks matplotlib's font manager for the fallback list it would draw with
(``fontManager._find_fonts_by_props``), remembering the answer per setting.
:meth:`Fonts.plain_faces` picks, character by character, the first font of
that list that has it, for lines that need no shaping; :func:`shaped_line`
hands any other line to matplotlib's own layout and draws it glyph by glyph
as the Agg backend does.

Examples
--------
>>> fonts = current()
>>> fonts is current()  # same settings, same answer
True
>>> fonts.plain_faces("0.5") is not None, fonts.plain_faces("e\\u0301")
(True, None)
"""

from __future__ import annotations

import itertools
import math
import os
import sys
import unicodedata
import warnings
from collections.abc import Hashable
from itertools import repeat
from typing import Any

import numpy as np

from ..._cache import BoundedCache

__all__ = ["Face", "Fonts", "current", "shaped_line", "warn_missing_once", "clear_cache"]

#: the rcParams that decide which fonts draw text and how glyphs are hinted
#: (those ``FontManager.findfont`` keys its cache on, and the backend's)
_FONT_RC = (
    "font.family", "font.style", "font.variant", "font.weight", "font.stretch",
    "font.serif", "font.sans-serif", "font.cursive", "font.fantasy", "font.monospace",
    "text.hinting", "text.hinting_factor", "text.kerning_factor", "font.enable_last_resort",
    "mathtext.fontset",
)
#: code points of scripts whose glyphs change with their neighbours (joining,
#: reordering, clusters): such lines go through matplotlib's shaping layout
_SHAPED_RANGES = (
    (0x0590, 0x0900),  # Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic
    (0x0900, 0x1000),  # Indic scripts, Sinhala, Thai, Lao, Tibetan
    (0x1000, 0x10A0),  # Myanmar
    (0x1100, 0x1200),  # Hangul Jamo
    (0x1700, 0x1A00),  # Philippine scripts, Khmer, Mongolian, Limbu, Tai Le
    (0x1A00, 0x1C00),  # Buginese, Tai Tham, Balinese, Sundanese, Batak, Lepcha
    (0x200C, 0x2010),  # zero-width (non-)joiners, direction marks
    (0x202A, 0x202F),  # bidirectional embeddings
    (0x2066, 0x2070),  # bidirectional isolates
    (0xA800, 0xAB00),  # Syloti Nagri .. Tai Viet
    (0xD7B0, 0xD800),  # Hangul Jamo extended
    (0xFB1D, 0xFE00),  # Hebrew and Arabic presentation forms
    (0xFE70, 0xFF00),  # Arabic presentation forms B
    (0x10A00, 0x10B00),  # Kharoshthi
    (0x11000, 0x11D00),  # Brahmi and its relatives
    (0x1E900, 0x1E960),  # Adlam
    (0x1F1E6, 0x1F200),  # regional indicators (flags)
    (0x1F3FB, 0x1F400),  # skin-tone modifiers
)

_IDENTS = itertools.count(1)
#: per rcParams setting, the fonts it chooses
_BY_SETTING: BoundedCache[Fonts] = BoundedCache("render.fast.fonts.settings", 64)
#: the last setting read and its fonts (compared first: rcParams rarely change)
_LAST: BoundedCache[tuple[list[Any], Fonts]] = BoundedCache("render.fast.fonts.last_setting", 1)
#: tags already warned about missing glyphs (bounded)
#: (cleared by ``clear_caches()``, after which a tag may warn once more)
_WARNED: BoundedCache[object] = BoundedCache("render.fast.fonts.warned_tags", 4096)


class Fonts:
    """The fonts one rcParams setting chooses: matplotlib's fallback list.

    Attributes
    ----------
    ident : int
        Distinct for every setting seen (a cache key).
    paths : tuple
        The font files, in fallback order, as matplotlib's font manager
        returns them.
    flags : ft2font.LoadFlags
        FreeType load flags for ``text.hinting``.
    hinting : int
        The same flags as an int.
    """

    def __init__(self, paths: tuple[Any, ...], flags: Any) -> None:
        self.ident = next(_IDENTS)
        self.paths = paths
        self.flags = flags
        self.hinting = int(getattr(flags, "value", flags))  # a key (an enum hashes slowly)
        self.files = frozenset(os.path.realpath(getattr(p, "path", p)) for p in paths)
        self._faces: dict[str, Face | None] = {}
        self._ascii: bool | None = None
        self._metrics: dict[tuple[float, float], tuple[float, float, float]] = {}

    def face_of(self, c: str) -> Face | None:
        """The first font of the list that has character ``c``, or None."""
        try:
            return self._faces[c]
        except KeyError:
            from matplotlib.font_manager import get_font

            code = ord(c)
            path = next((p for p in self.paths if get_font(p).get_char_index(code)), None)
            face = None if path is None else _face(path)
            if len(self._faces) > 65536:
                self._faces.clear()
            self._faces[c] = face
        return face

    def plain_faces(self, line: str) -> list[Face] | None:
        """A font per character, or None when ``line`` must be shaped by matplotlib.

        None when a character is a control or format character or a mark,
        belongs to a script that needs shaping, or no configured font has it.
        """
        known = self._faces
        faces = []
        for c in line:
            if not (" " <= c <= "~" or _needs_no_shaping(c)):
                return None
            face = known[c] if c in known else self.face_of(c)
            if face is None:
                return None
            faces.append(face)
        return faces

    def missing(self, s: str) -> str:
        """The characters of ``s`` (newlines aside) that no configured font has."""
        if s.isascii() and s.isprintable() and self._has_ascii():
            return ""
        return "".join(dict.fromkeys(c for c in s if c != "\n" and self.face_of(c) is None))

    def _has_ascii(self) -> bool:
        """Whether the fonts have every printable ASCII character (remembered)."""
        if self._ascii is None:
            self._ascii = all(self.face_of(chr(i)) is not None for i in range(0x20, 0x7F))
        return self._ascii

    def line_step(self, size: float, dpi: float, above: tuple[float, float],
                  below: tuple[float, float]) -> float:
        """Pixels from one line's baseline to the next's, as matplotlib's ``Text`` spaces them.

        ``above`` and ``below`` are the (ascent, descent) of the two lines'
        ink. matplotlib 3.11 makes every line at least the first font's
        ascent and descent tall and adds its line gap (``linespacing='normal'``);
        earlier versions space lines 1.2 times the height of "lp" apart. The
        caller holds the text lock.
        """
        key = (size, dpi)
        metrics = self._metrics.get(key)
        if metrics is None:
            metrics = self._metrics[key] = self._line_metrics(size, dpi)
        min_ascent, min_descent, gap = metrics
        if _spaces_by_font_metrics():
            return max(above[1], min_descent) + gap + max(below[0], min_ascent)
        height = max(below[0] + below[1], min_ascent + min_descent)
        descent = max(below[1], min_descent)
        return max(above[1], min_descent) + 1.2 * max(min_ascent, height - descent)

    def _line_metrics(self, size: float, dpi: float) -> tuple[float, float, float]:
        """(ascent, descent, line gap) lines are at least, in pixels, as matplotlib reads them."""
        from matplotlib.font_manager import get_font

        if not _spaces_by_font_metrics():  # the ascent and descent of "lp", no gap
            font: Any = get_font(self.paths)
            font.clear()
            font.set_size(size, dpi)
            font.set_text("lp", 0.0, flags=self.flags)
            height, descent = font.get_width_height()[1] / 64.0, font.get_descent() / 64.0
            return height - descent, descent, 0.0
        font = get_font(self.paths[0])
        head = font.get_sfnt_table("head")
        scale = size * dpi / 72.0 / (head["unitsPerEm"] if head else 2048)
        for name, gap, up, down in (("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
                                    ("hhea", "lineGap", "ascent", "descent")):
            table = font.get_sfnt_table(name) or {}
            if up in table and down in table and gap in table:
                return table[up] * scale, -table[down] * scale, table[gap] * scale
        return 0.8 * size * dpi / 72.0, 0.2 * size * dpi / 72.0, 0.0

    def family_names(self) -> str:
        from matplotlib.font_manager import get_font

        return ", ".join(dict.fromkeys(get_font(p).family_name for p in self.paths))


class Face:
    """One font file (and face of a collection): compared and hashed by identity, fast.

    Attributes
    ----------
    path : str or font_manager.FontPath
        What ``font_manager.get_font`` takes.
    """

    __slots__ = ("path",)

    def __init__(self, path: Any) -> None:
        self.path = path


_FACES: BoundedCache[Face] = BoundedCache("render.fast.fonts.faces", 256)


def _face(path: Any) -> Face:
    """The one :class:`Face` of a font file and face index."""
    key = (str(getattr(path, "path", path)), int(getattr(path, "face_index", 0)))
    face = _FACES.get(key)
    return face if face is not None else _FACES.put(key, Face(path))


def _needs_no_shaping(c: str) -> bool:
    """Whether ``c`` looks the same whatever its neighbours (a cached glyph will do)."""
    category = unicodedata.category(c)
    if category[0] in "MC" or category in ("Zl", "Zp"):
        return False
    code = ord(c)
    return not any(lo <= code < hi for lo, hi in _SHAPED_RANGES)


def current() -> Fonts:
    """The fonts matplotlib would draw text with now (remembered per setting)."""
    import matplotlib as mpl
    from matplotlib import font_manager

    manager = font_manager.fontManager
    # RcParams is a dict: read it as one, without its per-key validation
    read: Any = dict.get
    values = [id(manager), len(manager.ttflist), *map(read, repeat(mpl.rcParams), _FONT_RC)]
    last = _LAST.get(None)
    if last is not None and values == last[0]:  # the common case: nothing changed
        return last[1]
    key = tuple(tuple(v) if v.__class__ is list else v for v in values)
    fonts = _BY_SETTING.get(key)
    if fonts is None:
        from matplotlib.backends.backend_agg import get_hinting_flag

        paths = tuple(manager._find_fonts_by_props(font_manager.FontProperties()))
        fonts = Fonts(paths, get_hinting_flag())
        fonts = _BY_SETTING.put(key, fonts)
    # copies of the lists, so that a list changed in place is seen as a change
    _LAST.set(None, ([list(v) if v.__class__ is list else v for v in values], fonts))
    return fonts


# -- lines matplotlib lays out ------------------------------------------------------------------


def shaped_line(line: str, size: float, dpi: float, fonts: Fonts) -> tuple[np.ndarray, int]:
    """One line laid out by matplotlib (shaping, fallback) -> (ink, baseline row).

    Each glyph is drawn at its laid-out sub-pixel position, as matplotlib's
    Agg backend draws text. The caller holds the text lock.
    """
    from matplotlib.font_manager import get_font

    font: Any = get_font(fonts.paths)
    font.clear()
    font.set_size(size, dpi)
    if not _has_layout(font):
        return _set_text_line(font, line, fonts.flags)
    from matplotlib.ft2font import RenderMode

    identity = [[0x10000, 0], [0, 0x10000]]
    pieces = []
    pen = 0.0
    used = {}
    for item in font._layout(line, fonts.flags):
        face: Any = item.ft_object
        used[id(face)] = face
        face.set_size(size, dpi)
        face._set_transform(identity, [round(64 * item.x), round(64 * item.y)])
        bitmap = face._render_glyph(item.glyph_index, fonts.flags, RenderMode.NORMAL)
        pieces.append((bitmap.left, bitmap.top, np.array(bitmap.buffer, np.uint8)))
        advance = face.load_glyph(item.glyph_index, flags=fonts.flags).linearHoriAdvance
        pen = max(pen, item.x + advance / 65536.0)
    for face in used.values():
        face._set_transform(identity, [0, 0])
    return _place(pieces, pen)


def _spaces_by_font_metrics() -> bool:
    """Whether matplotlib spaces lines by the font's metrics (3.11 on, with its libraqm layout)."""
    from matplotlib import ft2font

    return _has_layout(ft2font.FT2Font)


def _has_layout(font: Any) -> bool:
    """Whether matplotlib lays text out with libraqm and draws glyph by glyph (3.11 on)."""
    return hasattr(font, "_layout") and hasattr(font, "_render_glyph")


def _place(pieces: list[tuple[int, int, np.ndarray]], pen: float) -> tuple[np.ndarray, int]:
    """Glyph bitmaps (left, top above the baseline, coverage) -> (ink, baseline row)."""
    if not pieces:
        return np.zeros((1, 1), np.uint8), 1
    above = max(0, max(top for _, top, _ in pieces))
    below = max(0, max(ink.shape[0] - top for _, top, ink in pieces))
    left = min(0, min(x for x, _, _ in pieces))
    right = max(int(math.ceil(pen)), max(x + ink.shape[1] for x, _, ink in pieces))
    out = np.zeros((max(above + below, 1), max(right - left, 1)), np.uint8)
    for x, top, ink in pieces:
        h, w = ink.shape
        if h and w:
            region = out[above - top:above - top + h, x - left:x - left + w]
            np.maximum(region, ink, out=region)
    return out, above


def _set_text_line(font: Any, line: str, flags: Any) -> tuple[np.ndarray, int]:
    """A line drawn as matplotlib before 3.11 draws it (``set_text`` with kerning, fallback)."""
    with warnings.catch_warnings():
        # FreeType's missing-glyph notice; it is reported once per tag instead
        warnings.simplefilter("ignore")
        font.set_text(line, 0.0, flags=flags)
    try:
        font.draw_glyphs_to_bitmap(antialiased=True)
    except RuntimeError:  # no glyph at all: an empty line
        return np.zeros((1, 1), np.uint8), 1
    ink = np.array(font.get_image(), dtype=np.uint8)
    descent = font.get_descent() / 64.0
    return ink, int(round(ink.shape[0] - 1 - descent))


# -- the warning --------------------------------------------------------------------------------


def warn_missing_once(tag: Hashable, missing: str, fonts: Fonts) -> None:
    """Warn that ``missing`` characters were drawn as boxes, the first time for ``tag``."""
    mine = object()
    if _WARNED.put(tag, mine) is not mine:  # warned before (or another thread is warning)
        return
    first, rest = missing[0], missing[1:]
    others = ", ".join(_name(c) for c in rest[:5]) + (", ..." if len(rest) > 5 else "")
    warnings.warn(
        f"Glyph {ord(first)} ({first.encode('ascii', 'namereplace').decode('ascii')}) missing"
        f" from font(s) {fonts.family_names()}"
        + (f"; also {others}" if rest else "")
        + f". figwriter drew missing characters as matplotlib does (boxes) in tag {tag!r}"
        " and warns once per tag; choose a font that has them with rcParams['font.family']"
        " or rcParams['font.sans-serif'].",
        UserWarning,
        stacklevel=_caller_level(),
    )


def _name(c: str) -> str:
    return f"U+{ord(c):04X} {c.encode('ascii', 'namereplace').decode('ascii')!r}"


def _caller_level() -> int:
    """``stacklevel`` of the first frame outside figwriter (and contextlib)."""
    # figwriter/render/fast/fonts.py -> figwriter/ (no import of the package itself)
    package = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    frame = sys._getframe(1)
    level = 1
    while frame is not None and (frame.f_code.co_filename.startswith(package)
                                 or frame.f_code.co_filename.endswith("contextlib.py")):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


def clear_cache() -> None:
    """Forget the font choices and which tags were warned about."""
    for cache in (_BY_SETTING, _LAST, _WARNED, _FACES):
        cache.clear()
