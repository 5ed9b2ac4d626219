"""Render: data + colour scales + options -> an RGB picture. The seam between back ends.

Every back end is one function with one signature, :class:`Renderer`: a single
picture is a grid of one (``options.grid`` is False). Back ends are found by
name in :data:`RENDERERS`; :func:`back_end_for` makes every decision about
which back end serves which options, and :func:`render` is the one entry point
the rest of figwriter calls.

The back ends (:mod:`figwriter.render.fast`, :mod:`figwriter.render.mpl`)
never import each other; what both need lives in :mod:`.cells` and
:mod:`.options`.

Examples
--------
>>> from figwriter._scale import resolve_scale
>>> data = np.arange(12.0).reshape(3, 4)
>>> rgb = render("fast", [data], [resolve_scale([data])], PictureOptions(), Stream("doc"))
>>> rgb.dtype, rgb.shape[2]
(dtype('uint8'), 3)
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from .._scale import ColorScale
from .options import (
    DEFAULT_MAX_SIZE,
    MAX_PICTURE_SIDE,
    CanvasSizes,
    PictureOptions,
    Stream,
    check_request,
)

__all__ = [
    "Renderer",
    "RENDERERS",
    "back_end_for",
    "get_renderer",
    "render",
    "PictureOptions",
    "Stream",
    "CanvasSizes",
    "DEFAULT_MAX_SIZE",
    "MAX_PICTURE_SIDE",
]


class Renderer(Protocol):
    """The contract of a back end.

    Parameters
    ----------
    panels : sequence of numpy.ndarray
        2-D float arrays (one for a single picture); non-finite cells are bad.
    scales : sequence of ColorScale
        One scale (shared by every panel, one colour bar) or one per panel.
    options : PictureOptions
        Everything else about the picture.
    stream : Stream
        Whose picture it is: the key (tag) and its writer's canvas sizes.

    Returns
    -------
    numpy.ndarray
        (H, W, 3) uint8, C-contiguous, owned by the caller.
    """

    def __call__(self, panels: Sequence[np.ndarray], scales: Sequence[ColorScale],
                 options: PictureOptions, stream: Stream) -> np.ndarray: ...


#: back ends by name: the module whose ``render`` function is the back end
RENDERERS: dict[str, str] = {
    "fast": "figwriter.render.fast",
    "matplotlib": "figwriter.render.mpl",
}


def get_renderer(name: str) -> Renderer:
    """The back end registered as ``name`` (imported on first use)."""
    try:
        module = RENDERERS[name]
    except KeyError:
        raise ValueError(
            f"renderer must be one of {tuple(RENDERERS)}; got {name!r}"
        ) from None
    back_end: Renderer = importlib.import_module(module).render
    return back_end


def _discrete(scale: ColorScale) -> bool:
    from matplotlib import colors

    return isinstance(scale.norm, (colors.BoundaryNorm, colors.NoNorm))


def back_end_for(name: str, scales: Sequence[ColorScale], options: PictureOptions) -> str:
    """Which back end draws a picture asked of ``name``: every such decision is here.

    * Norms whose colour bars are not continuous (``BoundaryNorm``,
      ``NoNorm``) are drawn by ``"matplotlib"``: the fast back end draws
      continuous bars only.
    * A batch with picture options (labels, annotations, a background, ...) is
      drawn as a grid of the single pictures by :func:`render` itself
      (:mod:`.tiles`), each panel by the back end this function picks for it.
    """
    if name == "fast" and any(_discrete(s) for s in scales):
        return "matplotlib"
    return name


def render(name: str, panels: Sequence[np.ndarray], scales: Sequence[ColorScale],
           options: PictureOptions, stream: Stream) -> np.ndarray:
    """Draw a picture with the back end :func:`back_end_for` picks for ``name``."""
    check_request(panels, scales, options)
    if options.grid and not options.is_plain:
        # a batch with picture options: a grid of the single pictures
        from .tiles import render_tiles

        def one(panel: np.ndarray, scale: ColorScale, single: PictureOptions,
                where: Stream) -> np.ndarray:
            back_end = get_renderer(back_end_for(name, [scale], single))
            return back_end([panel], [scale], single, where)

        return render_tiles(one, panels, scales, options, stream)
    return get_renderer(back_end_for(name, scales, options))(panels, scales, options, stream)
