"""The matplotlib renderer, and drawing users' figures with Agg.

``render_matplotlib`` draws a real ``imshow`` + ``colorbar`` on a
``matplotlib.figure.Figure`` (never through pyplot). Figures are reused: one per
layout key (shape, colormap, norm type, extension, title and label presence),
kept in a small LRU cache so a training loop that logs the same tag every step
pays for the figure's construction once.

``figure_to_rgba`` draws any figure with Agg without replacing the figure's
own canvas, so an interactive figure stays usable.
"""

from __future__ import annotations

import sys
from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .._cache import BoundedCache
from .._scale import ColorScale
from .cells import grid_columns, reduce_blocks, reduce_cells
from .locking import MATPLOTLIB_LOCK
from .options import PictureOptions, Stream

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "render",
    "render_matplotlib",
    "render_matplotlib_grid",
    "figure_to_rgba",
    "close_if_managed",
]

#: the figure's longer side, in inches, at FIG_DPI
FIG_SIZE = 6.0
FIG_DPI = 100
#: width of the colour bar and its labels, in inches
_BAR_ALLOWANCE = 1.5


#: arrays longer than this on a side are box-averaged before imshow (the axes
#: are a few hundred pixels wide; matplotlib would otherwise hold several
#: float64 copies of the full array while drawing)
MAX_CELLS = 1024


