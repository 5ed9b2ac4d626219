"""Batches with picture options: a grid of complete pictures.

With options that decorate the axes (labels, tick labels, extent, annotations,
a background, a non-square aspect, ...), each panel of a batch is drawn as the
single picture ``add_colormapped_image`` would draw for it (with its colour bar,
which shows the shared scale when the scale is shared), and the pictures are
laid out ``ncols`` per row. Panels are reduced until the whole fits
:data:`GRID_MAX_SIDE` pixels a side where they can, and never exceed
:data:`MAX_PICTURE_SIDE`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

__all__ = ["tile", "render_tiles", "GRID_MAX_SIDE", "MAX_PICTURE_SIDE"]

GRID_MAX_SIDE = 2048
MAX_PICTURE_SIDE = 4096
#: pixels between pictures
GAP = 8


def tile(pictures: Sequence[np.ndarray], ncols: int, gap: int = GAP) -> np.ndarray:
    """RGB pictures ``ncols`` per row on white, each centred in its column.

    >>> tile([np.zeros((2, 3, 3), np.uint8)] * 3, 2).shape
    (28, 30, 3)
    """
    n = len(pictures)
    nrows = -(-n // ncols)
    col_w = [max(p.shape[1] for p in pictures[c::ncols]) for c in range(ncols)]
    row_h = [max(p.shape[0] for p in pictures[r * ncols:(r + 1) * ncols]) for r in range(nrows)]
    height = sum(row_h) + gap * (nrows + 1)
    width = sum(col_w) + gap * (ncols + 1)
    canvas = np.full((height, width, 3), 255, np.uint8)
    for i, p in enumerate(pictures):
        r, c = divmod(i, ncols)
        y = gap + sum(row_h[:r]) + gap * r
        x = gap + sum(col_w[:c]) + gap * c + (col_w[c] - p.shape[1]) // 2
        canvas[y:y + p.shape[0], x:x + p.shape[1]] = p
    return canvas


def render_tiles(render_one: Callable[[np.ndarray, Any, Any, Any], np.ndarray],
                 panels: Sequence[np.ndarray], scales: Sequence[Any], options: Any,
                 stream: Any) -> np.ndarray:
    """Draw each panel with ``render_one`` and tile the pictures (see the module notes).

    ``render_one(data, scale, options, stream)`` draws one single picture; panel
    ``i`` is drawn with ``options.panel(i)`` and the stream key ``(key, i)``.
    """
    from .cells import grid_columns
    from .options import Stream

    shared = len(scales) == 1
    ncols = grid_columns(len(panels), options.ncols)
    limit = options.max_size
    while True:
        pictures = [
            render_one(p, scales[0] if shared else scales[i],
                       replace(options.panel(i), max_size=limit),
                       Stream((stream.key, i), stream.sizes))
            for i, p in enumerate(panels)
        ]
        out = tile(pictures, ncols)
        side = max(out.shape[:2])
        if side <= GRID_MAX_SIDE or limit <= 16:
            break
        limit = max(16, min(limit - 1, int(math.floor(limit * GRID_MAX_SIDE / side * 0.95))))
    if side > MAX_PICTURE_SIDE:
        raise ValueError(
            f"values hold too many panels ({len(panels)}) to lay out in a picture of at most "
            f"{MAX_PICTURE_SIDE} pixels a side with ncols={ncols}; log fewer panels per call"
        )
    return out
