"""Jobs: one picture's work as data, the same function in every mode.

A :class:`Job` is a module-level function and its inputs. The synchronous mode
calls it at once; the thread mode calls it on its worker thread with copies of
the arrays; the process mode sends the function (by reference), the options
(pickled) and the arrays (in shared memory) to a worker process, which calls
it. One function, so every mode draws the same pixels.
"""

from __future__ import annotations

import pickle
from collections.abc import Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from . import _png, _scale

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["Job", "colormapped_job", "grid_job", "encode_job", "figure_job", "figure"]

Result = tuple[bytes, int, int, int]  # PNG, height, width, colorspace


@dataclass(frozen=True)
class Job:
    """``fn(arrays, **params)``: ``fn`` returns ``(png, height, width, colorspace)``.

    ``arrays`` are the inputs the caller may change after the call (copied
    before the call returns in the background modes); ``params`` the options.
    """

    fn: Callable[..., Result]
    arrays: list[np.ndarray]
    params: dict[str, Any]

    def run(self) -> Result:
        return self.fn(self.arrays, **self.params)


def colormapped_job(arrays: list[np.ndarray], *, options: _scale.ScaleOptions, renderer: str,
                    title: str | None, label: str | None, key: Hashable,
                    max_size: int) -> Result:
    """Resolve, render and encode one array (the same in every mode)."""
    (data,) = arrays
    from ._methods import render

    scale = _scale.resolve_scale([data], options)
    rgb = render(renderer, data, scale, title=title, label=label, key=key, max_size=max_size)
    return _png.encode_png(rgb), rgb.shape[0], rgb.shape[1], 3


def grid_job(panels: list[np.ndarray], *, options: _scale.ScaleOptions, shared: bool,
             renderer: str, titles: list[str | None] | None, label: str | None,
             ncols: int | None, key: Hashable, max_size: int) -> Result:
    """Resolve, render and encode a batch as one grid picture (the same in every mode)."""
    from ._methods import render_grid

    if shared:
        scales = [_scale.resolve_scale(panels, options)]
    else:
        scales = [_scale.resolve_scale([p], options) for p in panels]
    rgb = render_grid(renderer, panels, scales, titles=titles, label=label, ncols=ncols,
                      key=key, max_size=max_size)
    return _png.encode_png(rgb), rgb.shape[0], rgb.shape[1], 3


def encode_job(arrays: list[np.ndarray]) -> Result:
    """Encode a picture drawn already."""
    (rgb,) = arrays
    return _png.encode_png(rgb), rgb.shape[0], rgb.shape[1], 3


def figure_job(arrays: list[np.ndarray], *, figures: Any, dpi: float | None = None,
               grid: bool = False) -> Result:
    """Draw figures (or, from a worker process, their pickled snapshot) and encode."""
    if isinstance(figures, bytes):
        from ._mpl import close_if_managed

        params = pickle.loads(figures)
        try:
            return figure_job(arrays, **params)
        finally:  # a figure pyplot managed in the caller is managed here too
            for f in params["figures"]:
                close_if_managed(f)
    return encode_job([_draw_figures(figures, dpi, grid)])


def _draw_figures(figures: list[Figure], dpi: float | None, grid: bool) -> np.ndarray:
    from ._methods import _figure_grid
    from ._mpl import figure_to_rgba

    pictures = [figure_to_rgba(f, dpi)[:, :, :3] for f in figures]
    if not grid:
        return pictures[0]
    shapes = {p.shape for p in pictures}
    if len(shapes) != 1:
        raise ValueError(
            "figure: every figure in a list must draw to the same size; got "
            + ", ".join(f"{p.shape[1]}x{p.shape[0]}" for p in pictures)
        )
    return _figure_grid(pictures)




def figure(figures: list[Figure], dpi: float | None, close: bool, *, grid: bool,
           mode: bool | str) -> Job:
    """The job for ``add_figure_png`` in ``mode`` (the writer's ``async_render``).

    Figures are drawn now, on the caller's thread, except: in thread mode a
    figure the caller hands over (``close=True``) is drawn by the thread; in
    process mode every figure is pickled now (a snapshot, several times cheaper
    than drawing it) and drawn by the worker, and a figure that cannot be
    pickled is drawn now. Pyplot figures are closed when ``close``.
    """
    from ._mpl import close_if_managed

    params = {"figures": figures, "dpi": dpi, "grid": grid}
    job = None
    if mode == "process":
        try:
            job = Job(figure_job, [], {"figures": pickle.dumps(params, protocol=5)})
        except Exception:  # lambdas in formatters, open files...: draw here
            job = None
    elif mode and close:
        job = Job(figure_job, [], params)
    if job is None:
        job = Job(encode_job, [_draw_figures(figures, dpi, grid)], {})
    if close:
        for f in figures:
            close_if_managed(f)
    return job