def _cells(data: np.ndarray, mode: str | None = None, limit: int = MAX_CELLS) -> np.ndarray:
    """``data``, reduced (box-averaged by default, as the fast renderer does) if it
    is longer than ``limit``."""
    longest = max(data.shape)
    if longest <= limit:
        return data
    if mode not in (None, "mean"):
        f = -(-longest // limit)
        return reduce_blocks(data, f, f, mode)
    return reduce_cells(data, -(-longest // MAX_CELLS))


#: nearest-neighbour cells; colour-mapping before resampling ("data") paints the
#: same pixels as the default stage here, at half the cost
_IMSHOW: dict[str, Any] = {"interpolation": "nearest", "interpolation_stage": "data"}


def _show(ax: Any, shape: tuple[int, int], options: PictureOptions | None = None,
          limit: int = MAX_CELLS, **kwargs: Any) -> Any:
    """``imshow`` a placeholder for data of ``shape``, in the full array's cell units.

    Reduced data keeps the axes (and their tick labels) of the full array: the
    image spans the blocks it averaged, and the axes limits cut off the part of
    the last block that lies beyond the array.
    """
    h, w = shape
    longest = max(shape)
    if options is not None and not options.is_plain:
        from .mpl_options import image_placement

        place = image_placement(shape, options, max(1, -(-longest // limit)))
        im = ax.imshow(np.zeros((1, 1)), **_IMSHOW, extent=place["extent"],
                       origin=place["origin"], **kwargs)
        ax.set_xlim(*place["xlim"])
        ax.set_ylim(*place["ylim"])
        return im
    if longest <= MAX_CELLS:
        return ax.imshow(np.zeros(shape), **_IMSHOW, **kwargs)
    f = -(-longest // MAX_CELLS)
    rh, rw = -(-h // f), -(-w // f)
    im = ax.imshow(np.zeros((rh, rw)), **_IMSHOW,
                   extent=(-0.5, rw * f - 0.5, rh * f - 0.5, -0.5), **kwargs)
    ax.set_xlim(-0.5, w - 0.5)
    ax.set_ylim(h - 0.5, -0.5)
    return im


#: Agg renderers kept between calls, by (width, height, dpi): a renderer carries
#: matplotlib's text-metrics cache, which a fresh one (what a new
#: ``FigureCanvasAgg`` makes) fills again; a renderer is lent to one drawing at a time
_RENDERERS: BoundedCache[Any] = BoundedCache("render.mpl.agg_renderers", 8)


def figure_to_rgba(figure: Figure, dpi: float | None = None) -> np.ndarray:
    """Draw ``figure`` with Agg and return its RGBA pixels (H, W, 4), a copy.

    The figure's own canvas (and with it any window or notebook widget showing
    it) is put back afterwards, as is its dpi. Agg renderers are reused between
    calls of the same size, as a figure's own Agg canvas reuses its renderer.
    """
    with MATPLOTLIB_LOCK:  # everything this module does with matplotlib, one at a time
        return _figure_to_rgba(figure, dpi)


def _figure_to_rgba(figure: Figure, dpi: float | None) -> np.ndarray:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    old_canvas = figure.canvas
    old_dpi = figure.dpi
    try:
        canvas = FigureCanvasAgg(figure)  # attaches itself to the figure
        if dpi is not None:
            # with the Agg canvas attached, no GUI window is resized
            figure.dpi = dpi
        w, h = canvas.get_width_height(physical=True)
        key = (w, h, figure.dpi)
        renderer = _RENDERERS.pop(key)
        if renderer is not None:
            canvas.renderer, canvas._lastKey = renderer, key
        try:
            canvas.draw()
            buf = np.asarray(canvas.buffer_rgba()).copy()
        finally:
            if canvas._lastKey == key:
                _RENDERERS.set(key, canvas.renderer)
    finally:
        if dpi is not None:
            figure.dpi = old_dpi
        figure.set_canvas(old_canvas)
    return buf


def close_if_managed(figure: Figure) -> None:
    """Close a pyplot-managed figure; figures pyplot never saw need nothing."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close(figure)


class _ColorbarFigure:
    """A Figure with one image axes and a colour bar, redrawn with new data.

    The layout is fixed when the figure is made (margins reserved for tick
    labels up to about nine characters, the title and the bar's label), so
    redrawing needs no layout engine and the picture does not move between steps.
    """

    # margins in inches
    LEFT, BOTTOM, TOP, TOP_TITLE = 0.55, 0.4, 0.15, 0.4
    GAP, BAR, BAR_TEXT = 0.15, 0.2, 0.95

    def __init__(self, shape: tuple[int, int], scale: ColorScale,
                 options: PictureOptions | None = None) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        from . import mpl_options as _mplpicture

        h, w = shape
        plain = options is None or options.plain_layout
        aspect = w / h
        if options is not None and not plain:
            aspect = 1.0 / _mplpicture.box_ratio(shape, options)
        longest = FIG_SIZE - _BAR_ALLOWANCE
        img_w, img_h = (longest, longest / aspect) if aspect >= 1 else (longest * aspect, longest)
        img_w, img_h = max(img_w, 1.0), max(img_h, 1.0)
        top = self.TOP_TITLE
        left, bottom = self.LEFT, self.BOTTOM
        if options is not None and not plain:
            extra_left, extra_bottom = _mplpicture.margins(options, FIG_DPI, img_w * FIG_DPI)
            left, bottom = left + extra_left, bottom + extra_bottom
        fw = left + img_w + self.GAP + self.BAR + self.BAR_TEXT
        fh = bottom + img_h + top
        self.figure = Figure(figsize=(fw, fh), dpi=FIG_DPI)
        self.canvas = FigureCanvasAgg(self.figure)
        self.ax = self.figure.add_axes((left / fw, bottom / fh, img_w / fw, img_h / fh))
        cax = self.figure.add_axes(
            ((left + img_w + self.GAP) / fw, bottom / fh, self.BAR / fw, img_h / fh)
        )
        #: max, min and mode: reduced to at most one cell per pixel, so that
        #: nearest-neighbour resampling cannot drop what the reduction kept
        self.cell_limit = MAX_CELLS
        if options is not None and options.reduce not in (None, "mean"):
            self.cell_limit = min(MAX_CELLS, int(max(img_w, img_h) * FIG_DPI))
        self.image = _show(self.ax, shape, options, self.cell_limit, cmap=scale.cmap,
                           norm=scale.norm, aspect="auto")
        self.colorbar = self.figure.colorbar(self.image, cax=cax, extend=scale.extend)
        self.overlay: Any = None
        if options is not None and not plain:
            _mplpicture.decorate(self.ax, shape, options, (img_w * FIG_DPI, img_h * FIG_DPI))
        if options is not None and (options.annot or options.blended):
            self.overlay = _mplpicture.Overlay(self.ax, shape, options,
                                               (img_w * FIG_DPI, img_h * FIG_DPI))
        self._background: Any = None

    def draw(self, data: np.ndarray, scale: ColorScale, title: str | None,
             label: str | None, key: Hashable = None,
             options: PictureOptions | None = None) -> np.ndarray:
        # one "changed" notification (one colour-bar update) for all changes
        with self.image.callbacks.blocked(signal="changed"):
            if self.image.cmap is not scale.cmap and self.image.cmap != scale.cmap:
                self.image.set_cmap(scale.cmap)
            if _limits_only(scale.norm, self.image.norm):
                self.image.set_clim(scale.vmin, scale.vmax)
            else:
                self.image.set_norm(scale.norm)
        self.image.changed()  # the colour bar follows through its callback
        self.image.set_data(np.ma.masked_invalid(data, copy=False))
        if self.overlay is not None:
            self.overlay.update(self.image, data, scale, key,
                                options if options is not None else self.overlay.options)
        self.ax.set_title(title or "")
        self.colorbar.set_label(label or "")
        self._blit()
        return np.asarray(self.canvas.buffer_rgba())[:, :, :3].copy()

    def _blit(self) -> None:
        """Draw only what changes between calls over a cached background.

        The background (figure and axes patches, the image axes' ticks and
        labels, which depend on the shape alone) is drawn once, with the image,
        spines, title and colour bar hidden. Each call restores it and draws
        those artists in the order a full ``canvas.draw()`` would, which gives
        the same pixels at a fraction of the cost.
        """
        canvas = self.canvas
        extra = self.overlay.artists() if self.overlay is not None else []
        if self._background is None:
            changing = [self.image, *extra, *self.ax.spines.values(), self.colorbar.ax]
            title = self.ax.title.get_text()
            for artist in changing:
                artist.set_visible(False)
            # an empty (not hidden) title still gets its position laid out
            self.ax.title.set_text("")
            canvas.draw()
            self._background = canvas.copy_from_bbox(self.figure.bbox)
            for artist in changing:
                artist.set_visible(True)
            self.ax.title.set_text(title)
        canvas.restore_region(self._background)
        renderer = canvas.get_renderer()
        if self.overlay is None or self.overlay.picture is None:
            self.image.draw(renderer)
        for artist in extra:
            artist.draw(renderer)
        for spine in self.ax.spines.values():
            spine.draw(renderer)
        self.ax.title.draw(renderer)
        self.colorbar.ax.draw(renderer)


def _limits_only(new: object, old: object) -> bool:
    """Whether ``old`` becomes ``new`` by changing its limits alone.

    True only for the plain linear and log norms, which have no parameters
    besides their limits and ``clip``; any other norm is replaced whole.
    """
    from matplotlib import colors as mcolors

    return (
        type(new) is type(old)
        and type(new) in (mcolors.Normalize, mcolors.LogNorm)
        and getattr(new, "clip", None) == getattr(old, "clip", None)
    )


#: how many figures are kept for reuse
FIGURE_CACHE_SIZE = 16
#: figures by stream and layout, each lent to one drawing at a time
_CACHE: BoundedCache[Any] = BoundedCache("render.mpl.figures", FIGURE_CACHE_SIZE)


def render_matplotlib(
    data: np.ndarray,
    scale: ColorScale,
    *,
    title: str | None = None,
    label: str | None = None,
    key: Hashable = None,
    cache: BoundedCache[Any] | None = None,
    options: PictureOptions | None = None,
) -> np.ndarray:
    """Draw ``data`` with ``imshow`` + ``colorbar`` and return RGB uint8 pixels.

    Arrays longer than ``MAX_CELLS`` on a side are box-averaged first (NaN
    where a block holds a bad cell), keeping the axes in the full array's units.

    ``key`` identifies the stream (for example the tag); figures are reused for
    calls with the same key, shape, colormap, norm type and colour-bar layout.
    """
    cache = _CACHE if cache is None else cache
    full_key: tuple[Any, ...] = (
        key,
        data.shape,
        scale.cmap.name,
        type(scale.norm),
        scale.extend,
    )
    if options is not None and not options.is_plain:
        full_key += (options.layout_key, options.blended, options.annot)
    mode = None if options is None else options.reduce
    with MATPLOTLIB_LOCK:
        fig = cache.pop(full_key)
        if fig is None:
            fig = _ColorbarFigure(data.shape, scale, options)
        with np.errstate(over="ignore", invalid="ignore"):
            # extreme limits overflow inside matplotlib's tick and norm arithmetic
            rgb = fig.draw(_cells(data, mode, fig.cell_limit), scale, title, label, key,
                           options)
    cache.set(full_key, fig)
    return rgb


#: a batch picture is at most this many inches (at FIG_DPI) on each side
GRID_MAX_INCHES = 20.0
#: a panel's longer side, in inches, before the cap
GRID_PANEL_INCHES = 3.0


class _GridFigure:
    """A Figure with a grid of image axes and one shared or per-panel colour bars.

    Like :class:`_ColorbarFigure`, the layout is computed once, by hand (fixed
    margins for tick labels, titles and bars), so every draw of a reused figure
    gives the same pixels as the first.
    """

    LEFT, BOTTOM, TOP = 0.5, 0.35, 0.3
    GAP, BAR, BAR_TEXT = 0.12, 0.15, 0.9

    def __init__(self, shapes: list[tuple[int, int]], scales: list[ColorScale],
                 ncols: int, has_titles: bool) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        n = len(shapes)
        nrows = -(-n // ncols)
        shared = len(scales) == 1
        top = self.TOP if has_titles else 0.1
        bar_w = self.GAP + self.BAR + self.BAR_TEXT
        cell_extra_w = self.LEFT + (0.0 if shared else bar_w)
        cell_extra_h = self.BOTTOM + top
        fixed_w = ncols * cell_extra_w + (bar_w + 0.1 if shared else 0.0)
        fixed_h = nrows * cell_extra_h
        panel = min(
            GRID_PANEL_INCHES,
            (GRID_MAX_INCHES - fixed_w) / ncols,
            (GRID_MAX_INCHES - fixed_h) / nrows,
        )
        panel = max(panel, 0.3)
        cell_w, cell_h = panel + cell_extra_w, panel + cell_extra_h
        fw, fh = ncols * cell_w + (fixed_w - ncols * cell_extra_w), nrows * cell_h
        # margins alone can exceed the cap for long rows or columns: then draw
        # everything smaller, so the picture is never over the cap in pixels
        dpi = FIG_DPI * min(1.0, GRID_MAX_INCHES / fw, GRID_MAX_INCHES / fh)
        self.figure = Figure(figsize=(fw, fh), dpi=dpi)
        self.canvas = FigureCanvasAgg(self.figure)
        self.axes = []
        self.images = []
        self.colorbars = []
        for i, shape in enumerate(shapes):
            row, col = divmod(i, ncols)
            x0 = col * cell_w + self.LEFT
            y0 = fh - (row + 1) * cell_h + self.BOTTOM
            ax = self.figure.add_axes((x0 / fw, y0 / fh, panel / fw, panel / fh))
            scale = scales[0] if shared else scales[i]
            im = _show(ax, shape, cmap=scale.cmap, norm=scale.norm)
            self.axes.append(ax)
            self.images.append(im)
            if not shared:
                cax = self.figure.add_axes(
                    ((x0 + panel + self.GAP) / fw, y0 / fh, self.BAR / fw, panel / fh)
                )
                self.colorbars.append(self.figure.colorbar(im, cax=cax, extend=scale.extend))
        if shared:
            bar_h = min(fh - 0.6, max(panel, fh * 0.8))
            cax = self.figure.add_axes((
                (ncols * cell_w + self.GAP) / fw, (fh - bar_h) / 2 / fh, self.BAR / fw, bar_h / fh
            ))
            self.colorbars.append(
                self.figure.colorbar(self.images[0], cax=cax, extend=scales[0].extend)
            )

    def draw(self, panels: list[np.ndarray], scales: list[ColorScale],
             titles: list[str | None] | None, label: str | None) -> np.ndarray:
        shared = len(scales) == 1
        for i, (im, data) in enumerate(zip(self.images, panels)):
            scale = scales[0] if shared else scales[i]
            im.set_cmap(scale.cmap)
            # a shared scale: every image gets the same norm object, so the one
            # colour bar (attached to the first image) describes them all
            im.set_norm(scale.norm)
            im.set_data(np.ma.masked_invalid(data, copy=False))
            self.axes[i].set_title(titles[i] or "" if titles else "")
        for cb in self.colorbars:
            cb.set_label(label or "")
        self.canvas.draw()
        return np.asarray(self.canvas.buffer_rgba())[:, :, :3].copy()


def render_matplotlib_grid(
    panels: list[np.ndarray],
    scales: list[ColorScale],
    *,
    titles: list[str | None] | None = None,
    label: str | None = None,
    ncols: int | None = None,
    key: Hashable = None,
    cache: BoundedCache[Any] | None = None,
) -> np.ndarray:
    """Draw a batch as a grid of ``imshow`` panels with shared or per-panel colour bars.

    ``scales`` holds one scale (shared) or one per panel. The figure is at most
    ``GRID_MAX_INCHES`` on a side, so the picture stays bounded for any batch.
    """
    cache = _CACHE if cache is None else cache
    cols = grid_columns(len(panels), ncols)
    shapes = [p.shape for p in panels]
    full_key = (
        "grid", key, tuple(shapes), cols, bool(titles),
        tuple((s.cmap.name, type(s.norm), s.extend) for s in scales),
    )
    with MATPLOTLIB_LOCK:
        fig = cache.pop(full_key)
        if fig is None:
            fig = _GridFigure(shapes, scales, cols, bool(titles))
        with np.errstate(over="ignore", invalid="ignore"):
            rgb = fig.draw([_cells(p) for p in panels], scales, titles, label)
    cache.set(full_key, fig)
    return rgb


def render(panels: Sequence[np.ndarray], scales: Sequence[ColorScale],
           options: PictureOptions, stream: Stream) -> np.ndarray:
    """The matplotlib back end (see :class:`figwriter.render.Renderer`)."""
    if not options.grid:
        return render_matplotlib(panels[0], scales[0], title=options.title,
                                 label=options.label, key=stream.key, options=options)
    return render_matplotlib_grid(list(panels), list(scales),
                                  titles=None if options.titles is None else list(options.titles),
                                  label=options.label, ncols=options.ncols, key=stream.key)
