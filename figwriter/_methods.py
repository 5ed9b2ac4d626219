"""The added methods, shared by every writer class.

:class:`FigureMethods` runs convert -> resolve -> render -> encode and hands the
PNG to ``self._emit_png``, the one method a writer class supplies (emit stage).
The tensorboardX writer (``figwriter.FigureSummaryWriter``) and the torch one
(``figwriter.torch.FigureSummaryWriter``) differ only there.
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any, Callable, Literal, Union

import numpy as np

from . import _convert, _optchecks, _picture, _png, _scale

if TYPE_CHECKING:
    from matplotlib.colors import Colormap, Normalize
    from matplotlib.figure import Figure

    from ._background import Worker

__all__ = ["FigureMethods", "RENDERERS", "Renderer"]

Renderer = Literal["fast", "matplotlib"]
RENDERERS: tuple[str, ...] = ("fast", "matplotlib")
DEFAULT_MAX_SIZE = 512
#: TensorBoard refuses to serve very large images; nothing larger is written.
MAX_PICTURE_SIDE = 4096
#: a list of figures is laid out this many per row, as tensorboardX's make_grid does
_FIGURE_GRID_COLUMNS = 8

CmapArg = Union[str, "Colormap", None]
NormArg = Union[str, "Normalize"]


def _check_renderer(renderer: object) -> str:
    if renderer not in RENDERERS:
        raise ValueError(f"renderer must be one of {RENDERERS}; got {renderer!r}")
    return str(renderer)


def _check_bool(value: object, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {type(value).__name__}")
    return bool(value)


def _check_int(value: object, name: str, low: int, high: int | None = None) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int; got {type(value).__name__}")
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ValueError(f"{name} must be {bounds}; got {value}")
    return int(value)


def _check_max_size(max_size: object) -> int:
    return _check_int(max_size, "max_size", low=16, high=MAX_PICTURE_SIDE)


def _check_text(value: object, name: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"{name} must be a str or None; got {type(value).__name__}")


def _check_tag(tag: object) -> str:
    if not isinstance(tag, str):
        raise TypeError(f"tag must be a str; got {type(tag).__name__}")
    if not tag:
        raise ValueError("tag must be a non-empty str")
    return tag


def render(
    renderer: str,
    data: np.ndarray,
    scale: _scale.ColorScale,
    *,
    title: str | None,
    label: str | None,
    key: Hashable,
    max_size: int,
    options: _picture.PictureOptions | None = None,
) -> np.ndarray:
    """Dispatch to a renderer back end; returns RGB uint8 pixels (H, W, 3)."""
    if renderer == "fast":
        from ._compose import _discrete_norm, render_fast

        if options is None or options.is_plain:
            return render_fast(data, scale, title=title, label=label, key=key,
                               max_size=max_size)
        if _discrete_norm(scale.norm):
            return render(_check_renderer("matplotlib"), data, scale, title=title,
                          label=label, key=key, max_size=max_size, options=options)
        from ._fastpicture import render_picture

        return render_picture(data, scale, title=title, label=label, key=key,
                              max_size=max_size, options=options)
    from ._mpl import render_matplotlib

    return render_matplotlib(data, scale, title=title, label=label, key=key, options=options)


class FigureMethods:
    """Mixin: the figure methods over an emit stage, optionally in the background.

    Parameters
    ----------
    async_render : bool, default False
        Render, encode and write pictures on a worker thread. Calls return once
        they have taken what they need from their input (a copy); ``global_step``
        and walltime are fixed at call time; pictures are byte-identical to the
        synchronous mode's.
    max_pending : int, default 16
        With ``async_render``, how many pictures may wait; a call blocks while
        the queue is full (nothing is dropped).
    *args, **kwargs
        Everything the parent writer class takes.
    """

    def __init__(self, *args: Any, async_render: bool = False, max_pending: int = 16,
                 **kwargs: Any) -> None:
        _check_bool(async_render, "async_render")
        max_pending = _check_int(max_pending, "max_pending", low=1)
        super().__init__(*args, **kwargs)
        self._held_scales = _picture.HeldScales()
        self._warned = _picture.Warned()
        self._worker: Worker | None = None
        if async_render:
            from ._background import Worker

            self._worker = Worker(int(max_pending))

    @property
    def async_render(self) -> bool:
        """Whether pictures are rendered and written on a worker thread."""
        return self._worker is not None

    # -- emit: supplied by the writer class -------------------------------------------
    def _emit_png(
        self,
        tag: str,
        png: bytes,
        height: int,
        width: int,
        colorspace: int,
        global_step: int | None,
        walltime: float | None,
    ) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _call_metadata(self, global_step: int | None,
                       walltime: float | None) -> tuple[int | None, float | None]:
        """Step and walltime as the event would get them if written now."""
        return global_step, (time.time() if walltime is None else walltime)

    def _ensure_file_writer(self) -> None:
        """Open the event file now (on the caller's thread) if it is closed."""
        self._get_file_writer()  # type: ignore[attr-defined]

    def _wait_pending(self) -> None:
        """Wait for pictures still being rendered; raise a background failure."""
        if self._worker is not None:
            self._worker.wait()

    def _submit(self, job: Callable[[], tuple[bytes, int, int, int]], tag: str,
                global_step: int | None, walltime: float | None) -> None:
        """Run a render+encode job and emit its PNG, now or on the worker."""
        if self._worker is None:
            png, height, width, colorspace = job()
            self._emit_png(tag, png, height, width, colorspace, global_step, walltime)
            return
        self._worker.raise_error()
        global_step, walltime = self._call_metadata(global_step, walltime)
        self._ensure_file_writer()
        emit = self._emit_png

        def run() -> None:
            png, height, width, colorspace = job()
            emit(tag, png, height, width, colorspace, global_step, walltime)

        self._worker.submit(run)

    def _take(self, data: np.ndarray) -> np.ndarray:
        """What a job keeps of the caller's array: the array itself, or a copy in
        background mode (the caller may change or free it after the call).

        Background copies of large arrays go into reused buffers; the job hands
        them back with :meth:`_release` when it has run.
        """
        if self._worker is None:
            return data
        return self._worker.buffers.copy(data)

    def _release(self, *arrays: np.ndarray) -> None:
        """Hand back the buffers :meth:`_take` made (synchronous mode: nothing to do)."""
        if self._worker is not None:
            for a in arrays:
                self._worker.buffers.give_back(a)

    def flush(self) -> None:
        """Write every pending picture and event to disk, then flush the event files.

        Waits for pictures still being rendered in the background, writes what
        the parent writer still holds in its queue, and flushes; everything
        logged before ``flush()`` is readable when it returns. A background
        failure not yet reported is raised after that, so the pictures that did
        succeed are on disk either way.
        """
        error: BaseException | None = None
        try:
            self._wait_pending()
        except BaseException as err:
            error = err
        self._drain_events()
        super().flush()  # type: ignore[misc]
        if error is not None:
            raise error

    def _drain_events(self) -> None:
        """Write events the parent writer still holds in memory (hook; none by default)."""

    def close(self) -> None:
        """Write every pending picture, then close as the parent writer does.

        A background failure not yet reported is raised after closing.
        """
        error: BaseException | None = None
        if self._worker is not None:
            try:
                self._worker.close()
            except BaseException as err:
                error = err
        super().close()  # type: ignore[misc]
        if error is not None:
            raise error

    # -- public methods ----------------------------------------------------------------
    def add_figure_png(
        self,
        tag: str,
        figure: Figure | Sequence[Figure],
        global_step: int | None = None,
        close: bool = True,
        walltime: float | None = None,
        *,
        dpi: float | None = None,
    ) -> None:
        """Log a matplotlib figure as a PNG, encoded once in memory.

        A drop-in for ``add_figure``: the same positional parameters in the same
        order, the same pixels, but no decode and re-encode, and the figure's own
        canvas is left in place (an interactive figure stays usable).

        Parameters
        ----------
        tag : str
            Data identifier.
        figure : matplotlib.figure.Figure or list of Figure
            The figure, or a list of figures laid out in one grid picture (8 per
            row, as ``add_figure`` does; the figures must be the same size).
        global_step : int, optional
            Global step value to record.
        close : bool, default True
            Close the figure afterwards if pyplot manages it.
        walltime : float, optional
            Event time in seconds since the epoch; default now.
        dpi : float, optional
            Draw at this dpi instead of the figure's own, for this picture only.
            A figure that would draw to more than 4096 pixels on a side is
            refused with a ``ValueError`` (TensorBoard does not serve such
            pictures).

        Examples
        --------
        >>> from matplotlib.figure import Figure
        >>> fig = Figure(figsize=(3, 2))
        >>> _ = fig.subplots().plot([3, 1, 2])
        >>> with FigureSummaryWriter(logdir) as writer:
        ...     writer.add_figure_png("loss", fig, global_step=0)
        """
        _check_tag(tag)
        if dpi is not None:
            if isinstance(dpi, bool) or not isinstance(dpi, (int, float, np.number)):
                raise TypeError(f"dpi must be a number or None; got {type(dpi).__name__}")
            if not (np.isfinite(dpi) and dpi > 0):
                raise ValueError(f"dpi must be a positive finite number; got {dpi}")
        figures: list[Any] = list(figure) if isinstance(figure, (list, tuple)) else [figure]
        if not figures:
            raise ValueError("figure must be a Figure or a non-empty list of Figures; got []")
        from matplotlib.figure import Figure as _Figure

        for i, f in enumerate(figures):
            if not isinstance(f, _Figure):
                where = f"figure[{i}]" if isinstance(figure, (list, tuple)) else "figure"
                raise TypeError(
                    f"{where} must be a matplotlib.figure.Figure; got {type(f).__name__}"
                )
        sizes = [_figure_pixels(f, dpi) for f in figures]
        for i, (f, (w_px, h_px)) in enumerate(zip(figures, sizes)):
            if max(w_px, h_px) > MAX_PICTURE_SIDE:
                where = f"figure[{i}]" if isinstance(figure, (list, tuple)) else "figure"
                raise ValueError(
                    f"{where} would draw to {w_px}x{h_px} pixels; TensorBoard pictures are "
                    f"limited to {MAX_PICTURE_SIDE} pixels on a side: pass a smaller dpi= "
                    f"(at most {int(MAX_PICTURE_SIDE / max(f.get_size_inches()))} "
                    "for this figure)"
                )
        if len(figures) > 1:
            cols = min(len(figures), _FIGURE_GRID_COLUMNS)
            rows = -(-len(figures) // cols)
            grid_w, grid_h = cols * max(w for w, _ in sizes), rows * max(h for _, h in sizes)
            if max(grid_w, grid_h) > MAX_PICTURE_SIDE:
                raise ValueError(
                    f"figure: {len(figures)} figures laid out {cols} per row would make a "
                    f"{grid_w}x{grid_h} picture; TensorBoard pictures are limited to "
                    f"{MAX_PICTURE_SIDE} pixels on a side: pass a smaller dpi= or fewer figures"
                )
        job = self._figure_job(figures, dpi, close, grid=isinstance(figure, (list, tuple)))
        self._submit(job, tag, global_step, walltime)

    def _figure_job(self, figures: list[Figure], dpi: float | None, close: bool,
                    grid: bool) -> Callable[[], tuple[bytes, int, int, int]]:
        """The render+encode job for figures.

        Figures the caller keeps (``close=False``, or any synchronous call) are
        drawn now, on the caller's thread; closed ones may be drawn by the worker.
        """
        from ._mpl import close_if_managed, figure_to_rgba

        def draw() -> np.ndarray:
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

        drawn = draw() if (self._worker is None or not close) else None
        if close:
            for f in figures:
                close_if_managed(f)

        def job() -> tuple[bytes, int, int, int]:
            rgb = drawn if drawn is not None else draw()
            return _png.encode_png(rgb), rgb.shape[0], rgb.shape[1], 3

        return job

    def add_colormapped_image(
        self,
        tag: str,
        values: Any,
        global_step: int | None = None,
        walltime: float | None = None,
        dataformats: str = "HW",
        *,
        cmap: CmapArg = None,
        vmin: float | None = None,
        vmax: float | None = None,
        robust: bool = False,
        center: float | None = None,
        norm: NormArg = "linear",
        title: str | None = None,
        label: str | None = None,
        renderer: Renderer = "fast",
        max_size: int = DEFAULT_MAX_SIZE,
        aspect: str | float = "equal",
        origin: str = "upper",
        extent: Sequence[float] | None = None,
        xlabel: str | None = None,
        ylabel: str | None = None,
        xticklabels: Sequence[str] | bool | None = None,
        yticklabels: Sequence[str] | bool | None = None,
        annot: Any = False,
        fmt: str = ".2g",
        background: Any = None,
        alpha: float | None = None,
        reduce: str | None = None,
        hold_scale: bool = False,
    ) -> None:
        """Log a 2-D array as a colour-mapped picture with a colour bar.

        What ``imshow`` + ``colorbar`` show, without pyplot. NaN, +-inf and
        masked cells are painted in the colormap's bad colour and never move the
        limits.

        Parameters
        ----------
        tag : str
            Data identifier.
        values : array-like
            numpy array (any real or bool dtype, byte order, layout), masked
            array, nested list, torch tensor (any device, float16 and bfloat16
            included) or anything with ``__array__``.
        global_step : int, optional
            Global step value to record.
        walltime : float, optional
            Event time in seconds since the epoch; default now.
        dataformats : {"HW", "WH", "CHW", "HWC"}, default "HW"
            Layout of ``values``; the 3-D forms must have one channel.
        cmap : str or matplotlib.colors.Colormap, optional
            Default ``"viridis"``, or ``"RdBu_r"`` when ``center`` is given.
        vmin, vmax : float, optional
            Colour limits; missing ones come from the finite data.
        robust : bool, default False
            Take missing limits from the 2nd and 98th percentiles.
        center : float, optional
            Make the limits symmetric around this value (diverging data).
        norm : {"linear", "log", "symlog"} or matplotlib.colors.Normalize
            How values map to colours. ``"symlog"`` is linear within 1% of the
            largest absolute limit; pass a ``SymLogNorm`` to choose.
        title : str, optional
            Text above the image.
        label : str, optional
            Text along the colour bar.
        renderer : {"fast", "matplotlib"}, default "fast"
            ``"fast"`` composes the picture in numpy (same colours and tick
            labels as matplotlib); ``"matplotlib"`` draws a real ``imshow`` +
            ``colorbar`` figure with your rcParams.
        max_size : int, default 512
            The fast renderer's longest image side, in pixels: larger arrays are
            reduced (see ``reduce``).
        aspect : {"equal", "auto"} or float, default "equal"
            Cell shape, as ``imshow``'s: square (in data units with ``extent``),
            ``"auto"`` (a readable box whatever the shape), or height/width of a cell.
        origin : {"upper", "lower"}, default "upper"
            Where row 0 goes.
        extent : (left, right, bottom, top), optional
            Image axes in data units, ticked as ``imshow``'s.
        xlabel, ylabel : str, optional
            Axis labels.
        xticklabels, yticklabels : sequence of str or False, optional
            One label per column / row (thinned when they would overlap, as
            seaborn's ``"auto"``); ``False`` hides the axis' ticks. Default:
            numeric ticks (array indices, or data units with ``extent``).
        annot : bool or array-like, default False
            Write each cell's value (or the matching entry of an array of the
            data's shape) in it, in dark grey or white for contrast as seaborn
            does. Cells too small for their text are left out (one warning per tag).
        fmt : str, default ".2g"
            Format spec of the annotations.
        background : array-like, optional
            An (H, W) grey or (H, W, 3) RGB image (uint8, or floats in 0..1), any
            size, resampled to the data block; the cells are blended over it.
        alpha : float, optional
            Opacity of the cells over ``background`` (default 0.5); without a
            background, over white.
        reduce : {"mean", "max", "min", "mode"}, optional
            How cells are combined when the array is reduced. Default ``"mean"``,
            except for integer or bool data with a qualitative colormap (a
            ``ListedColormap`` of at most 32 colours) or a ``BoundaryNorm``:
            ``"mode"``, so labels are never averaged.
        hold_scale : bool, default False
            Keep the limits this tag resolved at its first call for the life of
            the writer; later data beyond them is clipped (extension triangles).

        Examples
        --------
        >>> import numpy as np
        >>> field = np.random.default_rng(0).normal(size=(64, 64))
        >>> with FigureSummaryWriter(logdir) as writer:
        ...     writer.add_colormapped_image("field", field, global_step=0, center=0.0)
        """
        _check_tag(tag)
        options = _scale.scale_options(
            cmap=cmap, vmin=vmin, vmax=vmax, robust=robust, center=center, norm=norm
        )
        data, picture = _optchecks.prepare(
            values, dataformats, options, self._warned, aspect=aspect, origin=origin, extent=extent,
            xlabel=xlabel, ylabel=ylabel, xticklabels=xticklabels, yticklabels=yticklabels,
            annot=annot, fmt=fmt, background=background, alpha=alpha, reduce=reduce,
            hold_scale=hold_scale)
        renderer = _check_renderer(renderer)  # type: ignore[assignment]
        max_size = _check_max_size(max_size)
        title = _check_text(title, "title")
        label = _check_text(label, "label")
        data = self._take(data)
        held = self._held_scales if picture.hold_scale else None

        def job() -> tuple[bytes, int, int, int]:
            try:
                scale = _picture.resolve_held([data], options, held, tag)
                rgb = render(renderer, data, scale, title=title, label=label, key=tag,
                             max_size=max_size, options=picture)
            finally:
                self._release(data)
            return _png.encode_png(rgb), rgb.shape[0], rgb.shape[1], 3

        self._submit(job, tag, global_step, walltime)

    def add_colormapped_images(
        self,
        tag: str,
        values: Any,
        global_step: int | None = None,
        walltime: float | None = None,
        dataformats: str = "NHW",
        *,
        shared_scale: bool = True,
        ncols: int | None = None,
        titles: Sequence[str | None] | None = None,
        cmap: CmapArg = None,
        vmin: float | None = None,
        vmax: float | None = None,
        robust: bool = False,
        center: float | None = None,
        norm: NormArg = "linear",
        label: str | None = None,
        renderer: Renderer = "fast",
        max_size: int = DEFAULT_MAX_SIZE,
        aspect: str | float = "equal",
        origin: str = "upper",
        extent: Sequence[float] | None = None,
        xlabel: str | None = None,
        ylabel: str | None = None,
        xticklabels: Sequence[str] | bool | None = None,
        yticklabels: Sequence[str] | bool | None = None,
        annot: Any = False,
        fmt: str = ".2g",
        background: Any = None,
        alpha: float | None = None,
        reduce: str | None = None,
        hold_scale: bool = False,
    ) -> None:
        """Log a batch of 2-D arrays as one picture: a grid of panels.

        With ``shared_scale=True`` (the default) the limits are resolved over the
        whole batch and one colour bar serves every panel, so prediction, target
        and error maps are directly comparable. The picture stays within a
        bounded size whatever the number of panels (panels are reduced as needed).

        Parameters
        ----------
        tag : str
            Data identifier.
        values : array-like or sequence of array-likes
            An (N, H, W) array (or (N, 1, H, W) / (N, H, W, 1) with
            ``dataformats``), or a list of 2-D arrays of possibly different shapes.
        global_step, walltime
            As for :meth:`add_colormapped_image`.
        dataformats : {"NHW", "NCHW", "NHWC"}, default "NHW"
            Layout of ``values``; the channel forms must have one channel. For a
            list of arrays, the layout of each without its ``N``.
        shared_scale : bool, default True
            One scale and colour bar for the batch; ``False`` gives every panel
            its own limits and colour bar.
        ncols : int, optional
            Panels per row; default a near-square grid.
        titles : sequence of str or None, optional
            One title per panel.
        cmap, vmin, vmax, robust, center, norm, label, renderer, max_size
            As for :meth:`add_colormapped_image`; with ``shared_scale=False``,
            limits left unset are resolved per panel.
        aspect, origin, extent, xlabel, ylabel, xticklabels, yticklabels, fmt, alpha, reduce
            As for :meth:`add_colormapped_image`, for every panel (tick label
            sequences must fit every panel). With any of these options the
            batch is laid out as a grid of complete pictures, each with its
            colour bar (the same bar on every panel when the scale is shared).
        annot : bool or sequence of array-likes, default False
            As for :meth:`add_colormapped_image`; or one array per panel.
        background : array-like or sequence of array-likes, optional
            One image under every panel, or one per panel.
        hold_scale : bool, default False
            Keep the limits of the tag's first call (per panel with
            ``shared_scale=False``).

        Examples
        --------
        >>> import numpy as np
        >>> target = np.random.default_rng(0).normal(size=(32, 32))
        >>> prediction = target + 0.1
        >>> with FigureSummaryWriter(logdir) as writer:
        ...     writer.add_colormapped_images(
        ...         "maps", [prediction, target], global_step=0,
        ...         titles=["prediction", "target"])
        """
        _check_tag(tag)
        panels = _convert.to_batch(values, dataformats)
        _check_bool(shared_scale, "shared_scale")
        if ncols is not None:
            ncols = _check_int(ncols, "ncols", low=1)
        panel_titles: list[str | None] | None = None
        if titles is not None:
            if isinstance(titles, str) or not isinstance(titles, Sequence):
                raise TypeError(
                    f"titles must be a sequence of str (one per panel); got {type(titles).__name__}"
                )
            if len(titles) != len(panels):
                raise ValueError(
                    f"titles must have one entry per panel: {len(panels)} panels, "
                    f"got {len(titles)} titles"
                )
            panel_titles = [_check_text(t, f"titles[{i}]") for i, t in enumerate(titles)]
        options = _scale.scale_options(
            cmap=cmap, vmin=vmin, vmax=vmax, robust=robust, center=center, norm=norm
        )
        renderer = _check_renderer(renderer)  # type: ignore[assignment]
        max_size = _check_max_size(max_size)
        label = _check_text(label, "label")
        pictures = _optchecks.prepare_batch(
            panels, values, options, self._warned, aspect=aspect, origin=origin,
            extent=extent, xlabel=xlabel, ylabel=ylabel, xticklabels=xticklabels,
            yticklabels=yticklabels, annot=annot, fmt=fmt, background=background,
            alpha=alpha, reduce=reduce, hold_scale=hold_scale)
        panels = [self._take(p) for p in panels]
        shared = bool(shared_scale)
        held = self._held_scales if pictures[0].hold_scale else None

        def job() -> tuple[bytes, int, int, int]:
            try:
                if shared:
                    scales = [_picture.resolve_held(panels, options, held, tag)]
                else:
                    scales = [_picture.resolve_held([p], options, held, (tag, i))
                              for i, p in enumerate(panels)]
                rgb = render_grid(renderer, panels, scales, titles=panel_titles, label=label,
                                  ncols=ncols, key=tag, max_size=max_size, options=pictures)
            finally:
                self._release(*panels)
            return _png.encode_png(rgb), rgb.shape[0], rgb.shape[1], 3

        self._submit(job, tag, global_step, walltime)


def render_grid(
    renderer: str,
    panels: list[np.ndarray],
    scales: list[_scale.ColorScale],
    *,
    titles: list[str | None] | None,
    label: str | None,
    ncols: int | None,
    key: Hashable,
    max_size: int,
    options: list[_picture.PictureOptions] | None = None,
) -> np.ndarray:
    """Dispatch a batch to a renderer back end; returns RGB uint8 pixels."""
    if options is not None and not all(o.is_plain for o in options):
        from ._tiles import render_tiles

        def one(data: np.ndarray, scale: _scale.ColorScale, **kwargs: Any) -> np.ndarray:
            return render(renderer, data, scale, **kwargs)

        cols = ncols if ncols is not None else int(np.ceil(np.sqrt(len(panels))))
        return render_tiles(one, panels, scales, titles=titles, label=label,
                            ncols=max(1, min(cols, len(panels))), key=key,
                            max_size=max_size, options=options)
    if renderer == "fast":
        from ._compose import render_fast_grid

        return render_fast_grid(panels, scales, titles=titles, label=label, ncols=ncols,
                                key=key, max_size=max_size)
    from ._mpl import render_matplotlib_grid

    return render_matplotlib_grid(panels, scales, titles=titles, label=label, ncols=ncols,
                                  key=key)


def image_summary(summary_cls: Any, tag: str, png: bytes, height: int, width: int,
                  colorspace: int) -> Any:
    """A ``Summary`` holding one encoded image, for either proto module.

    ``summary_cls`` is tensorboardX's or tensorboard's ``Summary``; the PNG
    bytes go into ``encoded_image_string`` unchanged.
    """
    image = summary_cls.Image(
        height=height, width=width, colorspace=colorspace, encoded_image_string=png
    )
    return summary_cls(value=[summary_cls.Value(tag=tag, image=image)])


def _figure_pixels(figure: Figure, dpi: float | None) -> tuple[int, int]:
    """The (width, height) in pixels ``figure`` draws to at ``dpi`` (default its own)."""
    w_in, h_in = figure.get_size_inches()
    f_dpi = figure.dpi if dpi is None else dpi
    return round(w_in * f_dpi), round(h_in * f_dpi)


def _figure_grid(pictures: list[np.ndarray], ncols: int = _FIGURE_GRID_COLUMNS) -> np.ndarray:
    """Lay same-size RGB pictures out as tensorboardX's ``make_grid`` does."""
    h, w, c = pictures[0].shape
    n = len(pictures)
    ncols = min(n, ncols)
    nrows = -(-n // ncols)
    canvas = np.zeros((h * nrows, w * ncols, c), dtype=np.uint8)
    for i, p in enumerate(pictures):
        y, x = divmod(i, ncols)
        canvas[y * h:(y + 1) * h, x * w:(x + 1) * w] = p
    return canvas
