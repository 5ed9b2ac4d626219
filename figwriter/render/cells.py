"""Cells: what both back ends need to know about an array's cells and a grid.

* **Enlargement and reduction.** One data cell is one square block of pixels,
  never interpolated. Arrays whose long side is under :data:`MIN_LONG_SIDE`
  pixels are enlarged by an integer factor (nearest neighbour); arrays whose
  long side exceeds ``max_size`` are reduced by an integer factor
  ``f = ceil(long_side / max_size)`` (:func:`cell_factors`).
* **Block means.** :func:`reduce_cells`: each shown cell is the mean of an
  ``f x f`` block of cells (blocks at the bottom and right edges hold fewer
  cells and are averaged over the cells they hold). The sums run in the data's
  dtype (float32 data: float32 sums, within a few units in the last place of
  the exact mean), over each block's rows first, then over its columns, and
  are divided by the number of cells. **A block with any non-finite cell is
  bad** (as matplotlib's own resampling treats masked cells), and so is a
  block whose sum overflows the dtype.
* **Grids.** :func:`grid_columns`: panels per row.
* **Cell geometry**: :mod:`figwriter.render.geometry`.
* **Other reductions** (:func:`reduce_blocks`): ``"mean"``, ``"max"``,
  ``"min"`` or ``"mode"`` over ``fy x fx`` blocks. **Labels are never averaged
  by default** (:func:`default_reduce`): integer or bool data drawn with a
  qualitative colormap (a ``ListedColormap`` of at most
  :data:`QUALITATIVE_MAX_COLOURS` colours, such as ``tab10``, ``tab20`` or
  ``Set3``) or with a ``BoundaryNorm`` or ``NoNorm`` is reduced by ``"mode"``,
  so a picture never shows a class that is not in its data.
"""

from __future__ import annotations

import math
import threading
from typing import Any

import numpy as np

from .._cache import BoundedCache
from .options import DEFAULT_MAX_SIZE

__all__ = [
    "default_reduce",
    "reduce_blocks",
    "MIN_DATA_SIDE",
    "REDUCE_MODES",
    "QUALITATIVE_MAX_COLOURS",
    "MIN_LONG_SIDE",
    "Scratch",
    "as_cells",
    "cell_factors",
    "grid_columns",
    "reduce_cells",
    "reduce_into",
    "readonly",
]

#: small arrays are enlarged until their long side has at least this many pixels
MIN_LONG_SIDE = 256
#: a ListedColormap with at most this many colours is qualitative (class colours)
QUALITATIVE_MAX_COLOURS = 32
#: an axis of at least this many cells is never drawn shorter, in pixels
MIN_DATA_SIDE = 32

#: the ways cells can be combined when an array is reduced
REDUCE_MODES = ("mean", "max", "min", "mode")


def readonly(a: np.ndarray) -> np.ndarray:
    """``a``, marked read-only (safe to share from a cache)."""
    a.flags.writeable = False
    return a


class Scratch(threading.local):
    """Per-thread reusable buffers for the temporaries of one render.

    Fresh arrays of a few hundred kilobytes come from ``mmap`` and cost a page
    fault per 4 KiB on first touch, more than the arithmetic done in them;
    reusing one growing buffer per purpose avoids that. Nothing read from a
    buffer outlives the render that wrote it.
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


def as_cells(data: np.ndarray) -> np.ndarray:
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


def cell_factors(shape: tuple[int, int], max_size: int = DEFAULT_MAX_SIZE,
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


def grid_columns(n: int, ncols: int | None) -> int:
    """Panels per row: as asked (at most ``n``), or a near-square grid.

    >>> grid_columns(5, None), grid_columns(5, 9), grid_columns(16, None)
    (3, 5, 4)
    """
    if ncols is not None:
        return max(1, min(int(ncols), n))
    return max(1, int(math.ceil(math.sqrt(n))))


#: rows of ones, one per (block size, dtype): the left factor of the row sums
_ONES: BoundedCache[np.ndarray] = BoundedCache("render.cells.ones", 64)


def _ones_row(f: int, dtype: np.dtype) -> np.ndarray:
    key = (f, dtype.str)
    ones = _ONES.get(key)
    if ones is None:
        ones = _ONES.put(key, readonly(np.ones((1, f), dtype)))
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
    return reduce_into(data, factor, None)


def reduce_into(data: np.ndarray, factor: int, scratch: Scratch | None) -> np.ndarray:
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
        _divide_by_counts(out, height, width, f)
        if scratch is not None:
            return out  # the renderer paints any non-finite cell bad
        bad = ~np.isfinite(out)
    if bad.any():
        out[bad] = np.nan
    return out


def _divide_by_counts(out: np.ndarray, height: int, width: int, f: int) -> None:
    """Divide each block's sum by its number of cells (edge blocks hold fewer)."""
    t = out.dtype.type
    hf, wf = height // f, width // f
    rh, cw = height - hf * f, width - wf * f  # rows / columns of the edge blocks
    out[:hf, :wf] /= t(f * f)
    if rh:
        out[hf:, :wf] /= t(rh * f)
    if cw:
        out[:hf, wf:] /= t(f * cw)
    if rh and cw:
        out[hf:, wf:] /= t(rh * cw)


def _product_overwrites() -> bool:
    """Whether ``matmul(..., out=buf)`` ignores what ``buf`` held.

    An import-time probe of the BLAS numpy was built with: the row sums are
    written straight into a reused scratch buffer, which is only correct if
    the product does not add to what the buffer held; if it does (no build
    seen so far), the buffer is zeroed first.
    """
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
