"""Colours: a colormap as a lookup table, and the table row of every cell.

The colormap becomes a lookup table of its ``N`` colours plus its under, over
and bad colours (``cmap(..., bytes=True)``), composited over white as Agg
paints an image over a white figure, and built once per colormap. Each cell
then gets the entry ``Colormap.__call__`` would pick for ``scale.norm(value)``:
the same float arithmetic (``xa *= N``, ``xa == N`` is the top colour, ``< 0``
under, ``>= N`` over), done in fewer passes. Non-finite cells (NaN, +-inf) are
bad, as ``imshow`` masks them; so is whatever the norm masks (values <= 0 under
a log norm).
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..._cache import BoundedCache
from ..._scale import ColorScale
from ..cells import Scratch, readonly

__all__ = ["ColourTable", "colour_table", "colour_indices", "colorize", "indices_into"]


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
    rgb = readonly(_over_white(rgba))
    packed = np.zeros(n + 4, np.uint32)
    packed.view(np.uint8).reshape(n + 4, 4)[:, :3] = rgb
    return ColourTable(rgb, readonly(packed), n)


#: colour tables by colormap (fingerprint or identity)
_TABLES: BoundedCache[tuple[Any, ColourTable]] = BoundedCache("render.fast.colours.tables", 64)


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
            scratch: Scratch | None = None) -> tuple[np.ndarray, bool]:
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
    return indices_into(values, scale, int(scale.cmap.N) if n is None else n, None)


def indices_into(values: np.ndarray, scale: ColorScale, n: int,
             scratch: Scratch | None) -> np.ndarray:
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
