"""The fast renderer: ``imshow`` + ``colorbar`` composed in numpy.

Matplotlib is used as a library, never as a drawing engine:

* **Colours.** The colormap becomes a lookup table of its ``N`` colours plus
  its under, over and bad colours (``cmap(..., bytes=True)``), composited over
  white as Agg paints an image over a white figure, and built once per colormap.
  Each cell then gets the entry ``Colormap.__call__`` would pick for
  ``scale.norm(value)``: the same float arithmetic (``xa *= N``, ``xa == N`` is the
  top colour, ``< 0`` under, ``>= N`` over), done in fewer passes. Non-finite
  cells (NaN, +-inf) are bad, as ``imshow`` masks them; so is whatever the norm
  masks (values <= 0 under a log norm).
* **Ticks.** The colour bar's tick values and labels come from the locator and
  formatter matplotlib's ``colorbar()`` would use for the norm (the norm's own
  scale, a linear scale for ``Normalize``, a function scale for other norms),
  driven by a light stand-in for the colour bar's long axis that has its view
  limits, minimum positive value and tick space (from the bar's length in
  pixels at :data:`DPI`), so the labels, the offset text (``1e-5``, ``+1e3``)
  and the Unicode minus are those ``colorbar()`` prints for a bar of the same
  height.
* **Text.** Rasterised with matplotlib's FreeType font (DejaVu Sans) or its
  mathtext (log-scale labels), cached per string (:mod:`figwriter._glyphs`),
  and alpha-blended: the title centred above the image, tick labels right of
  the bar, the offset text above it, the label along it (rotated 90 degrees);
  the image's rows and columns are ticked like ``imshow``'s axes (whole cells,
  in the array's own indices).
* **Cells.** One data cell is one square block of pixels, never interpolated.
  Arrays whose long side is under 256 pixels are enlarged by an integer
  factor (nearest neighbour) to at least 256 (at most ``max_size``); arrays
  whose long side exceeds ``max_size`` are reduced by an integer factor
  ``f = ceil(long_side / max_size)``: each shown cell is the mean of an
  ``f x f`` block of cells (blocks at the bottom and right edges hold fewer
  cells and are averaged over the cells they hold). The sums run in the data's
  dtype (float32 data: float32 sums, within a few units in the last place of
  the exact mean), over each block's rows first, then over its columns, and
  are divided by the number of cells. **A block with any non-finite cell is
  bad** (as matplotlib's own resampling treats masked cells), and so is a
  block whose sum overflows the dtype.
* **Stable size.** The canvas size depends only on the key (the tag), the
  array's shape, whether there is a title and a label, ``max_size`` and the
  font sizes; never on the limits or the norm. Tick labels get a column as wide
  as ``"−0.00000"``; a stream whose labels are ever wider widens that column
  once, for good.
* **Extensions.** When the limits clip finite data (``scale.extend``), the bar
  ends in matplotlib-style triangles in the under/over colours, each 5% of
  the interior long, inside the bar's fixed span.
* **Reuse.** Everything that depends only on the layout, the colormap, the
  extensions and the label (background, frames, image axis ticks, the colour
  bar with its triangles) is drawn once into a read-only template; a call
  copies it and adds the cells, the title and the colour bar's ticks. A
  render's temporaries live in per-thread scratch buffers. The cost of a call
  is then one pass over a large input (the reduction) plus work proportional
  to the picture.
* **Batches.** :func:`render_fast_grid` lays panels out in a near-square grid
  (or ``ncols`` per row), each panel enlarged or reduced on its own as above,
  with one colour bar for a shared scale or one per panel; panels are reduced
  further until the picture fits :data:`GRID_MAX_SIDE` pixels a side, and no
  picture of either kind ever exceeds :data:`MAX_PICTURE_SIDE`.

Norms whose colour bars are not continuous (``BoundaryNorm``, ``NoNorm``) are
drawn by the matplotlib renderer instead.

All caches are bounded and lock-protected; cached arrays are read-only, so
any number of threads may render at once.

Examples
--------
>>> from figwriter._scale import resolve_scale
>>> data = np.arange(12.0).reshape(3, 4)
>>> rgb = render_fast(data, resolve_scale([data]), title="t", label=None, key="doc")
>>> rgb.dtype, rgb.ndim, rgb.shape[2]
(dtype('uint8'), 3, 3)
>>> layout = layout_for("doc", data.shape, title=True, label=False)
>>> layout.up, layout.image.height, layout.image.width   # 3x4 cells of 64 px
(64, 192, 256)
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from . import _glyphs
from ._glyphs import DPI, TextImage, draw_text, line_count, picture_text, rasterize, text_height
from ._scale import ColorScale

__all__ = [
    "render_fast",
    "render_fast_grid",
    "layout_for",
    "grid_layout_for",
    "grid_columns",
    "Layout",
    "GridLayout",
    "PanelPlace",
    "BarPlace",
    "Rect",
    "BarTicks",
    "bar_ticks",
    "ColourTable",
    "colour_table",
    "colour_indices",
    "colorize",
    "reduce_cells",
    "cell_factors",
    "clear_caches",
    "MIN_LONG_SIDE",
    "MAX_PICTURE_SIDE",
    "GRID_MAX_SIDE",
]

#: small arrays are enlarged until their long side has at least this many pixels
MIN_LONG_SIDE = 256
#: no picture side is ever longer (TensorBoard refuses very large images)
MAX_PICTURE_SIDE = 4096
#: the colour bar is never shorter than this, in pixels
MIN_BAR_LENGTH = 128
#: the tick-label column fits this text at least
LABEL_ALLOWANCE_TEXT = "\N{MINUS SIGN}0.00000"
#: matplotlib's default colour-bar extension length, a fraction of the interior
EXTEND_FRAC = 0.05
#: matplotlib's default colour bar aspect (long / short side)
BAR_ASPECT = 20

_MARGIN = 6
_GAP = 14  # image frame to colour bar
_WHITE = 255


def _pt(points: float) -> int:
    """Points to whole pixels at DPI."""
    return max(1, int(round(points * DPI / 72.0)))


# -- small helpers ---------------------------------------------------------------------


class Rect(NamedTuple):
    """A pixel rectangle: rows ``y .. y + height``, columns ``x .. x + width``."""

    y: int
    x: int
    height: int
    width: int

    def slices(self) -> tuple[slice, slice]:
        """``canvas[rect.slices()]`` is the rectangle's pixels."""
        return slice(self.y, self.y + self.height), slice(self.x, self.x + self.width)


class _LRU:
    """A bounded, lock-protected mapping."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> Any:
        """Store ``value`` unless another thread was first; return the stored one."""
        with self._lock:
            old = self._items.get(key)
            if old is not None:
                self._items.move_to_end(key)
                return old
            self._items[key] = value
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
            return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


def _rc() -> Any:
    """matplotlib's rcParams (read, never written)."""
    import matplotlib

    return matplotlib.rcParams


