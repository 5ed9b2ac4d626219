"""The added methods, shared by every writer class.

:class:`FigureMethods` checks a call's arguments and builds one job
(:mod:`figwriter._job`: convert -> resolve -> render -> encode), runs it now or
on the background worker, and hands the PNG to ``self._emit_png``, the one
method a writer class supplies (emit stage). The tensorboardX writer
(``figwriter.FigureSummaryWriter``) and the torch one
(``figwriter.torch.FigureSummaryWriter``) differ only there.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Callable, Literal, Union

import numpy as np

from . import _checks, _convert
from ._held import HeldScales
from ._job import ColormapJob, Encoded, colormap_job, figure_job
from ._summary import FIGURE_GRID_COLUMNS
from .render import DEFAULT_MAX_SIZE, CanvasSizes, Stream
from .render.overlay import Warned

if TYPE_CHECKING:
    from matplotlib.colors import Colormap, Normalize
    from matplotlib.figure import Figure

    from ._background import Worker

__all__ = ["FigureMethods", "RendererName"]

RendererName = Literal["fast", "matplotlib"]
CmapArg = Union[str, "Colormap", None]
NormArg = Union[str, "Normalize"]


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
        _checks.check_bool(async_render, "async_render")
        max_pending = _checks.check_int(max_pending, "max_pending", low=1)
        super().__init__(*args, **kwargs)
        #: each tag's stable picture size: this writer's alone
        self._canvas_sizes = CanvasSizes()
        #: limits kept for hold_scale, and tags warned about, per writer
        self._held_scales = HeldScales()
        self._warned = Warned()
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

    def _submit(self, job: Callable[[], Encoded], tag: str,
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
        _checks.check_tag(tag)
        dpi = _checks.check_dpi(dpi)
        figures = _checks.check_figures(figure, dpi, FIGURE_GRID_COLUMNS)
        job = figure_job(figures, dpi, close, grid=isinstance(figure, (list, tuple)),
                         draw_now=self._worker is None)
        self._submit(job, tag, global_step, walltime)

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
        renderer: RendererName = "fast",
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
            does. Cells too small for their text are left out (one
            ``figwriter.AnnotationWarning`` per tag).
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
        _checks.check_tag(tag)
        data, kind, picture = _checks.prepare_single(
            values, dataformats, aspect=aspect, origin=origin, extent=extent, xlabel=xlabel,
            ylabel=ylabel, xticklabels=xticklabels, yticklabels=yticklabels, annot=annot,
            fmt=fmt, background=background, alpha=alpha, reduce=reduce)
        title = _checks.check_text(title, "title")
        job = colormap_job(
            [data], grid=False, titles=(title,), cmap=cmap, vmin=vmin, vmax=vmax,
            robust=robust, center=center, norm=norm, label=label, renderer=renderer,
            max_size=max_size, picture=picture, kind=kind, hold_scale=hold_scale,
            held=self._held_scales, warned=self._warned,
        )
        self._submit_colormap(job, tag, global_step, walltime)

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
        renderer: RendererName = "fast",
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
            batch is laid out as a grid of the single pictures, each with its
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
        _checks.check_tag(tag)
        panels = _convert.to_batch(values, dataformats)
        kind, picture = _checks.prepare_batch(
            panels, values, aspect=aspect, origin=origin, extent=extent, xlabel=xlabel,
            ylabel=ylabel, xticklabels=xticklabels, yticklabels=yticklabels, annot=annot,
            fmt=fmt, background=background, alpha=alpha, reduce=reduce)
        job = colormap_job(
            panels, grid=True, titles=_checks.check_titles(titles, len(panels)),
            shared_scale=shared_scale, ncols=ncols, cmap=cmap, vmin=vmin, vmax=vmax,
            robust=robust, center=center, norm=norm, label=label, renderer=renderer,
            max_size=max_size, picture=picture, kind=kind, hold_scale=hold_scale,
            held=self._held_scales, warned=self._warned,
        )
        self._submit_colormap(job, tag, global_step, walltime)

    def _submit_colormap(self, job: ColormapJob, tag: str, global_step: int | None,
                         walltime: float | None) -> None:
        """Run a colour-mapped picture's job for ``tag``, now or in the background."""
        job = job.with_panels([self._take(p) for p in job.panels])
        stream = Stream(tag, self._canvas_sizes)

        def run() -> Encoded:
            try:
                return job.png(stream)
            finally:
                self._release(*job.panels)

        self._submit(run, tag, global_step, walltime)
