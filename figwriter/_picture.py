"""Per-picture options shared by both renderers: pure geometry and colour rules.

What ``aspect``, ``origin``, ``extent``, tick labels, ``annot``, ``background``,
``reduce`` and ``hold_scale`` mean, decided once here so that the fast and the
matplotlib renderer draw the same thing:

* **Cell geometry** (:func:`cell_grid`): how many pixels a cell gets along each
  axis. ``aspect="equal"`` (the default) keeps square cells (in data units when
  an ``extent`` is given, as ``imshow`` does); a number is the height/width of
  one cell (again in data units); ``"auto"`` sizes each axis on its own, so any
  shape fills a readable box of a few hundred pixels a side. Cells stay whole
  blocks of pixels: each axis is enlarged by an integer factor or reduced by an
  integer factor, separately, so a numeric aspect is honoured as closely as
  whole pixels allow.
* **Reduction** (:func:`reduce_blocks`): ``"mean"``, ``"max"``, ``"min"`` or
  ``"mode"`` over ``fy x fx`` blocks. **Labels are never averaged by default**
  (:func:`default_reduce`): integer or bool data drawn with a qualitative
  colormap (a ``ListedColormap`` of at most :data:`QUALITATIVE_MAX_COLOURS`
  colours, such as ``tab10``, ``tab20`` or ``Set3``) or with a ``BoundaryNorm``
  or ``NoNorm`` is reduced by ``"mode"``, so a picture never shows a class that
  is not in its data.
* **Annotations** (:func:`annotation_text`, :func:`dark_text`): each cell's
  string is ``("{:" + fmt + "}").format(value)`` and its colour is seaborn's
  choice: dark grey ``".15"`` on cells whose relative luminance exceeds 0.408,
  white on the others.
* **Background** (:func:`background_rgb`, :func:`resample`, :func:`blend`): the
  colour-mapped cells are blended over an image resampled to the data block
  (Pillow's bilinear filter):
  ``out = floor(a * cell + (1 - a) * background + 0.5)`` per channel, where
  ``cell`` is the RGB of ``cmap(norm(value), bytes=True)`` and
  ``a = alpha * cell_alpha / 255`` (the colormap's own alpha: 0 for its
  transparent bad colour, so bad cells show the background).
* **Held scales** (:class:`HeldScales`): with ``hold_scale=True`` the limits a
  tag resolved first are kept for it.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Union

import numpy as np

__all__ = [
    "PictureOptions",
    "AnnotationWarning",
    "warn_small_cells",
    "Warned",
    "AxisCells",
    "cell_grid",
    "cell_ratio",
    "reduce_blocks",
    "default_reduce",
    "annotation_text",
    "dark_text",
    "ANNOT_DARK",
    "ANNOT_LIGHT",
    "background_rgb",
    "resample",
    "blend",
    "HeldScales",
    "label_step",
    "ASPECTS",
    "ORIGINS",
    "REDUCE_MODES",
    "QUALITATIVE_MAX_COLOURS",
    "MIN_DATA_SIDE",
]

ASPECTS = ("equal", "auto")
ORIGINS = ("upper", "lower")
REDUCE_MODES = ("mean", "max", "min", "mode")
#: a ListedColormap with at most this many colours is qualitative (class colours)
QUALITATIVE_MAX_COLOURS = 32
#: an axis of at least this many cells is never drawn shorter, in pixels
MIN_DATA_SIDE = 32
#: seaborn's annotation colours: ".15" on light cells, "w" on dark ones
ANNOT_DARK = (38, 38, 38)
ANNOT_LIGHT = (255, 255, 255)
#: seaborn's threshold on the cell colour's relative luminance
ANNOT_LUMINANCE = 0.408

Aspect = Union[str, float]


@dataclass(frozen=True, eq=False)
class PictureOptions:
    """Everything about one picture besides its data and colour scale.

    Validated by the mixin before any data is touched; the defaults draw what
    ``imshow`` + ``colorbar`` draw for a plain array.

    Attributes
    ----------
    aspect : {"equal", "auto"} or float
        Cell shape: square (in data units), filling a box, or height/width.
    origin : {"upper", "lower"}
        Where row 0 goes.
    extent : tuple of 4 floats or None
        ``(left, right, bottom, top)`` in data units for the image axes.
    xlabel, ylabel : str or None
        Axis labels.
    xticklabels, yticklabels : tuple of str, True or False
        One label per column/row (thinned to fit), True for numeric ticks,
        False for no ticks.
    annot : bool
        Write each cell's value (or the matching ``annot`` array's) in it.
    fmt : str
        Format spec of the annotations.
    alpha : float
        Opacity of the cells over a background.
    reduce : {"mean", "max", "min", "mode"} or None
        How cells are combined when reduced; None: by :func:`default_reduce`.
    hold_scale : bool
        Keep the limits of the tag's first call.
    blended : bool
        Blend the cells over ``background`` (white when None) with ``alpha``.
    annot_values : numpy.ndarray or None
        What to write in the cells instead of the data's values.
    background : numpy.ndarray or None
        (H, W, 3) uint8 image under the cells.
    """

    aspect: Aspect = "equal"
    origin: str = "upper"
    extent: tuple[float, float, float, float] | None = None
    xlabel: str | None = None
    ylabel: str | None = None
    xticklabels: tuple[str, ...] | bool = True
    yticklabels: tuple[str, ...] | bool = True
    annot: bool = False
    fmt: str = ".2g"
    alpha: float = 0.5
    reduce: str | None = None
    hold_scale: bool = False
    blended: bool = False
    annot_values: np.ndarray | None = field(default=None, repr=False)
    warned: Warned | None = field(default=None, repr=False)
    background: np.ndarray | None = field(default=None, repr=False)
    _key: Hashable = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_key", (
            self.aspect, self.origin, self.extent, self.xlabel, self.ylabel,
            self.xticklabels, self.yticklabels, self.annot, self.fmt,
        ))

    @property
    def layout_key(self) -> Hashable:
        """What of these options decides where things go (not alpha, reduce, hold)."""
        return self._key

    @property
    def plain_layout(self) -> bool:
        """Whether the axes are laid out as for a plain array (no option changes them)."""
        return self._key == _DEFAULT_KEY

    @property
    def is_plain(self) -> bool:
        """Whether the picture is the plain ``imshow`` + ``colorbar`` one."""
        return (self._key == _DEFAULT_KEY and not self.blended
                and self.reduce in (None, "mean"))


_DEFAULT_KEY = PictureOptions().layout_key


# -- cell geometry ---------------------------------------------------------------------------


class AxisCells(NamedTuple):
    """One image axis: ``n`` data cells, each shown cell ``up`` pixels, ``down`` cells."""

    n: int
    up: int
    down: int

    @property
    def shown(self) -> int:
        """Cells after reduction."""
        return -(-self.n // self.down)

    @property
    def length(self) -> int:
        """Pixels along the axis."""
        return self.shown * self.up


def cell_ratio(shape: tuple[int, int], aspect: Aspect,
               extent: tuple[float, float, float, float] | None) -> float | None:
    """A cell's height / width on screen, as ``imshow`` draws it; None for ``"auto"``.

    >>> cell_ratio((10, 20), "equal", (0.0, 20.0, 0.0, 5.0))
    0.5
    """
    if aspect == "auto":
        return None
    a = 1.0 if aspect == "equal" else float(aspect)
    if extent is None:
        return a
    left, right, bottom, top = extent
    return a * (abs(top - bottom) / shape[0]) / (abs(right - left) / shape[1])


def _square_factors(longest: int, max_size: int, min_long_side: int) -> tuple[int, int]:
    if longest > max_size:
        return 1, -(-longest // max_size)
    target = min(min_long_side, max_size)
    return max(1, min(-(-target // longest), max_size // longest)), 1


def _axis(n: int, pixels_per_cell: float, max_size: int) -> AxisCells:
    p = max(pixels_per_cell, min(n, MIN_DATA_SIDE) / n)
    if p >= 1.0 - 1e-9:
        return AxisCells(n, max(1, min(int(round(p)), max_size // n)), 1)
    length = max(1, int(math.floor(n * p + 1e-9)))
    return AxisCells(n, 1, -(-n // length))


def _widen(axis: AxisCells, min_cell: int, max_size: int) -> AxisCells:
    """Enlarge an axis' cells to ``min_cell`` pixels where ``max_size`` allows."""
    if axis.down > 1 or axis.up >= min_cell:
        return axis
    return AxisCells(axis.n, max(axis.up, min(min_cell, max_size // axis.n)), 1)


def cell_grid(shape: tuple[int, int], aspect: Aspect = "equal",
              extent: tuple[float, float, float, float] | None = None,
              max_size: int = 512, min_long_side: int = 256,
              min_cell: int = 1) -> tuple[AxisCells, AxisCells]:
    """Rows and columns: integer enlargement or reduction per axis.

    Square cells get the plain rule (one factor for both axes: enlarge until
    the long side reaches ``min_long_side``, reduce until it fits
    ``max_size``); ``"auto"`` applies that rule to each axis alone; other
    ratios scale the long side as the plain rule would and round each axis to
    whole pixels per cell (never below :data:`MIN_DATA_SIDE` pixels for an
    axis that has that many cells). Enlarged cells get at least ``min_cell``
    pixels a side where ``max_size`` allows (room for annotations).

    >>> [tuple(a) for a in cell_grid((80, 1000), "auto")]
    [(80, 4, 1), (1000, 1, 2)]
    >>> [a.length for a in cell_grid((64, 64), 0.5)]
    [128, 256]
    """
    rows, cols = _cell_grid((int(shape[0]), int(shape[1])), aspect, extent, max_size,
                            min_long_side)
    if min_cell > 1:
        if (rows.up, rows.down) == (cols.up, cols.down) and cell_ratio(
                shape, aspect, extent) == 1.0:
            up = max(rows.up, min(min_cell, max_size // max(shape))) if rows.down == 1 else 1
            return AxisCells(rows.n, up, rows.down), AxisCells(cols.n, up, cols.down)
        rows, cols = _widen(rows, min_cell, max_size), _widen(cols, min_cell, max_size)
    return rows, cols


def _cell_grid(shape: tuple[int, int], aspect: Aspect,
               extent: tuple[float, float, float, float] | None, max_size: int,
               min_long_side: int) -> tuple[AxisCells, AxisCells]:
    h, w = shape
    ratio = cell_ratio((h, w), aspect, extent)
    if ratio is None:
        fy, fx = (_square_factors(n, max_size, min_long_side) for n in (h, w))
        return AxisCells(h, *fy), AxisCells(w, *fx)
    if ratio == 1.0:
        up, down = _square_factors(max(h, w), max_size, min_long_side)
        return AxisCells(h, up, down), AxisCells(w, up, down)
    long_v = max(h * ratio, float(w))
    target = min(min_long_side, max_size)
    if long_v > max_size:
        s = max_size / long_v
    elif long_v < target:
        s = target / long_v
    else:
        s = 1.0
    return _axis(h, s * ratio, max_size), _axis(w, s, max_size)


# -- reduction ---------------------------------------------------------------------------------


def default_reduce(kind: str, cmap: Any, norm: Any) -> str:
    """``"mode"`` for labels (see the module notes), ``"mean"`` otherwise.

    ``kind`` is the input's numpy dtype kind (``"b"``, ``"i"``, ``"u"``, ``"f"``).

    >>> from matplotlib import colormaps
    >>> from matplotlib.colors import Normalize
    >>> default_reduce("i", colormaps["tab20"], Normalize()), default_reduce(
    ...     "f", colormaps["tab20"], Normalize())
    ('mode', 'mean')
    """
    from matplotlib import colors

    if kind not in ("b", "i", "u"):
        return "mean"
    if isinstance(norm, (colors.BoundaryNorm, colors.NoNorm)):
        return "mode"
    if isinstance(cmap, colors.ListedColormap) and cmap.N <= QUALITATIVE_MAX_COLOURS:
        return "mode"
    return "mean"


def _padded(data: np.ndarray, fy: int, fx: int, fill: float) -> np.ndarray:
    """``data`` with non-finite cells set to ``fill``, padded with it to whole blocks."""
    h, w = data.shape
    out = np.full((-(-h // fy) * fy, -(-w // fx) * fx), fill, data.dtype)
    out[:h, :w] = data
    if not np.isfinite(np.add.reduce(data, axis=None)):
        inner = out[:h, :w]
        inner[~np.isfinite(inner)] = fill
    return out


def _blocks(padded: np.ndarray, fy: int, fx: int) -> np.ndarray:
    hh, ww = padded.shape
    return padded.reshape(hh // fy, fy, ww // fx, fx)


def _reduce_mean(data: np.ndarray, fy: int, fx: int) -> np.ndarray:
    h, w = data.shape
    rows = np.arange(0, h, fy)
    cols = np.arange(0, w, fx)
    with np.errstate(invalid="ignore", over="ignore"):
        sums = np.add.reduceat(np.add.reduceat(data, rows, axis=0), cols, axis=1)
        count_y = np.minimum(fy, h - rows).astype(data.dtype)
        count_x = np.minimum(fx, w - cols).astype(data.dtype)
        out = sums / (count_y[:, None] * count_x[None, :])
    out[~np.isfinite(out)] = np.nan
    return out


def _reduce_extreme(data: np.ndarray, fy: int, fx: int, largest: bool) -> np.ndarray:
    fill = -np.inf if largest else np.inf
    blocks = _blocks(_padded(data, fy, fx, fill), fy, fx)
    out = blocks.max(axis=(1, 3)) if largest else blocks.min(axis=(1, 3))
    out[~np.isfinite(out)] = np.nan
    return out


def _reduce_mode(data: np.ndarray, fy: int, fx: int) -> np.ndarray:
    blocks = _blocks(_padded(data, fy, fx, np.nan), fy, fx)
    bh, _, bw, _ = blocks.shape
    rows = np.sort(blocks.transpose(0, 2, 1, 3).reshape(bh * bw, fy * fx), axis=1)
    m = rows.shape[1]
    index = np.arange(m, dtype=np.int32)
    new_run = np.ones(rows.shape, bool)
    np.not_equal(rows[:, 1:], rows[:, :-1], out=new_run[:, 1:])
    starts = np.where(new_run, index, 0)
    np.maximum.accumulate(starts, axis=1, out=starts)
    run = index - starts + 1
    run[np.isnan(rows)] = 0
    # the first value to reach the longest run: ties go to the smallest value
    pick = run.argmax(axis=1)
    out = rows[np.arange(rows.shape[0]), pick]
    return out.reshape(bh, bw)


def reduce_blocks(data: np.ndarray, fy: int, fx: int, mode: str = "mean") -> np.ndarray:
    """Combine ``fy x fx`` blocks of a float array (edge blocks hold fewer cells).

    ``"mean"``: a block with any non-finite cell is bad (NaN), as in matplotlib's
    resampling. ``"max"``, ``"min"``, ``"mode"``: over the block's finite cells;
    a block with none is bad. ``"mode"`` is the most frequent value, the
    smallest of those tied.

    >>> a = np.array([[1.0, 5.0, 2.0], [1.0, np.nan, 2.0]])
    >>> reduce_blocks(a, 2, 2, "max").tolist(), reduce_blocks(a, 2, 2, "mode").tolist()
    ([[5.0, 2.0]], [[1.0, 2.0]])
    """
    if fy == 1 and fx == 1:
        return data
    if mode == "mean":
        return _reduce_mean(data, fy, fx)
    if mode in ("max", "min"):
        return _reduce_extreme(data, fy, fx, mode == "max")
    if mode == "mode":
        return _reduce_mode(data, fy, fx)
    raise ValueError(f"reduce must be one of {REDUCE_MODES}; got {mode!r}")


class AnnotationWarning(UserWarning):
    """Some cells were too small for their annotation and were left without it."""


class Warned:
    """The tags a writer has warned about already (one annotation warning per tag)."""

    def __init__(self) -> None:
        self._tags: set[Hashable] = set()
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        with self._lock:
            return {"tags": set(self._tags)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._tags = set(state["tags"])
        self._lock = threading.Lock()

    def first(self, key: Hashable) -> bool:
        """True the first time ``key`` is seen."""
        with self._lock:
            if key in self._tags:
                return False
            self._tags.add(key)
            return True


def warn_small_cells(warned: Warned | None, key: Hashable, skipped: int, cell: str) -> None:
    """Warn that ``skipped`` cells got no annotation: once per tag of a writer
    (``warned``), or at every call when there is no writer."""
    if warned is not None and not warned.first(key):
        return
    import warnings

    where = f"{key[0]!r} (panel {key[1]})" if isinstance(key, tuple) and len(key) == 2 \
        else repr(key)
    warnings.warn(
        f"annot: {skipped} cells of {where} are too small for their text ({cell} pixels) "
        "and have none; pass fewer cells, a larger max_size or a shorter fmt "
        "(warned once per tag)",
        AnnotationWarning, stacklevel=4,
    )


# -- annotations -------------------------------------------------------------------------------


INTEGER_TYPES = ("b", "c", "d", "o", "x", "X")


def annotation_text(value: Any, fmt: str) -> str:
    """The annotation seaborn's ``heatmap`` writes for ``value``.

    >>> annotation_text(3.14159, ".2g"), annotation_text(7, "d")
    ('3.1', '7')
    """
    if (isinstance(value, (float, np.floating)) and fmt[-1:] in INTEGER_TYPES
            and float(value).is_integer()):
        value = int(value)  # integers arrive as floats; "d" formats them as given
    return ("{:" + fmt + "}").format(value)


def dark_text(rgba: np.ndarray) -> np.ndarray:
    """Whether seaborn writes dark text on cells of these colours (floats 0..1).

    ``rgba`` is (..., 3) or (..., 4) float; True where the W3C relative
    luminance exceeds 0.408.
    """
    rgb = np.asarray(rgba, dtype=float)[..., :3]
    linear = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return np.asarray(linear @ np.array([0.2126, 0.7152, 0.0722]) > ANNOT_LUMINANCE)


# -- background ---------------------------------------------------------------------------------


def background_rgb(image: np.ndarray) -> np.ndarray:
    """A background image as (H, W, 3) uint8.

    uint8 is taken as is; bool as black/white; other integers must lie in
    0..255; floats are intensities in 0..1 (clipped, NaN black), rounded.
    Grey (H, W) images are repeated over the three channels.
    """
    a = np.asarray(image)
    if a.dtype.kind == "b":
        a = a.astype(np.uint8) * 255
    elif a.dtype.kind == "f":
        a = np.floor(np.clip(np.nan_to_num(a.astype(np.float64)), 0.0, 1.0) * 255.0 + 0.5)
        a = a.astype(np.uint8)
    elif a.dtype != np.uint8:
        a = a.astype(np.uint8)
    if a.ndim == 2:
        a = np.repeat(a[:, :, None], 3, axis=2)
    return np.ascontiguousarray(a)


#: Pillow first shrinks by whole factors with a box filter while the image stays
#: at least this many times the target size (a fast, antialiased reduction)
REDUCING_GAP = 2.0


#: resampled backgrounds by content digest and size: a run that logs a heat map
#: over the same validation image every step resamples it once
_RESAMPLED: OrderedDict[Hashable, np.ndarray] = OrderedDict()
_RESAMPLED_SIZE = 8
_RESAMPLED_LOCK = threading.Lock()


def resample(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """An (H, W, 3) uint8 image resized to ``height x width``:
    ``PIL.Image.resize(..., BILINEAR, reducing_gap=2.0)`` (cached by content)."""
    if image.shape[:2] == (height, width):
        return image
    import hashlib

    key = (hashlib.blake2b(np.ascontiguousarray(image).data, digest_size=16).digest(),
           image.shape, height, width)
    with _RESAMPLED_LOCK:
        hit = _RESAMPLED.get(key)
        if hit is not None:
            _RESAMPLED.move_to_end(key)
            return hit
    out = _resample(image, height, width)
    out.flags.writeable = False
    with _RESAMPLED_LOCK:
        _RESAMPLED[key] = out
        while len(_RESAMPLED) > _RESAMPLED_SIZE:
            _RESAMPLED.popitem(last=False)
    return out


def clear_caches() -> None:
    """Forget resampled backgrounds and blend tables."""
    with _RESAMPLED_LOCK:
        _RESAMPLED.clear()
    _BLEND_TABLES.clear()


def _resample(image: np.ndarray, height: int, width: int) -> np.ndarray:
    from PIL import Image

    resized = Image.fromarray(image, "RGB").resize((width, height), Image.Resampling.BILINEAR,
                                                   reducing_gap=REDUCING_GAP)
    return np.asarray(resized)


_BLEND_TABLES: dict[float, np.ndarray] = {}


def _blend_table(a: float) -> np.ndarray:
    """``floor(a * c + (1 - a) * b + 0.5)`` for every byte pair, as [c * 256 + b]."""
    table = _BLEND_TABLES.get(a)
    if table is None:
        c = np.arange(256, dtype=np.float64)[:, None]
        b = np.arange(256, dtype=np.float64)[None, :]
        table = np.floor(a * c + (1.0 - a) * b + 0.5).astype(np.uint8).ravel()
        table.flags.writeable = False
        if len(_BLEND_TABLES) >= 16:
            _BLEND_TABLES.clear()
        _BLEND_TABLES[a] = table
    return table


def blend(cells: np.ndarray, cell_alpha: np.ndarray, background: np.ndarray,
          alpha: float) -> np.ndarray:
    """``floor(a * cells + (1 - a) * background + 0.5)``, ``a = alpha * cell_alpha``.

    ``cells`` and ``background`` are (H, W, 3) uint8, ``cell_alpha`` (H, W)
    floats in 0..1 (the colormap's alpha of each pixel's colour). Opaque
    colours go through a table of the formula's 65,536 results; others are
    computed in float64.
    """
    index = cells.astype(np.uint16)
    index <<= 8
    index += background
    out = _blend_table(float(alpha)).take(index)
    partial = cell_alpha != 1.0
    if partial.any():
        a = float(alpha) * cell_alpha[partial][:, None]
        mixed = a * cells[partial] + (1.0 - a) * background[partial]
        out[partial] = np.floor(mixed + 0.5).astype(np.uint8)
    return out


# -- tick labels ----------------------------------------------------------------------------------


def label_step(n_labels: int, length_px: float, font_size: float, dpi: float = 100.0) -> int:
    """Show every n-th label, as seaborn's ``heatmap(xticklabels="auto")`` thins them.

    0 when not even one label fits.

    >>> label_step(10, 400, 10.0), label_step(100, 400, 10.0)
    (1, 4)
    """
    max_ticks = int((length_px / dpi) // (font_size / 72.0))
    if max_ticks < 1:
        return 0
    return n_labels // max_ticks + 1


# -- held scales -------------------------------------------------------------------------------


class HeldScales:
    """The limits each tag (or tag and panel) resolved first, for ``hold_scale``.

    Owned by one writer; safe to use from its worker thread.
    """

    def __init__(self) -> None:
        self._limits: dict[Hashable, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        with self._lock:
            return {"limits": dict(self._limits)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._limits = dict(state["limits"])
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> tuple[float, float] | None:
        with self._lock:
            return self._limits.get(key)

    def hold(self, key: Hashable, vmin: float, vmax: float) -> tuple[float, float]:
        """Keep ``(vmin, vmax)`` for ``key`` unless limits are held already; return the held."""
        with self._lock:
            return self._limits.setdefault(key, (float(vmin), float(vmax)))

    def __len__(self) -> int:
        return len(self._limits)


def held_options(options: Any, limits: tuple[float, float]) -> Any:
    """Scale options that resolve to ``limits`` whatever the data (extensions still follow it)."""
    from dataclasses import replace

    return replace(options, vmin=limits[0], vmax=limits[1], center=None, robust=False)


def resolve_held(arrays: Sequence[np.ndarray], options: Any, held: HeldScales | None,
                 key: Hashable) -> Any:
    """The colour scale of ``arrays``; with ``held``, the limits ``key`` resolved first."""
    from ._scale import resolve_scale

    if held is None:
        return resolve_scale(arrays, options)
    limits = held.get(key)
    if limits is None:
        scale = resolve_scale(arrays, options)
        limits = held.hold(key, scale.vmin, scale.vmax)
        if limits == (scale.vmin, scale.vmax):
            return scale
    return resolve_scale(arrays, held_options(options, limits))
