"""The added methods, shared by every writer class.

:class:`FigureMethods` runs convert -> resolve -> render -> encode and hands the
PNG to ``self._emit_png``, the one method a writer class supplies (emit stage).
The tensorboardX writer (``figwriter.FigureSummaryWriter``) and the torch one
(``figwriter.torch.FigureSummaryWriter``) differ only there.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any, Callable, Literal, Union

import numpy as np

from . import _convert, _png, _scale

if TYPE_CHECKING:
    from matplotlib.colors import Colormap, Normalize
    from matplotlib.figure import Figure

__all__ = ["FigureMethods", "RENDERERS", "Renderer"]

Renderer = Literal["fast", "matplotlib"]
RENDERERS: tuple[str, ...] = ("fast", "matplotlib")
DEFAULT_MAX_SIZE = 512
#: TensorBoard refuses to serve very large images; nothing larger is written.
MAX_PICTURE_SIDE = 4096

CmapArg = Union[str, "Colormap", None]
NormArg = Union[str, "Normalize"]


def _check_renderer(renderer: object) -> str:
    if renderer not in RENDERERS:
        raise ValueError(f"renderer must be one of {RENDERERS}; got {renderer!r}")
    return str(renderer)


def _check_max_size(max_size: object) -> int:
    if isinstance(max_size, bool) or not isinstance(max_size, (int, np.integer)):
        raise TypeError(f"max_size must be an int; got {type(max_size).__name__}")
    if not 16 <= max_size <= MAX_PICTURE_SIDE:
        raise ValueError(f"max_size must be between 16 and {MAX_PICTURE_SIDE}; got {max_size}")
    return int(max_size)


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
) -> np.ndarray:
    """Dispatch to a renderer back end; returns RGB uint8 pixels (H, W, 3)."""
    if renderer == "fast":
        from ._compose import render_fast

        return render_fast(data, scale, title=title, label=label, key=key, max_size=max_size)
    from ._mpl import render_matplotlib

    return render_matplotlib(data, scale, title=title, label=label, key=key)


class FigureMethods:
    """Mixin: ``add_figure_png`` and ``add_colormapped_image`` over an emit stage."""

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

    def _wait_pending(self) -> None:
        """Wait for pictures still being rendered (none in synchronous mode)."""

    def _submit(self, job: Callable[[], tuple[bytes, int, int, int]], tag: str,
                global_step: int | None, walltime: float | None) -> None:
        """Run a render+encode job and emit its PNG (synchronously)."""
        png, height, width, colorspace = job()
        self._emit_png(tag, png, height, width, colorspace, global_step, walltime)

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
        figures = list(figure) if isinstance(figure, (list, tuple)) else [figure]
        if not figures:
            raise ValueError("figure must be a Figure or a non-empty list of Figures; got []")
        from matplotlib.figure import Figure as _Figure

        for i, f in enumerate(figures):
            if not isinstance(f, _Figure):
                where = f"figure[{i}]" if isinstance(figure, (list, tuple)) else "figure"
                raise TypeError(
                    f"{where} must be a matplotlib.figure.Figure; got {type(f).__name__}"
                )
        job = self._figure_job(figures, dpi, close, grid=isinstance(figure, (list, tuple)))
        self._submit(job, tag, global_step, walltime)

    def _figure_job(self, figures: list[Figure], dpi: float | None, close: bool,
                    grid: bool) -> Callable[[], tuple[bytes, int, int, int]]:
        """Draw now (the caller owns the figures) and return the encode job."""
        from ._mpl import close_if_managed, figure_to_rgba

        pictures = [figure_to_rgba(f, dpi)[:, :, :3] for f in figures]
        if close:
            for f in figures:
                close_if_managed(f)
        if grid:
            shapes = {p.shape for p in pictures}
            if len(shapes) != 1:
                raise ValueError(
                    "figure: every figure in a list must draw to the same size; got "
                    + ", ".join(f"{p.shape[1]}x{p.shape[0]}" for p in pictures)
                )
            rgb = _figure_grid(pictures)
        else:
            rgb = pictures[0]

        def job() -> tuple[bytes, int, int, int]:
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
            reduced by box averaging.

        Examples
        --------
        >>> import numpy as np
        >>> field = np.random.default_rng(0).normal(size=(64, 64))
        >>> with FigureSummaryWriter(logdir) as writer:
        ...     writer.add_colormapped_image("field", field, global_step=0, center=0.0)
        """
        _check_tag(tag)
        data = _convert.to_2d(values, dataformats)
        options = _scale.scale_options(
            cmap=cmap, vmin=vmin, vmax=vmax, robust=robust, center=center, norm=norm
        )
        renderer = _check_renderer(renderer)  # type: ignore[assignment]
        max_size = _check_max_size(max_size)
        title = _check_text(title, "title")
        label = _check_text(label, "label")
        data = self._take(data)

        def job() -> tuple[bytes, int, int, int]:
            scale = _scale.resolve_scale([data], options)
            rgb = render(renderer, data, scale, title=title, label=label, key=tag,
                         max_size=max_size)
            return _png.encode_png(rgb), rgb.shape[0], rgb.shape[1], 3

        self._submit(job, tag, global_step, walltime)

    def _take(self, data: np.ndarray) -> np.ndarray:
        """What a job keeps of the caller's array (synchronous: the array itself)."""
        return data


def _figure_grid(pictures: list[np.ndarray], ncols: int = 8) -> np.ndarray:
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
