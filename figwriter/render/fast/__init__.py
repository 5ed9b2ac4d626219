"""The fast back end: ``imshow`` + ``colorbar`` composed in numpy.

Matplotlib is used as a library, never as a drawing engine. The stages, one
module each:

* :mod:`.colours`: the colormap as a lookup table; each cell's table row as
  ``cmap(norm(value))`` picks it.
* :mod:`.ticks`: the colour bar's ticks from the locator and formatter
  ``colorbar()`` would use; the image axes' ticks as ``imshow``'s.
* :mod:`.text`: text rasterised with matplotlib's font, cached per string.
* :mod:`.layout`: one layout model (a single picture is the 1x1 grid).
* :mod:`.paint`: a cached template per layout, then cells, titles and ticks.

Cells are enlarged or reduced as :mod:`figwriter.render.cells` says. Every
picture of a stream (a writer's tag, shape and options) has one size whatever
the limits: when tick labels outgrow their column, the stream's
:class:`~figwriter.render.options.CanvasSizes` widen it once, for good.

All caches are bounded and lock-protected; cached arrays are read-only, so
any number of threads may render at once.

Examples
--------
>>> from figwriter._scale import resolve_scale
>>> data = np.arange(12.0).reshape(3, 4)
>>> rgb = render_fast(data, resolve_scale([data]), title="t", label=None, key="doc")
>>> rgb.dtype, rgb.ndim, rgb.shape[2]
(dtype('uint8'), 3, 3)
>>> layout = layout_for("doc", data.shape, title=True, label=False)
>>> layout.up, layout.image.height, layout.image.width   # 3x4 cells of 64 px
(64, 192, 256)
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

from ..._scale import ColorScale
from ..cells import as_cells, grid_columns, reduce_into
from ..options import DEFAULT_MAX_SIZE, CanvasSizes, PictureOptions, Stream, check_request
from .colours import colour_table, indices_into
from .layout import (
    Layout,
    bar_interior,
    grid_layout_for,
    grid_stream,
    label_allowance,
    layout_for,
    single_stream,
)
from .paint import (
    SCRATCH,
    draw_bar_label_beside,
    draw_bar_ticks,
    draw_offset,
    draw_title,
    paint_cells,
    template,
)
from .picture import render_picture
from .text import line_count, picture_text, rasterize
from .ticks import BarTicks, bar_ticks

__all__ = ["render", "render_fast", "render_fast_grid"]


def render(panels: Sequence[np.ndarray], scales: Sequence[ColorScale],
           options: PictureOptions, stream: Stream) -> np.ndarray:
    """The fast back end (see :class:`figwriter.render.Renderer`)."""
    if not options.grid and not options.is_plain:
        return render_picture(panels[0], scales[0], options, stream)
    with picture_text(stream.key):
        return _render(panels, scales, options, stream)


def _render(panels: Sequence[np.ndarray], scales: Sequence[ColorScale],
            options: PictureOptions, stream: Stream) -> np.ndarray:
    data = [as_cells(p) for p in panels]
    layout = _layout(data, scales, options, stream.key, stream.sizes)
    tables = tuple(colour_table(s.cmap) for s in scales)
    ticks = _bar_ticks(layout, scales, tables)
    needed = max((rasterize(text, layout.style.tick_size).width
                  for tk in ticks for text in tk.labels), default=0)
    if needed > layout.bars()[0].label_width:
        # this stream's tick labels outgrew their column: widen it, for good
        stream.sizes.widen((_stream(data, scales, options, stream.key), layout.style.tick_size),
                           needed, label_allowance(layout.style.tick_size))
        layout = _layout(data, scales, options, stream.key, stream.sizes)
    extends = tuple(s.extend for s in scales)
    canvas = template(layout, tables, extends, options.label).copy()
    if options.label:
        # rasterised (cached) here so that its missing glyphs are reported with this picture's
        rasterize(options.label, layout.style.label_size, rotation=90)
    style = layout.style
    shared = len(scales) == 1
    for i, (panel, place) in enumerate(zip(data, layout.panels)):
        scale, table = (scales[0], tables[0]) if shared else (scales[i], tables[i])
        k = indices_into(reduce_into(panel, place.down, SCRATCH), scale, table.n, SCRATCH)
        paint_cells(canvas, place.image, k, table, place.up)
        title = options.titles[i] if options.titles is not None else None
        if title and place.title_baseline is not None:
            draw_title(canvas, place.image.x + place.image.width // 2, place.title_baseline,
                       title, style.title_size)
    for where, scale, tk in zip(layout.bars(), scales, ticks):
        interior = bar_interior(where.bar, scale.extend)
        draw_bar_ticks(canvas, interior, where.tick_x, where.label_x, tk, style)
        draw_offset(canvas, where.bar, tk.offset, style.tick_size)
        if where.bar_label_x is not None:
            draw_bar_label_beside(canvas, where.bar, where.label_x, tk, options.label, style)
    return canvas


def _layout(data: list[np.ndarray], scales: Sequence[ColorScale], options: PictureOptions,
            key: Hashable, sizes: CanvasSizes) -> Layout:
    titles, label = _lines(options)
    if not options.grid:
        return layout_for(key, data[0].shape, title=titles, label=label,
                          max_size=options.max_size, sizes=sizes)
    return grid_layout_for(key, [d.shape for d in data], ncols=options.ncols, titles=titles,
                           label=label, shared=len(scales) == 1, max_size=options.max_size,
                           sizes=sizes)


def _lines(options: PictureOptions) -> tuple[int, int]:
    """Lines of the longest title (0: none) and of the colour-bar label."""
    return max(map(line_count, options.titles or (None,))), line_count(options.label)


def _stream(data: list[np.ndarray], scales: Sequence[ColorScale], options: PictureOptions,
            key: Hashable) -> Hashable:
    """What this picture's stable size is kept by (see :class:`CanvasSizes`)."""
    titles, label = _lines(options)
    if not options.grid:
        shape = (int(data[0].shape[0]), int(data[0].shape[1]))
        return single_stream(key, shape, titles, label, options.max_size)
    shapes = tuple((int(d.shape[0]), int(d.shape[1])) for d in data)
    return grid_stream(key, shapes, grid_columns(len(data), options.ncols), len(scales) == 1,
                       titles, label, options.max_size)


