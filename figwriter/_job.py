"""Jobs: validate a call's arguments, then render and encode its picture.

A job is everything one picture needs, taken from the caller's arguments
(checked here, on the caller's thread, before anything is queued) and run
later or now. :func:`colormap_job` serves both ``add_colormapped_image`` (a
single picture: one panel) and ``add_colormapped_images`` (a grid);
:func:`figure_job` serves ``add_figure_png``. Jobs need no writer: a job's
:meth:`ColormapJob.rgb` and :meth:`ColormapJob.png` can be called by anything
that wants the picture.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from . import _checks, _convert, _png, _scale
from ._held import HeldScales, resolve_held
from ._summary import FIGURE_GRID_COLUMNS, figure_grid
from .render import DEFAULT_MAX_SIZE, PictureOptions, Stream, render
from .render.cells import default_reduce

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["ColormapJob", "colormap_job", "image_job", "images_job", "figure_job",
           "checked_figure_job", "draw_figures", "Encoded"]

#: what a job hands to the emit stage: PNG bytes, height, width, colorspace
Encoded = tuple[bytes, int, int, int]


@dataclass(frozen=True)
class ColormapJob:
    """One colour-mapped picture: the panels, the colour options, the picture options.

    Attributes
    ----------
    panels : tuple of numpy.ndarray
        2-D float arrays (one for a single picture).
    scale_options : ScaleOptions
        The validated colour options; limits are resolved when the job runs.
    shared_scale : bool
        One scale for every panel, or one per panel.
    renderer : str
        The back end asked for (the seam may pick another for some options).
    options : PictureOptions
        Everything else about the picture.
    """

    panels: tuple[np.ndarray, ...]
    scale_options: _scale.ScaleOptions
    shared_scale: bool
    renderer: str
    options: PictureOptions
    #: the writer's held limits, with ``hold_scale=True``
    held: HeldScales | None = None

    def with_panels(self, panels: Sequence[np.ndarray]) -> ColormapJob:
        """The same job over other arrays (copies a background call keeps)."""
        return replace(self, panels=tuple(panels))

    def scales(self, key: Hashable = None) -> list[_scale.ColorScale]:
        """Resolve the colour scale(s) from the data (held ones by ``key``, the tag)."""
        if self.shared_scale:
            return [resolve_held(list(self.panels), self.scale_options, self.held, key)]
        return [resolve_held([p], self.scale_options, self.held, (key, i))
                for i, p in enumerate(self.panels)]

    def rgb(self, stream: Stream | None = None) -> np.ndarray:
        """The picture, RGB uint8 (H, W, 3); ``stream`` keeps its size stable."""
        stream = Stream() if stream is None else stream
        return render(self.renderer, self.panels, self.scales(stream.key), self.options,
                      stream)

    def png(self, stream: Stream | None = None) -> Encoded:
        """The picture encoded as PNG, with its height, width and colorspace."""
        rgb = self.rgb(stream)
        return _png.encode_png(rgb), rgb.shape[0], rgb.shape[1], 3


def colormap_job(
    panels: list[np.ndarray],
    *,
    grid: bool,
    titles: tuple[str | None, ...] | None = None,
    shared_scale: bool = True,
    ncols: int | None = None,
    cmap: Any = None,
    vmin: float | None = None,
    vmax: float | None = None,
    robust: bool = False,
    center: float | None = None,
    norm: Any = "linear",
    label: str | None = None,
    renderer: str = "fast",
    max_size: int = DEFAULT_MAX_SIZE,
    picture: PictureOptions | None = None,
    kind: str = "f",
    hold_scale: bool = False,
    held: HeldScales | None = None,
    warned: Any = None,
) -> ColormapJob:
    """Check the colour and picture options of converted ``panels``; the job to run.

    ``titles`` are already checked (:func:`~figwriter._checks.check_titles`
    or :func:`~figwriter._checks.check_text`), and so is ``picture`` (the
    picture options, :func:`~figwriter._checks.prepare_single`); ``kind`` is
    the input's dtype kind, for the rule that labels are never averaged. With
    ``hold_scale``, limits are kept in ``held``.
    """
    hold = _checks.check_bool(hold_scale, "hold_scale")
    shared = _checks.check_bool(shared_scale, "shared_scale")
    if ncols is not None:
        ncols = _checks.check_int(ncols, "ncols", low=1)
    scale_options = _scale.scale_options(
        cmap=cmap, vmin=vmin, vmax=vmax, robust=robust, center=center, norm=norm
    )
    renderer = _checks.check_renderer(renderer)
    options = replace(
        picture if picture is not None else PictureOptions(),
        grid=grid,
        titles=titles,
        max_size=_checks.check_max_size(max_size),
        label=_checks.check_text(label, "label"),
        ncols=ncols,
        warned=warned,
    )
    if options.reduce is None:
        options = replace(options, reduce=default_reduce(kind, scale_options.cmap,
                                                         scale_options.norm))
    return ColormapJob(tuple(panels), scale_options, shared, renderer, options,
                       held if hold else None)


def image_job(values: Any, dataformats: str = "HW", *, title: str | None = None,
              **options: Any) -> ColormapJob:
    """``add_colormapped_image``'s arguments (without tag, step, time) checked: its job."""
    picture = {k: options.pop(k) for k in _checks.PICTURE_OPTIONS if k in options}
    data, kind, checked = _checks.prepare_single(values, dataformats, **picture)
    return colormap_job([data], grid=False, titles=(_checks.check_text(title, "title"),),
                        picture=checked, kind=kind, **options)


