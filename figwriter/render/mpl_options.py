"""The matplotlib renderer's picture options: what ``imshow`` + seaborn's ``heatmap``
would do, on the renderer's reused figure.

``aspect``, ``origin`` and ``extent`` go to ``imshow`` (the axes box is sized to
the data block's aspect, so the image fills it); axis labels and tick labels go
to the axes (tick labels at cell centres, thinned as seaborn's ``"auto"``, x
labels turned upright when they would overlap); annotations are ``ax.text`` per
cell in seaborn's contrasting colour; a background is blended with the
documented formula of :func:`figwriter.render.overlay.blend` at the axes' pixel size
and shown as an RGB image over the (hidden) colour-mapped one, which keeps
driving the colour bar.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np

from .cells import reduce_blocks
from .geometry import cell_grid, cell_ratio
from .options import PictureOptions
from .overlay import (
    ANNOT_DARK,
    ANNOT_LIGHT,
    annotation_text,
    blend,
    dark_text,
    label_step,
    resample,
    warn_small_cells,
)

__all__ = ["box_ratio", "image_placement", "decorate", "Overlay", "reduce_for_display"]

PLAIN = PictureOptions()


def box_ratio(shape: tuple[int, int], options: PictureOptions) -> float:
    """Height / width of the data block on screen."""
    h, w = shape
    ratio = cell_ratio(shape, options.aspect, options.extent)
    if ratio is None:
        rows, cols = cell_grid(shape, "auto")
        return rows.length / cols.length
    return ratio * h / w


def _axes_units(shape: tuple[int, int],
                options: PictureOptions) -> tuple[float, float, float, float]:
    """(x0, sx, y0, sy): column j spans x0 + j*sx .. x0 + (j+1)*sx; rows likewise."""
    h, w = shape
    if options.extent is None:
        left, right = -0.5, w - 0.5
        bottom, top = (h - 0.5, -0.5) if options.origin == "upper" else (-0.5, h - 0.5)
    else:
        left, right, bottom, top = options.extent
    y0, y1 = (top, bottom) if options.origin == "upper" else (bottom, top)
    return left, (right - left) / w, y0, (y1 - y0) / h


def image_placement(shape: tuple[int, int], options: PictureOptions,
                    factor: int) -> dict[str, Any]:
    """``imshow`` keywords for data reduced by ``factor``, and the axes limits."""
    h, w = shape
    x0, sx, y0, sy = _axes_units(shape, options)
    rh, rw = -(-h // factor), -(-w // factor)
    y_end = y0 + rh * factor * sy
    if options.origin == "upper":
        extent = (x0, x0 + rw * factor * sx, y_end, y0)
    else:
        extent = (x0, x0 + rw * factor * sx, y0, y_end)
    xlim = (x0, x0 + w * sx)
    ylim = (y0 + h * sy, y0) if options.origin == "upper" else (y0, y0 + h * sy)
    return {"extent": extent, "origin": options.origin, "xlim": xlim, "ylim": ylim}


def reduce_for_display(data: np.ndarray, factor: int, mode: str | None) -> np.ndarray:
    return reduce_blocks(data, factor, factor, mode or "mean")


def _text_px(renderer: Any, s: str, size: float) -> tuple[float, float]:
    from matplotlib.font_manager import FontProperties

    w, h, _ = renderer.get_text_width_height_descent(s, FontProperties(size=size), ismath=False)
    return float(w), float(h)


def margins(options: PictureOptions, dpi: float, width_px: float) -> tuple[float, float]:
    """Extra (left, bottom) inches for axis labels and long tick labels."""
    from matplotlib import rcParams
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    renderer = RendererAgg(8, 8, dpi)
    tick = FontProperties(size=rcParams["ytick.labelsize"]).get_size_in_points()
    label = FontProperties(size=rcParams["axes.labelsize"]).get_size_in_points()
    left = bottom = 0.0
    line = label * 1.6 / 72
    if options.ylabel:
        left += line
    if options.xlabel:
        bottom += line
    if isinstance(options.yticklabels, tuple) and options.yticklabels:
        widest = max(_text_px(renderer, s, tick)[0] for s in options.yticklabels) / dpi
        left += max(0.0, widest - 0.35)
    if isinstance(options.xticklabels, tuple) and options.xticklabels:
        shown, rotated = _x_labels(options.xticklabels, width_px, tick)
        if rotated:
            widest = max(_text_px(renderer, s, tick)[0] for s in shown) / dpi
            bottom += max(0.0, widest - 0.15)
    return left, bottom


def _x_labels(labels: tuple[str, ...], length_px: float,
              size: float) -> tuple[list[str], bool]:
    """The x tick labels shown, and whether they stand upright (neighbours overlap)."""
    from matplotlib.backends.backend_agg import RendererAgg

    n = len(labels)
    every = label_step(n, length_px, size)
    if every == 0:
        return [], False
    shown = list(labels[::every])
    renderer = RendererAgg(8, 8, 100)
    widest = max(_text_px(renderer, s, size)[0] for s in shown)
    return shown, len(shown) > 1 and widest + 2 > every * length_px / n


def _set_labels(axis: Any, labels: tuple[str, ...] | bool, start: float, step: float,
                length_px: float, size: float, rotate: bool) -> None:
    if labels is False:
        axis.set_ticks([])
        return
    if labels is True:
        return
    n = len(labels)
    every = label_step(n, length_px, size)
    if every == 0:
        axis.set_ticks([])
        return
    shown = list(labels[::every])
    axis.set_ticks([start + (i + 0.5) * step for i in range(0, n, every)], shown)
    if rotate and _x_labels(labels, length_px, size)[1]:
        for text in axis.get_ticklabels():
            text.set_rotation(90)


def decorate(ax: Any, shape: tuple[int, int], options: PictureOptions,
             px: tuple[float, float]) -> None:
    """Axis labels and tick labels on the image axes (``px``: axes width, height)."""
    from matplotlib import rcParams
    from matplotlib.font_manager import FontProperties

    size = FontProperties(size=rcParams["xtick.labelsize"]).get_size_in_points()
    x0, sx, y0, sy = _axes_units(shape, options)
    _set_labels(ax.xaxis, options.xticklabels, x0, sx, px[0], size, rotate=True)
    _set_labels(ax.yaxis, options.yticklabels, y0, sy, px[1], size, rotate=False)
    if options.xlabel:
        ax.set_xlabel(options.xlabel)
    if options.ylabel:
        ax.set_ylabel(options.ylabel)


class Overlay:
    """What changes per call besides the image: annotations and the blended picture."""

    def __init__(self, ax: Any, shape: tuple[int, int], options: PictureOptions,
                 px: tuple[float, float]) -> None:
        self.ax = ax
        self.shape = shape
        self.options = options
        self.px = (max(1, int(round(px[0]))), max(1, int(round(px[1]))))
        self.texts: list[Any] = []
        self.picture: Any = None
        if options.blended:
            place = image_placement(shape, options, 1)
            self.picture = ax.imshow(np.zeros((1, 1, 3), np.uint8), extent=place["extent"],
                                     origin=options.origin, interpolation="nearest",
                                     aspect="auto", zorder=1)
            ax.set_xlim(*place["xlim"])
            ax.set_ylim(*place["ylim"])

    def artists(self) -> list[Any]:
        return ([self.picture] if self.picture is not None else []) + self.texts

    def update(self, image: Any, data: np.ndarray, scale: Any, key: Hashable,
               options: PictureOptions) -> None:
        """Blend and annotate for this call's ``data``, scale and options (its
        background, annotation values, alpha)."""
        self.options = options
        if self.picture is not None:
            self._blend(image, data, scale)
        for text in self.texts:
            text.remove()
        self.texts = []
        if self.options.annot:
            self._annotate(data, scale, key)

    def _blend(self, image: Any, data: np.ndarray, scale: Any) -> None:
        w, h = self.px
        rgba = scale.cmap(scale.norm(np.ma.masked_invalid(data, copy=False)), bytes=True)
        rows = (np.arange(h) + 0.5) * data.shape[0] / h
        cols = (np.arange(w) + 0.5) * data.shape[1] / w
        ri, ci = rows.astype(np.intp), cols.astype(np.intp)
        if self.options.origin == "lower":
            ri = ri[::-1]
        px = rgba[np.ix_(ri, ci)]
        cells = px[..., :3]
        back = self.options.background
        if back is None:
            back = np.full((h, w, 3), 255, np.uint8)
        back = resample(back, h, w)
        shown = blend(cells, px[..., 3] / 255.0, back, self.options.alpha)
        if self.options.origin == "lower":
            shown = shown[::-1]
        self.picture.set_data(shown)
        image.set_visible(False)

    def _annotate(self, data: np.ndarray, scale: Any, key: Hashable) -> None:
        from matplotlib.backends.backend_agg import RendererAgg
        from matplotlib.font_manager import FontProperties

        h, w = data.shape
        given = self.options.annot_value
        values = given if given is not None else data
        cell_w, cell_h = self.px[0] / w, self.px[1] / h
        x0, sx, y0, sy = _axes_units(self.shape, self.options)
        renderer = RendererAgg(8, 8, self.ax.figure.dpi)
        size = FontProperties(size=None).get_size_in_points()
        rgba = scale.cmap(scale.norm(np.ma.masked_invalid(data, copy=False)))
        dark = dark_text(rgba)
        finite = np.isfinite(data)
        if min(cell_w, cell_h) < 6:  # no text fits: do not measure every cell
            warn_small_cells(self.options.warned, key, int(np.count_nonzero(finite)),
                             f"{cell_w:.0f}x{cell_h:.0f}")
            return
        skipped = 0
        for i, j in zip(*np.nonzero(finite)):
            s = annotation_text(values[i, j], self.options.fmt)
            tw, th = _text_px(renderer, s, size)
            if tw > cell_w - 2 or th > cell_h - 2:
                skipped += 1
                continue
            colour = np.array(ANNOT_DARK if dark[i, j] else ANNOT_LIGHT) / 255.0
            self.texts.append(self.ax.text(x0 + (j + 0.5) * sx, y0 + (i + 0.5) * sy, s,
                                           color=tuple(colour), ha="center", va="center",
                                           zorder=3))
        if skipped:
            warn_small_cells(self.options.warned, key, skipped, f"{cell_w:.0f}x{cell_h:.0f}")
