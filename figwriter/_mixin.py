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
from typing import TYPE_CHECKING, Any, Literal, Union

from . import _background, _checks
from ._describe import describe
from ._docs import shared
from ._held import HeldScales
from ._job import ColormapJob, Encoded, image_job, images_job
from ._summary import FIGURE_GRID_COLUMNS
from .render import DEFAULT_MAX_SIZE, CanvasSizes
from .render.overlay import Warned

if TYPE_CHECKING:
    from matplotlib.colors import Colormap, Normalize
    from matplotlib.figure import Figure

    from ._background import AnyWorker

__all__ = ["FigureMethods", "RendererName"]

RendererName = Literal["fast", "matplotlib"]
CmapArg = Union[str, "Colormap", None]
NormArg = Union[str, "Normalize"]


@shared
class FigureMethods:
    """Mixin: the figure methods over an emit stage, optionally in the background.

    Parameters
    ----------
    %(writer_options)s
    *args, **kwargs
        Everything the parent writer class takes.
    """

    def __init__(self, *args: Any, async_render: bool | str = False, max_pending: int = 16,
                 render_workers: int = 1, **kwargs: Any) -> None:
        max_pending = _checks.check_int(max_pending, "max_pending", low=1)
        worker = _background.make_worker(async_render, max_pending, render_workers)
        super().__init__(*args, **kwargs)
        #: each tag's stable picture size: this writer's alone
        self._canvas_sizes = CanvasSizes()
        #: limits kept for hold_scale, and tags warned about, per writer
        self._held_scales = HeldScales()
        self._warned = Warned()
        #: tags whose first picture carried its description
        self._described_tags: set[str] = set()
        self._worker: AnyWorker | None = worker

    @property
    def async_render(self) -> bool | str:
        """The mode: False, True (a worker thread) or ``"process"``."""
        return _background.mode_of(self._worker)

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
        description: str | None = None,
    ) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _first_description(self, tag: str, description: str | None) -> str | None:
        """``description`` for the first picture written for ``tag``; None after it.

        TensorBoard reads a tag's description from its first event only.
        """
        if not description or tag in self._described_tags:
            return None
        self._described_tags.add(tag)
        return description

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

    def _submit(self, job: _background.Job, tag: str, global_step: int | None,
                walltime: float | None, description: str | None = None) -> None:
        """Run a job and emit its PNG, now or in the background."""
        if self._worker is None:
            png, height, width, colorspace = job.run()
            self._emit_png(tag, png, height, width, colorspace, global_step, walltime,
                           self._first_description(tag, description))
            return
        self._worker.raise_error()
        global_step, walltime = self._call_metadata(global_step, walltime)
        self._ensure_file_writer()
        emit_png, first = self._emit_png, self._first_description

        def emit(result: Encoded) -> None:
            emit_png(tag, *result, global_step, walltime, first(tag, description))

        _background.submit(self._worker, job, emit, what=f"tag {tag!r} step {global_step}",
                           route=tag)

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
        super().flush()  # type: ignore[misc]
        if error is not None:
            raise error

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
    @shared
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
        job = _background.figure_job(self._worker, figures, dpi, close,
                                     grid=isinstance(figure, (list, tuple)))
        self._submit(job, tag, global_step, walltime)

    @shared
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
        description: str | None = None,
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
        %(step_options)s
        dataformats : {"HW", "WH", "CHW", "HWC"}, default "HW"
            Layout of ``values``; the 3-D forms must have one channel.
        %(colour_options)s
        title : str, optional
            Text above the image.
        label : str, optional
            Text along the colour bar.
        %(render_options)s
        %(picture_options)s

        Examples
        --------
        >>> import numpy as np
        >>> field = np.random.default_rng(0).normal(size=(64, 64))
        >>> with FigureSummaryWriter(logdir) as writer:
        ...     writer.add_colormapped_image("field", field, global_step=0, center=0.0)
        """
        _checks.check_tag(tag)
        job = image_job(
            values, dataformats, title=title, cmap=cmap, vmin=vmin, vmax=vmax,
            robust=robust, center=center, norm=norm, label=label, renderer=renderer,
            max_size=max_size, aspect=aspect, origin=origin, extent=extent, xlabel=xlabel,
            ylabel=ylabel, xticklabels=xticklabels, yticklabels=yticklabels, annot=annot,
            fmt=fmt, background=background, alpha=alpha, reduce=reduce,
            hold_scale=hold_scale, held=self._held_scales, warned=self._warned,
        )
        self._submit_colormap(job, tag, global_step, walltime, description)

    @shared
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
        description: str | None = None,
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
        cmap, vmin, vmax, robust, center, norm, label, renderer, max_size, description
            As for :meth:`add_colormapped_image`; with ``shared_scale=False``,
            limits left unset are resolved per panel.
        %(batch_picture_options)s

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
        job = images_job(
            values, dataformats, titles=titles,
            shared_scale=shared_scale, ncols=ncols, cmap=cmap, vmin=vmin, vmax=vmax,
            robust=robust, center=center, norm=norm, label=label, renderer=renderer,
            max_size=max_size, aspect=aspect, origin=origin, extent=extent, xlabel=xlabel,
            ylabel=ylabel, xticklabels=xticklabels, yticklabels=yticklabels, annot=annot,
            fmt=fmt, background=background, alpha=alpha, reduce=reduce,
            hold_scale=hold_scale, held=self._held_scales, warned=self._warned,
        )
        self._submit_colormap(job, tag, global_step, walltime, description)

    def _submit_colormap(self, job: ColormapJob, tag: str, global_step: int | None,
                         walltime: float | None, description: object = None) -> None:
        """Run a colour-mapped picture's job for ``tag``, now or in the background.

        ``description`` (checked here) or, by default, a description of the
        job's colour scale goes with the tag's first picture.
        """
        text = _checks.check_text(description, "description")
        if text is None:
            text = describe(job.scale_options, label=job.options.label,
                            shared=job.shared_scale if job.options.grid else None)
        if job.held is not None and self.async_render == "process":
            raise ValueError(
                "hold_scale=True keeps limits in the writer, which a worker process does "
                "not share: use async_render=True (a thread) or the synchronous mode with "
                "hold_scale"
            )
        run = _background.Job(_background.colormap_png, list(job.panels),
                              {"job": job.with_panels(()), "tag": tag}, self._canvas_sizes)
        self._submit(run, tag, global_step, walltime, text)