def _readonly(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


class _Scratch(threading.local):
    """Per-thread reusable buffers for the temporaries of one render.

    Fresh arrays of a few hundred kilobytes come from ``mmap`` and cost a page
    fault per 4 KiB on first touch, more than the arithmetic done in them;
    reusing one growing buffer per purpose avoids that.
    """

    def __init__(self) -> None:
        self.buffers: dict[str, np.ndarray] = {}

    def get(self, name: str, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
        dtype = np.dtype(dtype)
        size = int(np.prod(shape)) * dtype.itemsize
        buf = self.buffers.get(name)
        if buf is None or buf.nbytes < size:
            buf = self.buffers[name] = np.empty(max(size, 64), np.uint8)
        return buf[:size].view(dtype).reshape(shape)


_SCRATCH = _Scratch()


# -- colours ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ColourTable:
    """A colormap as RGB bytes over white, indexed as :func:`colour_indices` returns.

    Attributes
    ----------
    rgb : numpy.ndarray
        (N + 4, 3) uint8: rows ``1..N`` are the colours ``0..N-1``, row 0 the
        under colour, rows ``N+1`` and ``N+2`` the over colour, row ``N+3`` the
        bad colour, each composited over white.
    packed : numpy.ndarray
        The same as (N + 4,) uint32 (bytes R, G, B, 0), for fast gathers.
    n : int
        The colormap's ``N``.
    """

    rgb: np.ndarray
    packed: np.ndarray
    n: int

    @property
    def under(self) -> np.ndarray:
        return self.rgb[0]

    @property
    def over(self) -> np.ndarray:
        return self.rgb[self.n + 1]

    @property
    def bad(self) -> np.ndarray:
        return self.rgb[self.n + 3]


def _over_white(rgba: np.ndarray) -> np.ndarray:
    """RGBA bytes composited over white, rounded: what Agg shows for them."""
    rgba = rgba.astype(np.float64)
    alpha = rgba[..., 3:] / 255.0
    out = rgba[..., :3] * alpha + 255.0 * (1.0 - alpha)
    return np.clip(np.floor(out + 0.5), 0, 255).astype(np.uint8)


def _build_table(cmap: Any) -> ColourTable:
    n = int(cmap.N)
    rgba = np.empty((n + 4, 4), np.uint8)
    rgba[1:n + 1] = cmap(np.arange(n), bytes=True)
    rgba[0] = cmap(-1, bytes=True)          # integers < 0 are "under"
    rgba[n + 1] = rgba[n + 2] = cmap(n, bytes=True)   # integers >= N are "over"
    rgba[n + 3] = cmap(np.nan, bytes=True)  # NaN is "bad"
    rgb = _readonly(_over_white(rgba))
    packed = np.zeros(n + 4, np.uint32)
    packed.view(np.uint8).reshape(n + 4, 4)[:, :3] = rgb
    return ColourTable(rgb, _readonly(packed), n)


_TABLES = _LRU(64)


def _cmap_fingerprint(cmap: Any) -> tuple[Hashable, Any] | None:
    """A key equal for colormaps that colour alike, computed without ``_init``.

    Colormaps from the registry are fresh copies whose lookup table would cost
    a few hundred microseconds to build; copies share their colour data
    object, so (type, name, N, extremes, identity of that data) identifies
    them. Returns ``(key, data)`` (``data`` is kept alive with the cache entry
    so its identity cannot be reused), or None for other colormap classes.
    """
    from matplotlib.colors import LinearSegmentedColormap, ListedColormap

    kind = type(cmap)
    try:
        if kind is ListedColormap:
            data, extra = cmap.colors, None
        elif kind is LinearSegmentedColormap:
            data, extra = cmap._segmentdata, cmap._gamma
        else:
            return None

        def colour(c: Any) -> Hashable:
            return None if c is None else tuple(float(v) for v in c)

        key = (kind, cmap.name, int(cmap.N), colour(cmap._rgba_bad),
               colour(cmap._rgba_under), colour(cmap._rgba_over), extra, id(data))
    except (AttributeError, TypeError):  # pragma: no cover - other matplotlib versions
        return None
    return key, data


def colour_table(cmap: Any) -> ColourTable:
    """The (cached) :class:`ColourTable` of a matplotlib colormap.

    Examples
    --------
    >>> from matplotlib import colormaps
    >>> table = colour_table(colormaps["viridis"])
    >>> table.rgb.shape, table.bad.tolist()   # viridis's bad colour is transparent
    ((260, 3), [255, 255, 255])
    """
    fp = _cmap_fingerprint(cmap)
    if fp is None:
        key: Hashable = ("id", id(cmap))
        hit = _TABLES.get(key)
        if hit is not None and hit[0] is cmap:
            return hit[1]
        table = _build_table(cmap)
        _TABLES.put(key, (cmap, table))
        return table
    key, data = fp
    hit = _TABLES.get(key)
    if hit is not None:
        return hit[1]
    return _TABLES.put(key, (data, _build_table(cmap)))[1]


def _linear_fast_path(norm: Any) -> bool:
    from matplotlib.colors import Normalize

    return (type(norm) is Normalize and not norm.clip and norm.vmin is not None
            and norm.vmax is not None and norm.vmin < norm.vmax)


def _scaled(values: np.ndarray, norm: Any, n: int,
            scratch: _Scratch | None = None) -> tuple[np.ndarray, bool]:
    """``norm(values) * N`` as ``Colormap.__call__`` computes it, NaN where bad.

    Returns a float array of the norm's output dtype (float64 holding the
    indices for a norm that returns integers, with every index >= N set to
    N + 1), new or from ``scratch``, and whether it may hold NaN.
    """
    if _linear_fast_path(norm):
        # Normalize.__call__: resdat -= vmin; resdat /= (vmax - vmin), with
        # vmin, vmax float64 scalars; then Colormap: xa *= N (a Python int)
        vmin = np.float64(norm.vmin)
        vmax = np.float64(norm.vmax)
        if scratch is None:
            xa = np.empty(values.shape, values.dtype)
        else:
            xa = scratch.get("scaled", values.shape, values.dtype)
        np.subtract(values, vmin, out=xa)
        np.divide(xa, vmax - vmin, out=xa)
        np.multiply(xa, n, out=xa)
        if math.isfinite(float(np.add.reduce(xa, axis=None))):
            return xa, False  # no NaN, no infinity
        # non-finite input is bad (imshow masks it); a finite value that
        # overflowed keeps its under/over colour, as in matplotlib
        bad = ~np.isfinite(values)
        if bad.any():
            np.copyto(xa, np.nan, where=bad)
        return xa, True
    t = norm(np.ma.masked_invalid(values, copy=False))
    xa = np.array(np.ma.getdata(t), copy=True)
    mask = np.ma.getmask(t)
    if xa.dtype.kind == "f":
        np.multiply(xa, n, out=xa)
    else:  # a norm returning indices: < 0 under, >= N over
        xa = xa.astype(np.float64)
        np.copyto(xa, n + 1.0, where=xa >= n)
    if mask is not np.ma.nomask and mask.any():
        np.copyto(xa, np.nan, where=mask)
    bad = ~np.isfinite(values)
    if bad.any():
        np.copyto(xa, np.nan, where=bad)
    return xa, True


def colour_indices(values: np.ndarray, scale: ColorScale, n: int | None = None) -> np.ndarray:
    """Rows of :class:`ColourTable` for ``values``, as ``cmap(norm(values))`` picks.

    Parameters
    ----------
    values
        A float array; non-finite cells are bad.
    scale
        The resolved colour scale (its norm is called, never modified).
    n
        The colormap's ``N`` (default ``scale.cmap.N``).

    Returns
    -------
    numpy.ndarray
        int32 indices, same shape as ``values``: 0 under, ``1..N`` the colours,
        ``N+1``/``N+2`` over, ``N+3`` bad.

    Examples
    --------
    >>> from figwriter._scale import resolve_scale
    >>> s = resolve_scale([np.array([[0.0, 1.0]])], vmin=0.0, vmax=1.0)
    >>> colour_indices(np.array([-1.0, 0.0, 0.5, 1.0, 2.0, np.nan]), s).tolist()
    [0, 1, 129, 256, 258, 259]
    """
    return _indices(values, scale, int(scale.cmap.N) if n is None else n, None)


def _indices(values: np.ndarray, scale: ColorScale, n: int,
             scratch: _Scratch | None) -> np.ndarray:
    """:func:`colour_indices`, its temporaries (and result) in ``scratch`` if given."""
    with np.errstate(all="ignore"):  # extreme values: matplotlib's own arithmetic
        xa, maybe_nan = _scaled(values, scale.norm, n, scratch)
        # Colormap.__call__: xa == N is the top colour; < 0 under; >= N over; NaN bad
        np.clip(xa, -1.0, n + 1.0, out=xa)  # NaN stays NaN
        if scratch is None:
            top = np.flatnonzero(xa == n)
            k = np.empty(xa.shape, np.int32)
        else:
            is_top = scratch.get("top", xa.shape, bool)
            np.equal(xa, n, out=is_top)
            top = np.flatnonzero(is_top)
            k = scratch.get("indices", xa.shape, np.int32)
        if maybe_nan:
            np.fmin(xa, n + 2.0, out=xa)  # NaN -> N + 2
        np.floor(xa, out=xa)
        np.copyto(k, xa, casting="unsafe")  # int32: much faster than a cast to intp
    k += 1
    if top.size:
        k.reshape(-1)[top] -= 1
    return k


def colorize(values: np.ndarray, scale: ColorScale) -> np.ndarray:
    """RGB uint8 of ``values`` as the fast renderer paints its cells.

    Equal to ``cmap(norm(masked_invalid(values)), bytes=True)`` composited
    over white (exactly, where the colours are opaque or fully transparent).

    Examples
    --------
    >>> from figwriter._scale import resolve_scale
    >>> v = np.array([[0.0, np.nan]])
    >>> colorize(v, resolve_scale([v], vmin=0.0, vmax=1.0))[0, 1].tolist()
    [255, 255, 255]
    """
    table = colour_table(scale.cmap)
    return table.rgb[colour_indices(values, scale, table.n)]


# -- cells: reduction and enlargement ------------------------------------------------------


def cell_factors(shape: tuple[int, int], max_size: int = 512,
                 min_long_side: int = MIN_LONG_SIDE) -> tuple[int, int]:
    """``(up, down)``: enlarge by ``up`` or reduce by ``down`` (one of them is 1).

    Examples
    --------
    >>> cell_factors((64, 64)), cell_factors((4096, 4096)), cell_factors((600, 100))
    ((4, 1), (1, 8), (1, 2))
    """
    longest = max(shape)
    if longest > max_size:
        return 1, -(-longest // max_size)
    target = min(min_long_side, max_size)
    up = max(1, min(-(-target // longest), max_size // longest))
    return up, 1


_ONES: dict[tuple[int, str], np.ndarray] = {}


def _ones_row(f: int, dtype: np.dtype) -> np.ndarray:
    key = (f, dtype.str)
    ones = _ONES.get(key)
    if ones is None:
        ones = _ONES[key] = _readonly(np.ones((1, f), dtype))
    return ones


def reduce_cells(data: np.ndarray, factor: int) -> np.ndarray:
    """Block means of ``data`` over ``factor x factor`` blocks (see the module notes).

    Returns a new array of the data's dtype, shape
    ``(ceil(H / factor), ceil(W / factor))``, in which a block with any
    non-finite cell is NaN. The sums over each block's rows are one BLAS
    product with a row of ones (one pass over the data, at memory speed).

    Examples
    --------
    >>> reduce_cells(np.array([[1.0, 2.0, 3.0], [3.0, 4.0, np.nan]]), 2)
    array([[2.5, nan]])
    """
    return _reduce(data, factor, None)


def _reduce(data: np.ndarray, factor: int, scratch: _Scratch | None) -> np.ndarray:
    """:func:`reduce_cells`, its temporaries (and result) in ``scratch`` if given.

    With ``scratch``, bad blocks may hold +-inf instead of NaN (the colouring
    treats every non-finite value as bad).
    """
    if factor == 1:
        return data
    f = int(factor)
    height, width = data.shape
    h, w = -(-height // f), -(-width // f)
    hf, wf = height // f, width // f  # complete blocks
    if scratch is None:
        rows = np.empty((h, width), data.dtype)
        out = np.empty((h, w), data.dtype)
    else:
        rows = scratch.get("row sums", (h, width), data.dtype)
        out = scratch.get("cells", (h, w), data.dtype)
    with np.errstate(invalid="ignore", over="ignore"):
        if hf:
            if not _PRODUCT_OVERWRITES:  # pragma: no cover - BLAS that reads its output
                rows[:hf].fill(0)
            np.matmul(_ones_row(f, data.dtype), data[:hf * f].reshape(hf, f, width),
                      out=rows[:hf].reshape(hf, 1, width))
        if hf < h:  # the partial last block row
            np.add.reduce(data[hf * f:], axis=0, out=rows[hf])
        _reduce_columns(rows, out, f, wf)
        # divide each block's sum by its number of cells
        t = data.dtype.type
        rh, cw = height - hf * f, width - wf * f  # rows / columns of the edge blocks
        out[:hf, :wf] /= t(f * f)
        if rh:
            out[hf:, :wf] /= t(rh * f)
        if cw:
            out[:hf, wf:] /= t(f * cw)
        if rh and cw:
            out[hf:, wf:] /= t(rh * cw)
        if scratch is not None:
            return out  # the renderer paints any non-finite cell bad
        bad = ~np.isfinite(out)
    if bad.any():
        out[bad] = np.nan
    return out


def _product_overwrites() -> bool:
    """Whether ``matmul(..., out=buf)`` ignores what ``buf`` held (checked once)."""
    data = np.arange(24.0, dtype=np.float32).reshape(2, 3, 4)
    out = np.full((2, 1, 4), np.nan, np.float32)
    np.matmul(np.ones((1, 3), np.float32), data, out=out)
    return bool(np.array_equal(out[:, 0], data.sum(axis=1)))


_PRODUCT_OVERWRITES = _product_overwrites()


def _prime_factors(n: int) -> list[int]:
    out, p = [], 2
    while p * p <= n:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 1
    if n > 1:
        out.append(n)
    return out


def _reduce_columns(rows: np.ndarray, out: np.ndarray, f: int, wf: int) -> None:
    """Sum ``f`` adjacent columns of ``rows`` into ``out``.

    Complete blocks are summed by prime factors of ``f`` (for 8: adjacent
    pairs, three times), each step a few strided adds over whole rows; the
    partial last block, column by column.
    """
    if wf > 0:
        x = rows[:, :wf * f]
        factors = _prime_factors(f)
        for level, p in enumerate(factors):
            target = out[:, :wf] if level == len(factors) - 1 else None
            y = np.add(x[:, 0::p], x[:, 1::p], out=target)
            for i in range(2, p):
                y += x[:, i::p]
            x = y
    if out.shape[1] > wf:
        last = out[:, wf]
        np.copyto(last, rows[:, wf * f])
        for j in range(wf * f + 1, rows.shape[1]):
            last += rows[:, j]


# -- colour-bar ticks ---------------------------------------------------------------------


class _BarAxis:
    """Just enough of a matplotlib ``YAxis`` for locators and formatters.

    Stands for the long axis of a vertical colour bar: its view limits, its
    minimum positive value (``dataLim.minposy``), its tick space (from the bar
    length in pixels, as ``YAxis.get_tick_space`` computes it), its scale.
    """

    __name__ = "colorbar-axis"  # not "yaxis": no Axes to transform through
    axis_name = "y"

    def __init__(self, scale: Any, view: tuple[float, float], minpos: float,
                 tick_space: int) -> None:
        self._scale = scale
        self._view = view
        self._minpos = minpos
        self._tick_space = tick_space
        self.major_locator: Any = None
        self.minor_locator: Any = None
        self.major_formatter: Any = None
        self.minor_formatter: Any = None

    # what ticker.py asks of an axis
    def get_view_interval(self) -> tuple[float, float]:
        return self._view

    def set_view_interval(self, vmin: float, vmax: float, ignore: bool = False) -> None:
        self._view = (vmin, vmax)

    def get_data_interval(self) -> tuple[float, float]:
        return self._view

    def set_data_interval(self, vmin: float, vmax: float, ignore: bool = False) -> None:
        pass

    def get_minpos(self) -> float:
        return self._minpos

    def get_tick_space(self) -> int:
        return self._tick_space

    def get_scale(self) -> str:
        return str(self._scale.name)

    def get_transform(self) -> Any:
        return self._scale.get_transform()

    def get_majorticklocs(self) -> np.ndarray:
        return np.asarray(self.major_locator())

    def _get_shared_axis(self) -> list[_BarAxis]:
        return [self]

    # what scales call to install their defaults
    def set_major_locator(self, locator: Any) -> None:
        locator.set_axis(self)
        self.major_locator = locator

    def set_minor_locator(self, locator: Any) -> None:
        locator.set_axis(self)
        self.minor_locator = locator

    def set_major_formatter(self, formatter: Any) -> None:
        self.major_formatter = self._formatter(formatter)

    def set_minor_formatter(self, formatter: Any) -> None:
        self.minor_formatter = self._formatter(formatter)

    def set(self, **kwargs: Any) -> None:
        for name, value in kwargs.items():
            getattr(self, f"set_{name}")(value)

    def _formatter(self, formatter: Any) -> Any:
        from matplotlib import ticker

        if isinstance(formatter, str):
            formatter = ticker.StrMethodFormatter(formatter)
        elif callable(formatter) and not isinstance(formatter, ticker.TickHelper):
            formatter = ticker.FuncFormatter(formatter)
        formatter.set_axis(self)
        return formatter


@dataclass(frozen=True)
class BarTicks:
    """The colour bar's ticks as ``colorbar()`` would draw them.

    Attributes
    ----------
    major, minor : tuple of (float, str)
        ``(position, label)`` of each visible tick, position 0 at the bar's
        bottom (``vmin``) and 1 at its top (``vmax``); minor labels are often
        empty.
    offset : str
        The axis offset text (``"1e−5"``, ``"+1e3"``) or ``""``.
    view : tuple of float
        The bar's data limits, as matplotlib derives them from the norm.
    tick_space : int
        How many ticks the locator was told fit.
    """

    major: tuple[tuple[float, str], ...]
    minor: tuple[tuple[float, str], ...]
    offset: str
    view: tuple[float, float]
    tick_space: int

    @property
    def labels(self) -> list[str]:
        """Every non-empty label, major then minor, bottom to top."""
        return [s for _, s in self.major if s] + [s for _, s in self.minor if s]


def _axis_scale(norm: Any) -> Any:
    """The long axis scale ``Colorbar._reset_locator_formatter_scale`` sets."""
    from matplotlib import colors, scale

    own = getattr(norm, "_scale", None)
    if own:
        return own
    if type(norm) is colors.Normalize:
        return scale.LinearScale(None)
    return scale.FuncScale(None, functions=(norm, norm.inverse))


def _bar_view(norm: Any, n: int, extend: str) -> tuple[float, float]:
    """``Colorbar._process_values`` + ``_draw_all``: the bar's data limits."""
    from matplotlib import colors

    if type(norm) is colors.Normalize:
        # Normalize.inverse is vmin + val * (vmax - vmin), elementwise
        vmin, vmax = np.float64(norm.vmin), np.float64(norm.vmax)
        return float(vmin + np.float64(0.0) * (vmax - vmin)), float(vmin + (vmax - vmin))
    b = np.linspace(0.0, 1.0, n + 1)
    lower, upper = extend in ("min", "both"), extend in ("max", "both")
    if lower:
        b = np.hstack((b[0] - 1, b))
    if upper:
        b = np.hstack((b, b[-1] + 1))
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        b = np.asarray(norm.inverse(b), dtype=float)
    inside = b[int(lower):len(b) - int(upper)]
    return float(inside[0]), float(inside[-1])


_SIZES: dict[tuple[Hashable, ...], float] = {}


def _font_size(rc_key: str) -> float:
    """A font size rcParam in points (cached by the rcParams it depends on)."""
    rcParams = _rc()

    value, base = rcParams[rc_key], rcParams["font.size"]
    key = (rc_key, value, base)
    size = _SIZES.get(key)
    if size is None:
        from matplotlib.font_manager import FontProperties

        size = _SIZES[key] = float(FontProperties(size=value).get_size_in_points())
    return size


def _tick_label_size() -> float:
    return _font_size("ytick.labelsize")


def _tick_space(length_px: float, label_size: float, factor: float = 2.0) -> int:
    """``YAxis.get_tick_space`` (factor 2) / ``XAxis`` (factor 3) for a length in pixels."""
    length = length_px / DPI * 72
    size = label_size * factor
    return int(np.floor(length / size)) if size > 0 else 2**31 - 1


_RC_TICK_KEYS = (
    "axes.formatter.limits", "axes.formatter.use_locale", "axes.formatter.use_mathtext",
    "axes.formatter.min_exponent", "axes.formatter.useoffset",
    "axes.formatter.offset_threshold", "axes.unicode_minus", "axes.autolimit_mode",
    "ytick.minor.visible", "ytick.minor.ndivs", "text.usetex", "_internal.classic_mode",
    "ytick.labelsize", "font.size",
)


def _rc_snapshot() -> tuple[Hashable, ...]:
    rcParams = _rc()

    out = []
    for k in _RC_TICK_KEYS:
        v = rcParams.get(k)
        out.append(tuple(v) if isinstance(v, list) else v)
    return tuple(out)


def _norm_params(norm: Any) -> Hashable | None:
    """What besides its limits decides a known norm's ticks (None: unknown norm)."""
    from matplotlib import colors

    kind = type(norm)
    if kind is colors.Normalize:
        return (kind,)
    if kind is colors.LogNorm:
        return (kind, norm._scale.base)
    if kind is colors.SymLogNorm:
        return (kind, norm.linthresh, norm._scale.linscale, norm._scale.base)
    return None


_TICKS = _LRU(1024)
#: per thread: (norm params, rcParams) -> a stand-in axis with its locators and
#: formatters installed (creating a ScalarFormatter costs a font lookup)
_KITS = threading.local()


def _nonsingular(vmin: float, vmax: float, expander: float) -> tuple[float, float]:
    from matplotlib import transforms

    fn = getattr(transforms, "_nonsingular", None) or transforms.nonsingular
    lo, hi = fn(vmin, vmax, expander=expander)
    return float(lo), float(hi)


def _axis_kit(norm: Any, params: Hashable | None, rc: Hashable) -> _BarAxis:
    """A stand-in axis with the scale's default locators and formatters."""
    kits: OrderedDict[Hashable, _BarAxis] | None = getattr(_KITS, "kits", None)
    if kits is None:
        kits = _KITS.kits = OrderedDict()
    key = (params, rc)
    axis = kits.get(key) if params is not None else None
    if axis is None:
        scale = _axis_scale(norm)
        axis = _BarAxis(scale, (0.0, 1.0), math.inf, 9)
        scale.set_default_locators_and_formatters(axis)
        if params is not None:
            kits[key] = axis
            while len(kits) > 16:
                kits.popitem(last=False)
    return axis


def bar_ticks(norm: Any, length_px: int, *, n: int = 256, extend: str = "neither",
              label_size: float | None = None) -> BarTicks:
    """Ticks of a vertical colour bar ``length_px`` pixels long (its interior).

    Mirrors ``Colorbar._reset_locator_formatter_scale``, ``_draw_all`` (view
    limits), ``update_ticks`` and ``Axis._update_ticks`` (which ticks are
    drawn, minor ticks that duplicate major ones removed, the offset text).
    Results for the common norms are cached by limits and bar length.

    Examples
    --------
    >>> from matplotlib.colors import Normalize
    >>> ticks = bar_ticks(Normalize(0.0, 1.0), 256)
    >>> [label for _, label in ticks.major]
    ['0.0', '0.2', '0.4', '0.6', '0.8', '1.0']
    >>> bar_ticks(Normalize(1e-5, 3e-5), 256).offset
    '1e−5'
    """
    with np.errstate(all="ignore"):  # extreme limits: matplotlib's own arithmetic
        return _bar_ticks(norm, length_px, n, extend, label_size)


def _bar_ticks(norm: Any, length_px: int, n: int, extend: str,
               label_size: float | None) -> BarTicks:
    size = _tick_label_size() if label_size is None else float(label_size)
    params = _norm_params(norm)
    rc = _rc_snapshot()
    vmin, vmax = float(norm.vmin), float(norm.vmax)
    cache_key = None
    if params is not None:
        cache_key = (params, vmin, vmax, bool(norm.clip), int(length_px), int(n), extend,
                     size, rc)
        hit = _TICKS.get(cache_key)
        if hit is not None:
            return hit

    lo, hi = _nonsingular(vmin, vmax, expander=0.1)
    if (lo, hi) != (vmin, vmax):  # Colorbar._process_values widens the norm itself
        import copy

        norm = copy.copy(norm)
        norm.callbacks = type(norm.callbacks)(signals=["changed"])
        norm.vmin, norm.vmax = lo, hi
    view = _bar_view(norm, n, extend)
    minpos = min((v for v in view if v > 0), default=math.inf)
    space = _tick_space(length_px, size)
    axis = _axis_kit(norm, params, rc)
    scale = axis._scale
    axis._view, axis._minpos, axis._tick_space = view, minpos, space
    # Axis._set_lim: the major locator's nonsingular, then the scale's range
    v0, v1 = axis.major_locator.nonsingular(*view)
    v0, v1 = scale.limit_range_for_scale(v0, v1, minpos)
    v0, v1 = sorted([v0, v1], reverse=view[0] > view[1])
    axis.set_view_interval(v0, v1)

    trf = scale.get_transform()
    major_locs = np.asarray(axis.major_locator(), dtype=float)
    major_labels = axis.major_formatter.format_ticks(major_locs)
    minor_locs = np.asarray(axis.minor_locator(), dtype=float)
    if minor_locs.size and major_locs.size:
        t_lo, t_hi = sorted(np.asarray(trf.transform([v0, v1]), dtype=float))
        tol = (t_hi - t_lo) * 1e-5
        t_minor = np.asarray(trf.transform(minor_locs), dtype=float)
        t_major = np.asarray(trf.transform(major_locs), dtype=float)
        dup = np.isclose(t_minor[:, None], t_major[None, :], atol=tol, rtol=0).any(axis=1)
        minor_locs = minor_locs[~dup]
    minor_labels = axis.minor_formatter.format_ticks(minor_locs)
    interval_t = np.asarray(trf.transform([v0, v1]), dtype=float)
    t0, t1 = float(interval_t[0]), float(interval_t[1])
    # transforms._interval_contains_close: inclusive, 1e-10 of the interval
    lo_t, hi_t = min(t0, t1), max(t0, t1)
    tol_t = (hi_t - lo_t) * 1e-10

    def visible(locs: np.ndarray, labels: Sequence[str]) -> tuple[tuple[float, str], ...]:
        if not len(locs):
            return ()
        t = np.asarray(trf.transform(locs), dtype=float).reshape(-1)
        out = []
        for loc_t, label in zip(t, labels):
            if math.isfinite(loc_t) and lo_t - tol_t <= loc_t <= hi_t + tol_t:
                pos = (loc_t - t0) / (t1 - t0) if t1 != t0 else 0.5
                out.append((float(pos), str(label)))
        return tuple(out)

    major = visible(major_locs, major_labels)
    minor = visible(minor_locs, minor_labels)
    offset = axis.major_formatter.get_offset() if major_locs.size else ""
    ticks = BarTicks(major, minor, str(offset), (float(v0), float(v1)), space)
    if cache_key is not None:
        _TICKS.put(cache_key, ticks)
    return ticks


# -- layout ---------------------------------------------------------------------------------


def _line_px(size: float) -> int:
    """Height of one line of text at ``size`` points, in pixels."""
    return int(math.ceil(size * DPI / 72.0 * 1.2))


def _text_width(s: str, size: float) -> int:
    return rasterize(s, size).width


@dataclass(frozen=True)
class _Style:
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
    def current(cls) -> _Style:
        rcParams = _rc()

        return cls(
            tick_size=_font_size("ytick.labelsize"),
            title_size=_font_size("axes.titlesize"),
            label_size=_font_size("axes.labelsize"),
            tick_len=_pt(rcParams["ytick.major.size"]),
            minor_len=_pt(rcParams["ytick.minor.size"]),
            tick_pad=_pt(rcParams["ytick.major.pad"]),
            title_pad=_pt(rcParams["axes.titlepad"]),
            label_pad=_pt(rcParams["axes.labelpad"]),
        )


@dataclass(frozen=True)
class Layout:
    """Where everything goes in a single-image picture (pixels, origin top-left).

    Attributes
    ----------
    height, width : int
        The picture's size.
    shape : tuple of int
        The data's shape.
    up, down : int
        Enlargement factor (each cell is ``up x up`` pixels) or reduction
        factor (each shown cell is the mean of ``down x down`` cells).
    cells : tuple of int
        Rows and columns of shown cells (after reduction).
    image : Rect
        The shown cells' pixels; a 1-pixel frame surrounds it.
    bar : Rect
        The colour bar including room for its extension triangles.
    tick_x : int
        First column of the colour bar's tick marks.
    label_x, label_width : int
        The column reserved for the colour bar's tick labels.
    bar_label_x : int or None
        Left column of the rotated colour-bar label, if there is one.
    title : bool
        Whether room for a title is reserved.
    """

    height: int
    width: int
    shape: tuple[int, int]
    up: int
    down: int
    cells: tuple[int, int]
    image: Rect
    bar: Rect
    tick_x: int
    label_x: int
    label_width: int
    bar_label_x: int | None
    title: int  #: lines of title text (0: no title)
    style: _Style = field(repr=False)
    x_ticks: tuple[tuple[int, str], ...] = field(repr=False, default=())
    y_ticks: tuple[tuple[int, str], ...] = field(repr=False, default=())

    def bar_interior(self, extend: str) -> Rect:
        """The colour gradient's rectangle when triangles are drawn for ``extend``."""
        return _bar_interior(self.bar, extend)


def _extension_length(span: int, n_ext: int) -> int:
    if n_ext == 0:
        return 0
    return max(2, int(round(EXTEND_FRAC * span / (1 + EXTEND_FRAC * n_ext))))


def _bar_interior(bar: Rect, extend: str) -> Rect:
    lower, upper = extend in ("min", "both"), extend in ("max", "both")
    e = _extension_length(bar.height, int(lower) + int(upper))
    top = e if upper else 0
    return Rect(bar.y + top, bar.x, bar.height - e * (int(lower) + int(upper)), bar.width)


def _image_axis_ticks(n_cells: int, length_px: int, axis_name: str,
                      size: float) -> tuple[tuple[int, str], ...]:
    """Ticks of an image axis over cells ``0 .. n_cells - 1``: (pixel offset, label)."""
    from matplotlib import scale, ticker

    view = (-0.5, n_cells - 0.5)
    space = _tick_space(length_px, size, 2.0 if axis_name == "y" else 3.0)
    axis = _BarAxis(scale.LinearScale(None), view, math.inf, space)
    axis.axis_name = axis_name
    # imshow's AutoLocator, restricted to whole cells
    locator = ticker.MaxNLocator("auto", steps=[1, 2, 2.5, 5, 10], integer=True)
    axis.set_major_locator(locator)
    formatter = ticker.ScalarFormatter(useOffset=False)
    formatter.set_scientific(False)
    axis.set_major_formatter(formatter)
    locs = [float(v) for v in locator() if view[0] <= v <= view[1] and v == round(v)]
    labels = formatter.format_ticks(locs)
    out = []
    px_per_cell = length_px / n_cells
    for loc, label in zip(locs, labels):
        px = min(length_px - 1, max(0, int(math.floor((loc + 0.5) * px_per_cell))))
        out.append((px, str(label)))
    return tuple(out)


def _label_allowance(size: float) -> int:
    return _text_width(LABEL_ALLOWANCE_TEXT, size)


_LAYOUTS = _LRU(256)
#: per stream (key, shape, title?, label?, max_size): the widest tick-label
#: column it ever needed, so that its pictures never shrink back
_RESERVED = _LRU(4096)


def _stream_key(key: Hashable, shape: Hashable, title: int, label: int,
                max_size: int, kind: str) -> Hashable:
    return (kind, key, shape, int(title), int(label), int(max_size))


def _reserved_width(stream: Hashable, style: _Style) -> int:
    width = _RESERVED.get((stream, style.tick_size))
    return int(width) if width is not None else _label_allowance(style.tick_size)


def _reserve(stream: Hashable, style: _Style, needed: int) -> None:
    """Widen a stream's tick-label column to at least ``needed`` (never narrows)."""
    key = (stream, style.tick_size)
    step = 8
    with _RESERVED._lock:
        current = _RESERVED._items.get(key)
        if current is None:
            current = _label_allowance(style.tick_size)
        _RESERVED._items[key] = max(int(current), -(-needed // step) * step)
        _RESERVED._items.move_to_end(key)
        while len(_RESERVED._items) > _RESERVED.maxsize:
            _RESERVED._items.popitem(last=False)


def layout_for(key: Hashable, shape: tuple[int, int], *, title: int, label: int,
               max_size: int = 512) -> Layout:
    """The (cached) layout of a single-image picture.

    Equal for equal ``key``, ``shape``, title and label line counts (0 for
    none; ``True`` counts as one line), and ``max_size``: whatever the limits,
    norm or tick labels (unless a stream's tick labels outgrow their column,
    which then widens once). The image's
    long side is at most ``max_size``, and less when the whole picture would
    otherwise exceed :data:`MAX_PICTURE_SIDE`.

    Examples
    --------
    >>> a = layout_for("t", (64, 64), title=False, label=False)
    >>> b = layout_for("t", (64, 64), title=False, label=False)
    >>> a is b, a.up, a.image.height
    (True, 4, 256)
    """
    shape = (int(shape[0]), int(shape[1]))
    style = _Style.current()
    stream = _stream_key(key, shape, title, label, max_size, "single")
    reserved = _reserved_width(stream, style)
    cache_key = (stream, style, reserved)
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
                 style: _Style, reserved: int, *, axis_ticks: bool = True) -> Layout:
    up, down = cell_factors(shape, max_size)
    ch, cw = -(-shape[0] // down), -(-shape[1] // down)
    img_h, img_w = ch * up, cw * up
    span = max(img_h, MIN_BAR_LENGTH)
    bar_w = int(min(26, max(10, round(span / BAR_ASPECT))))
    tick_line = _line_px(style.tick_size)

    y_ticks: tuple[tuple[int, str], ...] = ()
    x_ticks: tuple[tuple[int, str], ...] = ()
    if axis_ticks:
        y_ticks = _image_axis_ticks(shape[0], img_h, "y", style.tick_size)
        x_ticks = _image_axis_ticks(shape[1], img_w, "x", style.tick_size)
    y_label_w = max((_text_width(s, style.tick_size) for _, s in y_ticks), default=0)

    top_band = tick_line // 2 + 2  # half a tick label sticks out above the bar
    top_band = max(top_band, tick_line + 4)  # the offset text above the bar
    if title:
        top_band = max(top_band, text_height(style.title_size, title) + style.title_pad)
    top = _MARGIN + top_band
    left = _MARGIN + 1
    if axis_ticks:
        left += y_label_w + style.tick_pad + style.tick_len
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
    width = right + _MARGIN
    bottom = max(top + span + tick_line // 2 + 2,
                 img_y + img_h + 1 + (style.tick_len + style.tick_pad + tick_line
                                      if axis_ticks else 0))
    height = bottom + _MARGIN
    return Layout(
        height=height, width=width, shape=shape, up=up, down=down, cells=(ch, cw),
        image=image, bar=bar, tick_x=tick_x, label_x=label_x, label_width=reserved,
        bar_label_x=bar_label_x, title=title, style=style, x_ticks=x_ticks,
        y_ticks=y_ticks,
    )


# -- drawing ---------------------------------------------------------------------------------


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
    interior = _bar_interior(bar, extend)
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


def _paint_axis_ticks(canvas: np.ndarray, layout: Layout) -> None:
    style = layout.style
    img = layout.image
    for px, label in layout.y_ticks:
        y = img.y + px
        canvas[y, img.x - 1 - style.tick_len:img.x - 1] = 0
        text = rasterize(label, style.tick_size)
        x = img.x - 1 - style.tick_len - style.tick_pad - text.width
        draw_text(canvas, text, x, y - _centre_offset(text))
    for px, label in layout.x_ticks:
        x = img.x + px
        y0 = img.y + img.height + 1
        canvas[y0:y0 + style.tick_len, x] = 0
        text = rasterize(label, style.tick_size)
        draw_text(canvas, text, x - text.width // 2,
                  y0 + style.tick_len + style.tick_pad + text.x_height - text.baseline)


def _centre_offset(text: TextImage) -> int:
    """Rows from the text's top to its ``center_baseline`` (half a digit above the baseline)."""
    return text.baseline - (text.x_height + 1) // 2


_TEMPLATES = _LRU(64)


def _template(layout: Layout, table: ColourTable, extend: str, label: str | None) -> np.ndarray:
    """The read-only picture of everything that does not change between steps."""
    key = (layout, table, extend, label)
    hit = _TEMPLATES.get(key)
    if hit is not None:
        return hit
    canvas = np.full((layout.height, layout.width, 3), _WHITE, np.uint8)
    _frame(canvas, layout.image)
    _paint_axis_ticks(canvas, layout)
    _paint_bar(canvas, layout.bar, extend, table)
    return _TEMPLATES.put(key, _readonly(canvas))


def _note_label(label: str | None, style: _Style) -> None:
    """Rasterise the bar label (cached) so its missing glyphs are reported with this picture's."""
    if label:
        rasterize(label, style.label_size, rotation=90)


def _draw_bar_label(canvas: np.ndarray, bar: Rect, x: int, label: str, size: float) -> None:
    text = rasterize(label, size, rotation=90)
    y = bar.y + (bar.height - text.height) // 2
    draw_text(canvas, text, x, y)


def _label_beside(label_x: int, ticks: BarTicks, style: _Style) -> int:
    """Left column of the bar's label: ``labelpad`` right of the widest tick label
    drawn, as matplotlib places it (the canvas keeps its reserved width beyond)."""
    widest = max((rasterize(s, style.tick_size).width for s in ticks.labels), default=0)
    return label_x + widest + style.label_pad


def _draw_bar_label_beside(canvas: np.ndarray, bar: Rect, label_x: int, ticks: BarTicks,
                           label: str | None, style: _Style) -> None:
    if label:
        _draw_bar_label(canvas, bar, _label_beside(label_x, ticks, style), label,
                        style.label_size)


def _draw_title(canvas: np.ndarray, centre_x: int, baseline_y: int, title: str,
                size: float) -> None:
    text = rasterize(title, size)
    x = centre_x - text.width // 2
    x = max(0, min(x, canvas.shape[1] - text.width))
    draw_text(canvas, text, x, baseline_y - text.baseline)


def _draw_bar_ticks(canvas: np.ndarray, interior: Rect, tick_x: int, label_x: int,
                    ticks: BarTicks, style: _Style) -> None:
    for marks, length in ((ticks.major, style.tick_len), (ticks.minor, style.minor_len)):
        for pos, label in marks:
            y = interior.y + int(math.floor((1.0 - pos) * interior.height))
            y = min(interior.y + interior.height - 1, max(interior.y, y))
            canvas[y, tick_x:tick_x + length] = 0
            if label:
                text = rasterize(label, style.tick_size)
                draw_text(canvas, text, label_x, y - _centre_offset(text))


def _draw_offset(canvas: np.ndarray, bar: Rect, offset: str, size: float) -> None:
    if not offset:
        return
    text = rasterize(offset, size)
    draw_text(canvas, text, bar.x + bar.width - text.width, bar.y - 4 - text.baseline)


def _paint_cells(canvas: np.ndarray, rect: Rect, k: np.ndarray, table: ColourTable,
                 up: int) -> None:
    """Colour the cell indices ``k`` into ``rect``, each cell ``up x up`` pixels."""
    h, w = k.shape
    packed = _SCRATCH.get("packed", (h, w), np.uint32)
    np.take(table.packed, k, mode="clip", out=packed)
    if up > 1:
        wide = _SCRATCH.get("wide", (h, w, up), np.uint32)
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
    """Whether numpy writes overlapping unaligned elements in order (checked once)."""
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


def _as_cells(data: np.ndarray) -> np.ndarray:
    """Validate ``data`` as a 2-D float array (native, C-contiguous)."""
    data = np.asarray(data)
    if data.ndim != 2:
        raise ValueError(f"data must be a 2-D array; got shape {data.shape}")
    if data.size == 0:
        raise ValueError(f"data must not be empty; got shape {data.shape}")
    if data.dtype.kind != "f" or data.dtype.itemsize not in (4, 8):
        data = data.astype(np.float64)
    if not data.dtype.isnative:
        data = data.astype(data.dtype.newbyteorder("="))
    return np.ascontiguousarray(data)


def _discrete_norm(norm: Any) -> bool:
    from matplotlib import colors

    return isinstance(norm, (colors.BoundaryNorm, colors.NoNorm))


def render_fast(data: np.ndarray, scale: ColorScale, *, title: str | None,
                label: str | None, key: Hashable, max_size: int = 512) -> np.ndarray:
    """Compose ``data`` with its colour bar into an RGB picture.

    Parameters
    ----------
    data
        2-D float32 or float64 array; non-finite cells are bad.
    scale
        The resolved colour scale.
    title
        Text above the image, or None.
    label
        Text along the colour bar, or None.
    key
        Identifies the stream (the tag): pictures of one key, shape and
        options have one size whatever the limits.
    max_size
        Longest image side in pixels; larger arrays are reduced.

    Returns
    -------
    numpy.ndarray
        (H, W, 3) uint8, C-contiguous, owned by the caller.

    Examples
    --------
    >>> from figwriter._scale import resolve_scale
    >>> x = np.linspace(0, 1, 64 * 64).reshape(64, 64)
    >>> rgb = render_fast(x, resolve_scale([x]), title=None, label="depth", key="d")
    >>> layout = layout_for("d", x.shape, title=False, label=True)
    >>> rgb.shape == (layout.height, layout.width, 3)
    True
    """
    with picture_text(key):
        return _render_fast(data, scale, title, label, key, max_size)


def _render_fast(data: np.ndarray, scale: ColorScale, title: str | None, label: str | None,
                 key: Hashable, max_size: int) -> np.ndarray:
    if _discrete_norm(scale.norm):
        from ._mpl import render_matplotlib

        return render_matplotlib(data, scale, title=title, label=label, key=key)
    data = _as_cells(data)
    table = colour_table(scale.cmap)
    layout = layout_for(key, data.shape, title=line_count(title), label=line_count(label),
                        max_size=max_size)
    interior = layout.bar_interior(scale.extend)
    ticks = bar_ticks(scale.norm, interior.height, n=table.n, extend=scale.extend,
                      label_size=layout.style.tick_size)
    needed = max((rasterize(s, layout.style.tick_size).width for s in ticks.labels),
                 default=0)
    if needed > layout.label_width:
        stream = _stream_key(key, data.shape, line_count(title), line_count(label),
                             max_size, "single")
        _reserve(stream, layout.style, needed)
        layout = layout_for(key, data.shape, title=line_count(title),
                            label=line_count(label), max_size=max_size)
    cells = _reduce(data, layout.down, _SCRATCH)
    k = _indices(cells, scale, table.n, _SCRATCH)
    canvas = _template(layout, table, scale.extend, label).copy()
    _note_label(label, layout.style)
    _paint_cells(canvas, layout.image, k, table, layout.up)
    style = layout.style
    _draw_bar_ticks(canvas, interior, layout.tick_x, layout.label_x, ticks, style)
    _draw_offset(canvas, layout.bar, ticks.offset, style.tick_size)
    if layout.bar_label_x is not None:
        _draw_bar_label_beside(canvas, layout.bar, layout.label_x, ticks, label, style)
    if title:
        _draw_title(canvas, layout.image.x + layout.image.width // 2,
                    layout.bar.y - 1 - style.title_pad, title, style.title_size)
    return canvas



# -- batches: a grid of panels -----------------------------------------------------------------

#: a batch picture is made to fit this many pixels on each side when it can
#: (panels are reduced to fit); it never exceeds MAX_PICTURE_SIDE
GRID_MAX_SIDE = 2048
#: a per-panel colour bar is never shorter than this, in pixels
MIN_PANEL_BAR = 48
#: panels whose longest side may not reach this many pixels get no titles
MIN_TITLED_PANEL = 24


def grid_columns(n: int, ncols: int | None) -> int:
    """Panels per row: as asked (at most ``n``), or a near-square grid.

    >>> grid_columns(5, None), grid_columns(5, 9), grid_columns(16, None)
    (3, 5, 4)
    """
    if ncols is not None:
        return max(1, min(int(ncols), n))
    return max(1, int(math.ceil(math.sqrt(n))))


class BarPlace(NamedTuple):
    """Where a colour bar and its text go."""

    bar: Rect  #: the bar including room for its extension triangles
    tick_x: int  #: first column of the tick marks
    label_x: int  #: left of the tick-label column
    label_width: int  #: width reserved for tick labels
    bar_label_x: int | None  #: left of the rotated bar label, if any


class PanelPlace(NamedTuple):
    """Where one panel of a batch goes."""

    shape: tuple[int, int]
    up: int
    down: int
    cells: tuple[int, int]
    image: Rect  #: the shown cells' pixels (a 1-pixel frame surrounds it)
    title_baseline: int | None  #: baseline row of the panel title, if titles are on
    bar: BarPlace | None  #: its own colour bar (per-panel scales)


@dataclass(frozen=True)
class GridLayout:
    """Where everything goes in a batch picture.

    Attributes
    ----------
    height, width : int
        The picture's size.
    ncols, nrows : int
        The grid.
    panels : tuple of PanelPlace
        Each panel's cells (``up``/``down`` factors as in :class:`Layout`),
        title and, for per-panel scales, colour bar.
    bar : BarPlace or None
        The shared colour bar (None with per-panel bars).
    panel_limit : int
        The longest panel side allowed for this batch (``max_size``, or less to
        keep the picture within :data:`GRID_MAX_SIDE`).
    """

    height: int
    width: int
    ncols: int
    nrows: int
    panels: tuple[PanelPlace, ...]
    bar: BarPlace | None
    panel_limit: int
    style: _Style = field(repr=False)

    def bars(self) -> list[BarPlace]:
        """Every colour bar, shared or per panel, in panel order."""
        if self.bar is not None:
            return [self.bar]
        return [p.bar for p in self.panels if p.bar is not None]


def _bar_width(span: int) -> int:
    return int(min(26, max(8, round(span / BAR_ASPECT))))


def _bar_block(span: int, style: _Style, reserved: int, label: int) -> int:
    """Columns a bar takes right of its image: gap, bar, ticks, labels, bar label."""
    width = 1 + _GAP + 1 + _bar_width(span) + 1 + style.tick_len + style.tick_pad + reserved
    if label:
        width += style.label_pad + text_height(style.label_size, label)
    return width


def _place_bar(x: int, y: int, span: int, style: _Style, reserved: int,
               label: int) -> BarPlace:
    """A bar whose frame starts at column ``x`` - 1, spanning rows y .. y + span."""
    bar = Rect(y, x, span, _bar_width(span))
    tick_x = bar.x + bar.width + 1
    label_x = tick_x + style.tick_len + style.tick_pad
    bar_label_x = label_x + reserved + style.label_pad if label else None
    return BarPlace(bar, tick_x, label_x, reserved, bar_label_x)


def _try_grid(shapes: Sequence[tuple[int, int]], cols: int, titles: int, label: int,
              shared: bool, limit: int, style: _Style, reserved: int) -> GridLayout:
    n = len(shapes)
    rows = -(-n // cols)
    titles = titles and limit >= MIN_TITLED_PANEL
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
    return GridLayout(height, width, cols, rows, tuple(panels), bar, limit, style)


def _make_grid_layout(shapes: Sequence[tuple[int, int]], cols: int, titles: int,
                      label: int, shared: bool, max_size: int, style: _Style,
                      reserved: int) -> GridLayout:
    """The largest panels (at most ``max_size``) that keep the picture bounded.

    Within :data:`GRID_MAX_SIDE` when 1-pixel panels can be; otherwise within
    :data:`MAX_PICTURE_SIDE`; otherwise a ValueError.
    """

    def attempt(limit: int) -> GridLayout:
        return _try_grid(shapes, cols, titles, label, shared, limit, style, reserved)

    def side(layout: GridLayout) -> int:
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
                    max_size: int = 512) -> GridLayout:
    """The (cached) layout of a batch picture.

    Equal for equal ``key``, shapes, grid, title and label line counts (the
    most lines of any panel title; 0 for none), sharing and ``max_size``,
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
    style = _Style.current()
    stream = _stream_key(key, (shapes, cols, bool(shared)), titles, label, max_size, "grid")
    reserved = _reserved_width(stream, style)
    cache_key = (stream, style, reserved)
    hit = _LAYOUTS.get(cache_key)
    if hit is not None:
        return hit
    layout = _make_grid_layout(shapes, cols, titles, label, shared, max_size, style, reserved)
    return _LAYOUTS.put(cache_key, layout)


def _grid_template(layout: GridLayout, tables: tuple[ColourTable, ...],
                   extends: tuple[str, ...], label: str | None) -> np.ndarray:
    key = ("grid", layout, tables, extends, label)
    hit = _TEMPLATES.get(key)
    if hit is not None:
        return hit
    canvas = np.full((layout.height, layout.width, 3), _WHITE, np.uint8)
    for panel in layout.panels:
        _frame(canvas, panel.image)
    for where, table, extend in zip(layout.bars(), tables, extends):
        _paint_bar(canvas, where.bar, extend, table)
    return _TEMPLATES.put(key, _readonly(canvas))


def render_fast_grid(panels: list[np.ndarray], scales: list[ColorScale], *,
                     titles: list[str | None] | None, label: str | None,
                     ncols: int | None, key: Hashable, max_size: int = 512) -> np.ndarray:
    """Compose a batch as a grid of panels with one shared or per-panel colour bars.

    Parameters
    ----------
    panels
        2-D float arrays, possibly of different shapes; non-finite cells are bad.
    scales
        One scale (one colour bar for every panel) or one per panel.
    titles
        A title per panel (None entries for none), or None.
    label
        Text along the colour bar(s), or None.
    ncols
        Panels per row; default a near-square grid (``ceil(sqrt(n))``).
    key
        Identifies the stream (the tag), for a stable picture size.
    max_size
        Longest side of a panel in pixels; panels are reduced further when
        the whole picture would exceed :data:`GRID_MAX_SIDE` pixels a side.

    Returns
    -------
    numpy.ndarray
        (H, W, 3) uint8, C-contiguous, owned by the caller.

    Examples
    --------
    >>> from figwriter._scale import resolve_scale
    >>> batch = [np.eye(4), np.ones((3, 5))]
    >>> rgb = render_fast_grid(batch, [resolve_scale(batch)], titles=["a", None],
    ...                        label=None, ncols=None, key="doc-grid")
    >>> rgb.shape[2], rgb.dtype
    (3, dtype('uint8'))
    """
    if not panels:
        raise ValueError("panels must hold at least one panel; got an empty list")
    n = len(panels)
    if len(scales) not in (1, n):
        raise ValueError(
            f"scales must hold one scale (shared) or one per panel ({n}); got {len(scales)}"
        )
    if titles is not None and len(titles) != n:
        raise ValueError(f"titles must hold one entry per panel ({n}); got {len(titles)}")
    with picture_text(key):
        return _render_fast_grid(panels, scales, titles, label, ncols, key, max_size)


def _render_fast_grid(panels: list[np.ndarray], scales: list[ColorScale],
                      titles: list[str | None] | None, label: str | None, ncols: int | None,
                      key: Hashable, max_size: int) -> np.ndarray:
    n = len(panels)
    if any(_discrete_norm(s.norm) for s in scales):
        from ._mpl import render_matplotlib_grid

        return render_matplotlib_grid(panels, scales, titles=titles, label=label,
                                      ncols=ncols, key=key)
    data = [_as_cells(p) for p in panels]
    shared = len(scales) == 1
    has_titles = max(map(line_count, titles or [None]))
    shapes = [d.shape for d in data]

    def layout_now() -> GridLayout:
        return grid_layout_for(key, shapes, ncols=ncols, titles=has_titles,
                               label=line_count(label), shared=shared, max_size=max_size)

    layout = layout_now()
    tables = tuple(colour_table(s.cmap) for s in scales)
    bars = layout.bars()
    ticks = [
        bar_ticks(s.norm, _bar_interior(b.bar, s.extend).height, n=t.n, extend=s.extend,
                  label_size=layout.style.tick_size)
        for s, t, b in zip(scales, tables, bars)
    ]
    needed = max((rasterize(text, layout.style.tick_size).width
                  for tk in ticks for text in tk.labels), default=0)
    if needed > bars[0].label_width:
        stream = _stream_key(key, (tuple(shapes), grid_columns(n, ncols), bool(shared)),
                             has_titles, line_count(label), max_size, "grid")
        _reserve(stream, layout.style, needed)
        layout = layout_now()
        bars = layout.bars()
    extends = tuple(s.extend for s in scales)
    canvas = _grid_template(layout, tables, extends, label).copy()
    _note_label(label, layout.style)
    style = layout.style
    for i, (panel, place) in enumerate(zip(data, layout.panels)):
        scale = scales[0] if shared else scales[i]
        table = tables[0] if shared else tables[i]
        k = _indices(_reduce(panel, place.down, _SCRATCH), scale, table.n, _SCRATCH)
        _paint_cells(canvas, place.image, k, table, place.up)
        title = titles[i] if titles is not None else None
        if title and place.title_baseline is not None:
            _draw_title(canvas, place.image.x + place.image.width // 2, place.title_baseline,
                        title, style.title_size)
    for where, scale, tk in zip(bars, scales, ticks):
        interior = _bar_interior(where.bar, scale.extend)
        _draw_bar_ticks(canvas, interior, where.tick_x, where.label_x, tk, style)
        _draw_offset(canvas, where.bar, tk.offset, style.tick_size)
        if where.bar_label_x is not None:
            _draw_bar_label_beside(canvas, where.bar, where.label_x, tk, label, style)
    return canvas


def clear_caches() -> None:
    """Forget every cached table, layout, template, tick set and reserved width."""
    for cache in (_TABLES, _TICKS, _LAYOUTS, _TEMPLATES, _RESERVED):
        cache.clear()
    _glyphs.clear_cache()
