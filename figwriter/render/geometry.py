"""Cell geometry: how many pixels a cell gets along each image axis.

``aspect="equal"`` (the default) keeps square cells (in data units when an
``extent`` is given, as ``imshow`` does); a number is the height/width of one
cell (again in data units); ``"auto"`` sizes each axis on its own, so any shape
fills a readable box of a few hundred pixels a side. Cells stay whole blocks of
pixels: each axis is enlarged or reduced by an integer factor (the plain rule of
:func:`figwriter.render.cells.cell_factors` for square cells), so a numeric
aspect is honoured as closely as whole pixels allow (:func:`cell_grid`).
"""

from __future__ import annotations

import math
from typing import NamedTuple, Union

from .cells import MIN_DATA_SIDE, MIN_LONG_SIDE, cell_factors
from .options import DEFAULT_MAX_SIZE

__all__ = ["Aspect", "AxisCells", "cell_grid", "cell_ratio"]

Aspect = Union[str, float]


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
    return cell_factors((longest, longest), max_size, min_long_side)


def _scales(n: int, max_size: int) -> tuple[float, float]:
    """The smallest and largest pixels per cell an axis of ``n`` cells may get.

    At most ``max_size`` pixels; at least :data:`MIN_DATA_SIDE` shown cells
    for an axis that has that many (``ceil(n / down)`` of them).
    """
    most = max_size // n if n <= max_size else 1 / -(-n // max_size)
    m = min(n, MIN_DATA_SIDE)
    return (1.0 if m < 2 else 1 / (-(-n // (m - 1)) - 1)), most


def _nearest(n: int, p: float, max_size: int) -> AxisCells:
    """The whole-pixel scale nearest (as a ratio) to ``p`` pixels per cell."""
    least, most = _scales(n, max_size)
    p = min(max(p, least), most)
    if p >= 1.0:
        lo = int(p)
        up = lo + 1 if lo * (lo + 1) < p * p else lo
        return AxisCells(n, max(1, min(up, int(most))), 1)
    lo = int(1 / p)
    down = lo if lo * (lo + 1) * p * p >= 1 else lo + 1
    down = min(max(down, int(round(1 / most))), int(round(1 / least)))
    return AxisCells(n, 1, -(-n // -(-n // down)))  # the least reduction showing as many


def _scale_of(axis: AxisCells) -> float:
    return axis.up / axis.down


def _ratio_grid(h: int, w: int, ratio: float, s: float,
                max_size: int) -> tuple[AxisCells, AxisCells]:
    """Rows and columns nearest ``ratio`` (then nearest ``s * ratio`` and ``s``)."""
    from_rows = _nearest(h, s * ratio, max_size)
    from_cols = _nearest(w, s, max_size)
    pairs = [(from_rows, _nearest(w, _scale_of(from_rows) / ratio, max_size)),
             (_nearest(h, _scale_of(from_cols) * ratio, max_size), from_cols)]

    def error(pair: tuple[AxisCells, AxisCells]) -> tuple[float, float]:
        q_rows, q_cols = _scale_of(pair[0]), _scale_of(pair[1])
        return (abs(math.log(q_rows / q_cols / ratio)),
                abs(math.log(q_rows / (s * ratio))) + abs(math.log(q_cols / s)))

    return min(pairs, key=error)


def _widen(axis: AxisCells, min_cell: int, max_size: int) -> AxisCells:
    """Enlarge an axis' cells to ``min_cell`` pixels where ``max_size`` allows."""
    if axis.down > 1 or axis.up >= min_cell:
        return axis
    return AxisCells(axis.n, max(axis.up, min(min_cell, max_size // axis.n)), 1)


def _widen_keeping_ratio(rows: AxisCells, cols: AxisCells, min_cell: int,
                         max_size: int) -> tuple[AxisCells, AxisCells]:
    """Enlarge both axes by one factor until the smaller cell side is ``min_cell``.

    The factor stops where either axis would pass ``max_size``; the smaller
    side grows to a whole number of pixels and the other keeps the ratio to
    the nearest pixel (equal sides stay equal).
    """
    small = min(rows.up, cols.up)
    if rows.down > 1 or cols.down > 1 or small >= min_cell:
        return rows, cols
    most = min(max_size / rows.length, max_size / cols.length)
    k = min(min_cell, int(math.floor(small * most + 1e-9))) / small

    def widened(axis: AxisCells) -> AxisCells:
        up = min(int(round(axis.up * k)), int(math.floor(axis.up * most + 1e-9)))
        return AxisCells(axis.n, max(axis.up, up), 1)

    return widened(rows), widened(cols)


def cell_grid(shape: tuple[int, int], aspect: Aspect = "equal",
              extent: tuple[float, float, float, float] | None = None,
              max_size: int = DEFAULT_MAX_SIZE, min_long_side: int = MIN_LONG_SIDE,
              min_cell: int = 1) -> tuple[AxisCells, AxisCells]:
    """Rows and columns: integer enlargement or reduction per axis.

    Square cells get the plain rule (one factor for both axes: enlarge until
    the long side reaches ``min_long_side``, reduce until it fits
    ``max_size``); ``"auto"`` applies that rule to each axis alone; other
    ratios scale the long side as the plain rule would, then give each axis the
    whole pixels per cell (or whole reduction) that draws the ratio most
    closely, never passing ``max_size`` and never below :data:`MIN_DATA_SIDE`
    pixels for an axis that has that many cells. Enlarged cells get at least
    ``min_cell`` pixels a side where ``max_size`` allows (room for
    annotations): with ``"auto"`` each axis on its own, otherwise both axes by
    one factor, so the cells keep their ratio.

    >>> [tuple(a) for a in cell_grid((80, 1000), "auto")]
    [(80, 4, 1), (1000, 1, 2)]
    >>> [a.length for a in cell_grid((64, 64), 0.5)]
    [128, 256]
    >>> [a.up for a in cell_grid((10, 10), 0.5, min_cell=30)]
    [25, 50]
    """
    rows, cols = _cell_grid((int(shape[0]), int(shape[1])), aspect, extent, max_size,
                            min_long_side)
    if min_cell <= 1:
        return rows, cols
    if cell_ratio(shape, aspect, extent) is None:
        return _widen(rows, min_cell, max_size), _widen(cols, min_cell, max_size)
    return _widen_keeping_ratio(rows, cols, min_cell, max_size)


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
    return _ratio_grid(h, w, ratio, s, max_size)