def _bar_ticks(layout: Layout, scales: Sequence[ColorScale],
               tables: Sequence) -> list[BarTicks]:
    """Each colour bar's ticks, for the length of its interior."""
    return [
        bar_ticks(s.norm, bar_interior(b.bar, s.extend).height, n=t.n, extend=s.extend,
                  label_size=layout.style.tick_size)
        for s, t, b in zip(scales, tables, layout.bars())
    ]


def render_fast(data: np.ndarray, scale: ColorScale, *, title: str | None,
                label: str | None, key: Hashable = None, max_size: int = DEFAULT_MAX_SIZE,
                sizes: CanvasSizes | None = None) -> np.ndarray:
    """Compose ``data`` with its colour bar into an RGB picture.

    Parameters
    ----------
    data
        2-D float32 or float64 array; non-finite cells are bad.
    scale
        The resolved colour scale.
    title
        Text above the image, or None.
    label
        Text along the colour bar, or None.
    key
        Identifies the stream (the tag) in ``sizes``.
    max_size
        Longest image side in pixels; larger arrays are reduced.
    sizes
        The stable sizes of the writer's streams; default fresh ones (the
        picture depends on nothing drawn before).

    Returns
    -------
    numpy.ndarray
        (H, W, 3) uint8, C-contiguous, owned by the caller.

    Examples
    --------
    >>> from figwriter._scale import resolve_scale
    >>> x = np.linspace(0, 1, 64 * 64).reshape(64, 64)
    >>> rgb = render_fast(x, resolve_scale([x]), title=None, label="depth", key="d")
    >>> layout = layout_for("d", x.shape, title=False, label=True)
    >>> rgb.shape == (layout.height, layout.width, 3)
    True
    """
    options = PictureOptions(grid=False, titles=(title,), label=label, max_size=max_size)
    return render([data], [scale], options, _stream_of(key, sizes))


def render_fast_grid(panels: list[np.ndarray], scales: list[ColorScale], *,
                     titles: list[str | None] | None, label: str | None,
                     ncols: int | None, key: Hashable = None,
                     max_size: int = DEFAULT_MAX_SIZE,
                     sizes: CanvasSizes | None = None) -> np.ndarray:
    """Compose a batch as a grid of panels with one shared or per-panel colour bars.

    Parameters
    ----------
    panels
        2-D float arrays, possibly of different shapes; non-finite cells are bad.
    scales
        One scale (one colour bar for every panel) or one per panel.
    titles
        A title per panel (None entries for none), or None.
    label
        Text along the colour bar(s), or None.
    ncols
        Panels per row; default a near-square grid (``ceil(sqrt(n))``).
    key, sizes
        As for :func:`render_fast`.
    max_size
        Longest side of a panel in pixels; panels are reduced further when
        the whole picture would exceed ``GRID_MAX_SIDE`` pixels a side.

    Returns
    -------
    numpy.ndarray
        (H, W, 3) uint8, C-contiguous, owned by the caller.

    Examples
    --------
    >>> from figwriter._scale import resolve_scale
    >>> batch = [np.eye(4), np.ones((3, 5))]
    >>> rgb = render_fast_grid(batch, [resolve_scale(batch)], titles=["a", None],
    ...                        label=None, ncols=None, key="doc-grid")
    >>> rgb.shape[2], rgb.dtype
    (3, dtype('uint8'))
    """
    options = PictureOptions(grid=True, titles=None if titles is None else tuple(titles),
                             label=label, max_size=max_size, ncols=ncols)
    check_request(panels, scales, options)
    return render(panels, scales, options, _stream_of(key, sizes))


def _stream_of(key: Hashable, sizes: CanvasSizes | None) -> Stream:
    return Stream(key) if sizes is None else Stream(key, sizes)
