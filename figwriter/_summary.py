"""Summary protos and figure grids: what a writer class emits, built without one.

:func:`image_summary` wraps encoded PNG bytes in a ``Summary`` of either proto
module (tensorboardX's or tensorboard's); :func:`figure_grid` lays a list of
drawn figures out as tensorboardX's ``make_grid`` does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["FIGURE_GRID_COLUMNS", "image_summary", "figure_grid"]

#: a list of figures is laid out this many per row, as tensorboardX's make_grid does
FIGURE_GRID_COLUMNS = 8


def image_summary(summary_cls: Any, tag: str, png: bytes, height: int, width: int,
                  colorspace: int, description: str | None = None) -> Any:
    """A ``Summary`` holding one encoded image, for either proto module.

    ``summary_cls`` is tensorboardX's or tensorboard's ``Summary``; the PNG
    bytes go into ``encoded_image_string`` unchanged. A ``description``
    (Markdown) goes into the value's ``metadata.summary_description``, which
    TensorBoard shows in the card's info when it is on a tag's first event.
    """
    image = summary_cls.Image(
        height=height, width=width, colorspace=colorspace, encoded_image_string=png
    )
    value = summary_cls.Value(tag=tag, image=image)
    if description:
        value.metadata.summary_description = description
    return summary_cls(value=[value])


def figure_grid(pictures: list[np.ndarray], ncols: int = FIGURE_GRID_COLUMNS) -> np.ndarray:
    """Lay same-size RGB pictures out as tensorboardX's ``make_grid`` does.

    Examples
    --------
    >>> grid = figure_grid([np.zeros((2, 3, 3), np.uint8)] * 10)
    >>> grid.shape   # 8 per row, 2 rows
    (4, 24, 3)
    """
    shapes = {p.shape for p in pictures}
    if len(shapes) != 1:
        raise ValueError(
            "figure: every figure in a list must draw to the same size; got "
            + ", ".join(f"{p.shape[1]}x{p.shape[0]}" for p in pictures)
        )
    h, w, c = pictures[0].shape
    n = len(pictures)
    ncols = min(n, ncols)
    nrows = -(-n // ncols)
    canvas = np.zeros((h * nrows, w * ncols, c), dtype=np.uint8)
    for i, p in enumerate(pictures):
        y, x = divmod(i, ncols)
        canvas[y * h:(y + 1) * h, x * w:(x + 1) * w] = p
    return canvas