def images_job(values: Any, dataformats: str = "NHW", *,
               titles: Sequence[str | None] | None = None, **options: Any) -> ColormapJob:
    """``add_colormapped_images``'s arguments (without tag, step, time) checked: its job."""
    panels = _convert.to_batch(values, dataformats)
    picture = {k: options.pop(k) for k in _checks.PICTURE_OPTIONS if k in options}
    kind, checked = _checks.prepare_batch(panels, values, **picture)
    return colormap_job(panels, grid=True, titles=_checks.check_titles(titles, len(panels)),
                        picture=checked, kind=kind, **options)


def checked_figure_job(figure: Any, dpi: object, *, close: bool,
                       draw_now: bool) -> Callable[[], Encoded]:
    """``add_figure_png``'s figure and ``dpi`` checked: its render+encode job."""
    checked_dpi = _checks.check_dpi(dpi)
    figures = _checks.check_figures(figure, checked_dpi, FIGURE_GRID_COLUMNS)
    return figure_job(figures, checked_dpi, close, grid=isinstance(figure, (list, tuple)),
                      draw_now=draw_now)


def draw_figures(figures: list[Figure], dpi: float | None, grid: bool) -> np.ndarray:
    """Draw figures with Agg: one picture, or a list laid out as ``add_figure`` does."""
    from .render.mpl import figure_to_rgba

    pictures = [figure_to_rgba(f, dpi)[:, :, :3] for f in figures]
    return figure_grid(pictures) if grid else pictures[0]


def figure_job(figures: list[Figure], dpi: float | None, close: bool, grid: bool,
               draw_now: bool) -> Callable[[], Encoded]:
    """The render+encode job for figures.

    Figures are drawn now (``draw_now``: the caller keeps them, or no
    background) or when the job runs; closed afterwards if ``close``.
    """
    from .render.mpl import close_if_managed

    drawn = draw_figures(figures, dpi, grid) if (draw_now or not close) else None
    if close:
        for f in figures:
            close_if_managed(f)

    def job() -> Encoded:
        rgb = drawn if drawn is not None else draw_figures(figures, dpi, grid)
        return _png.encode_png(rgb), rgb.shape[0], rgb.shape[1], 3

    return job
