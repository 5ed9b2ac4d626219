"""The pictures without a writer: for wandb, MLflow, Aim, Comet, ClearML, Pillow, files.

Each function checks its arguments and builds its job exactly as the matching
writer method does (:mod:`figwriter._job`), then runs it here and now; the
result is byte for byte what the writer logs for the same options (the first
picture of a tag: a writer also keeps a tag's picture size stable from step to
step).
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _job

if TYPE_CHECKING:
    from collections.abc import Sequence

    from matplotlib.figure import Figure

__all__ = ["colormapped_image", "colormapped_images", "colormapped_png", "figure_png"]

#: writer-only keyword options: what they do needs a writer and a tag
_WRITER_ONLY = frozenset({"description", "hold_scale"})


def _options(function: str, method: str, options: dict[str, Any]) -> dict[str, Any]:
    """``options`` if each is a keyword option of the writer's ``method``."""
    from ._mixin import FigureMethods

    parameters = inspect.signature(getattr(FigureMethods, method)).parameters
    known = [name for name, p in parameters.items()
             if p.kind is inspect.Parameter.KEYWORD_ONLY and name not in _WRITER_ONLY]
    unknown = [name for name in options if name not in known]
    if unknown:
        raise TypeError(
            f"{function}() got an unexpected keyword argument {unknown[0]!r}; it takes "
            f"dataformats and the options of {method}: {', '.join(known)}"
        )
    return options


def colormapped_image(values: Any, dataformats: str = "HW", **options: Any) -> np.ndarray:
    """The picture ``add_colormapped_image`` logs, as an (H, W, 3) uint8 array.

    Parameters
    ----------
    values : array-like
        A 2-D array-like, as for ``add_colormapped_image``.
    dataformats : {"HW", "WH", "CHW", "HWC"}, default "HW"
        Layout of ``values``.
    **options
        ``add_colormapped_image``'s keyword options (``cmap``, ``vmin``,
        ``vmax``, ``robust``, ``center``, ``norm``, ``title``, ``label``,
        ``renderer``, ``max_size``, ...), checked the same way.

    Examples
    --------
    >>> import numpy as np
    >>> pixels = colormapped_image(np.eye(8), center=0.0, label="value")
    >>> pixels.dtype, pixels.ndim, pixels.shape[2]
    (dtype('uint8'), 3, 3)
    """
    checked = _options("colormapped_image", "add_colormapped_image", options)
    return _job.image_job(values, dataformats, **checked).rgb()


def colormapped_png(values: Any, dataformats: str = "HW", **options: Any) -> bytes:
    """The PNG bytes ``add_colormapped_image`` logs for ``values`` and ``options``.

    Takes the arguments of :func:`colormapped_image`.

    Examples
    --------
    >>> import numpy as np
    >>> colormapped_png(np.eye(8), cmap="magma")[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
    """
    checked = _options("colormapped_png", "add_colormapped_image", options)
    png, _, _, _ = _job.image_job(values, dataformats, **checked).png()
    return png


def colormapped_images(values: Any | Sequence[Any], dataformats: str = "NHW",
                       **options: Any) -> np.ndarray:
    """The grid picture ``add_colormapped_images`` logs, as an (H, W, 3) uint8 array.

    Parameters
    ----------
    values : array-like or sequence of array-likes
        An (N, H, W) array or a list of 2-D arrays, as for
        ``add_colormapped_images``.
    dataformats : {"NHW", "NCHW", "NHWC"}, default "NHW"
        Layout of ``values``.
    **options
        ``add_colormapped_images``'s keyword options (``shared_scale``,
        ``ncols``, ``titles``, ``cmap``, ``vmin``, ...).

    Examples
    --------
    >>> import numpy as np
    >>> grid = colormapped_images([np.eye(8), -np.eye(8)], titles=["a", "b"])
    >>> grid.dtype, grid.shape[2]
    (dtype('uint8'), 3)
    """
    checked = _options("colormapped_images", "add_colormapped_images", options)
    return _job.images_job(values, dataformats, **checked).rgb()


def figure_png(figure: Figure | Sequence[Figure], dpi: float | None = None) -> bytes:
    """The PNG bytes ``add_figure_png`` logs for ``figure`` (drawn with Agg, encoded once).

    ``figure`` may be a list of same-size figures, laid out 8 per row as
    ``add_figure_png`` does. Nothing is closed; the figure's canvas is left in
    place.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(3, 2))
    >>> _ = fig.subplots().plot([3, 1, 2])
    >>> figure_png(fig, dpi=50)[:4]
    b'\\x89PNG'
    """
    png, _, _, _ = _job.checked_figure_job(figure, dpi, close=False, draw_now=True)()
    return png
