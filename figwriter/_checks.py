"""Argument checks of the public methods: one place, one wording.

Each check names the argument, says what was expected and what came, and
returns the value in the type the pipeline uses.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .render import MAX_PICTURE_SIDE, RENDERERS, PictureOptions
from .render.cells import REDUCE_MODES
from .render.options import ASPECTS, ORIGINS
from .render.overlay import INTEGER_TYPES, annotation_text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "check_bool",
    "check_dpi",
    "check_figures",
    "check_int",
    "check_max_size",
    "check_renderer",
    "check_tag",
    "check_text",
    "check_titles",
    "figure_pixels",
    "picture_options",
    "check_tick_labels_fit",
    "check_annot",
    "check_background",
    "check_integral",
    "prepare_single",
    "prepare_batch",
    "PICTURE_OPTIONS",
]

#: the keyword options that describe the picture (checked by :func:`picture_options`)
PICTURE_OPTIONS = ("aspect", "origin", "extent", "xlabel", "ylabel", "xticklabels",
                   "yticklabels", "annot", "fmt", "background", "alpha", "reduce")


def check_renderer(renderer: object) -> str:
    if renderer not in RENDERERS:
        raise ValueError(f"renderer must be one of {tuple(RENDERERS)}; got {renderer!r}")
    return str(renderer)


def check_bool(value: object, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {type(value).__name__}")
    return bool(value)


def check_int(value: object, name: str, low: int, high: int | None = None) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int; got {type(value).__name__}")
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ValueError(f"{name} must be {bounds}; got {value}")
    return int(value)


def check_max_size(max_size: object) -> int:
    return check_int(max_size, "max_size", low=16, high=MAX_PICTURE_SIDE)


def check_text(value: object, name: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"{name} must be a str or None; got {type(value).__name__}")


def check_tag(tag: object) -> str:
    if not isinstance(tag, str):
        raise TypeError(f"tag must be a str; got {type(tag).__name__}")
    if not tag:
        raise ValueError("tag must be a non-empty str")
    return tag


def check_titles(titles: object, n: int) -> tuple[str | None, ...] | None:
    """One title (str or None) per panel, or None."""
    if titles is None:
        return None
    if isinstance(titles, str) or not isinstance(titles, Sequence):
        raise TypeError(
            f"titles must be a sequence of str (one per panel); got {type(titles).__name__}"
        )
    if len(titles) != n:
        raise ValueError(
            f"titles must have one entry per panel: {n} panels, got {len(titles)} titles"
        )
    return tuple(check_text(t, f"titles[{i}]") for i, t in enumerate(titles))


def check_dpi(dpi: object) -> float | None:
    if dpi is None:
        return None
    if isinstance(dpi, bool) or not isinstance(dpi, (int, float, np.number)):
        raise TypeError(f"dpi must be a number or None; got {type(dpi).__name__}")
    if not (np.isfinite(dpi) and dpi > 0):
        raise ValueError(f"dpi must be a positive finite number; got {dpi}")
    return dpi  # type: ignore[return-value]


def figure_pixels(figure: Figure, dpi: float | None) -> tuple[int, int]:
    """The (width, height) in pixels ``figure`` draws to at ``dpi`` (default its own)."""
    w_in, h_in = figure.get_size_inches()
    f_dpi = figure.dpi if dpi is None else dpi
    return round(w_in * f_dpi), round(h_in * f_dpi)


def check_figures(figure: Any, dpi: float | None, columns: int) -> list[Figure]:
    """``figure`` as a list of Figures that fit a TensorBoard picture at ``dpi``.

    A list is laid out ``columns`` per row; its grid must fit too.
    """
    many = isinstance(figure, (list, tuple))
    figures: list[Any] = list(figure) if many else [figure]
    if not figures:
        raise ValueError("figure must be a Figure or a non-empty list of Figures; got []")
    from matplotlib.figure import Figure as _Figure

    for i, f in enumerate(figures):
        if not isinstance(f, _Figure):
            where = f"figure[{i}]" if many else "figure"
            raise TypeError(f"{where} must be a matplotlib.figure.Figure; got {type(f).__name__}")
    sizes = [figure_pixels(f, dpi) for f in figures]
    for i, (f, (w_px, h_px)) in enumerate(zip(figures, sizes)):
        if max(w_px, h_px) > MAX_PICTURE_SIDE:
            where = f"figure[{i}]" if many else "figure"
            raise ValueError(
                f"{where} would draw to {w_px}x{h_px} pixels; TensorBoard pictures are "
                f"limited to {MAX_PICTURE_SIDE} pixels on a side: pass a smaller dpi= "
                f"(at most {int(MAX_PICTURE_SIDE / max(f.get_size_inches()))} "
                "for this figure)"
            )
    if len(figures) > 1:
        cols = min(len(figures), columns)
        rows = -(-len(figures) // cols)
        grid_w, grid_h = cols * max(w for w, _ in sizes), rows * max(h for _, h in sizes)
        if max(grid_w, grid_h) > MAX_PICTURE_SIDE:
            raise ValueError(
                f"figure: {len(figures)} figures laid out {cols} per row would make a "
                f"{grid_w}x{grid_h} picture; TensorBoard pictures are limited to "
                f"{MAX_PICTURE_SIDE} pixels on a side: pass a smaller dpi= or fewer figures"
            )
    return figures


# -- picture options ------------------------------------------------------------------


def _check_choice(value: object, name: str, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {choices}; got {value!r}")
    return value


def _real(value: object, name: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"{name} must be a real number; got {type(value).__name__}")
    f = float(value)
    if not math.isfinite(f):
        raise ValueError(f"{name} must be finite; got {f}")
    return f


def _check_aspect(aspect: object) -> str | float:
    if isinstance(aspect, str):
        return _check_choice(aspect, "aspect", ASPECTS)
    if isinstance(aspect, (bool, np.bool_)) or not isinstance(aspect, (int, float, np.number)):
        raise TypeError(
            f"aspect must be 'equal', 'auto' or a positive number; got {type(aspect).__name__}"
        )
    value = float(aspect)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"aspect must be 'equal', 'auto' or a positive number; got {value}")
    return value


def _check_extent(extent: object) -> tuple[float, float, float, float] | None:
    if extent is None:
        return None
    if isinstance(extent, (str, bytes)) or not isinstance(extent, (Sequence, np.ndarray)):
        raise TypeError(
            "extent must be a sequence (left, right, bottom, top); "
            f"got {type(extent).__name__}"
        )
    if len(extent) != 4:
        raise ValueError(f"extent must hold 4 numbers (left, right, bottom, top); got "
                         f"{len(extent)}")
    left, right, bottom, top = (_real(v, f"extent[{i}]") for i, v in enumerate(extent))
    if left == right or bottom == top:
        raise ValueError(
            f"extent must span a non-empty range on each axis; got left={left}, "
            f"right={right}, bottom={bottom}, top={top}"
        )
    return left, right, bottom, top


def _check_text(value: object, name: str) -> str | None:
    if value is None or isinstance(value, str):
        return value or None
    raise TypeError(f"{name} must be a str or None; got {type(value).__name__}")


def _check_labels(labels: object, name: str) -> tuple[str, ...] | bool:
    if labels is None or labels is True:
        return True
    if labels is False:
        return False
    if isinstance(labels, (str, bytes)) or not isinstance(labels, (Sequence, np.ndarray)):
        raise TypeError(
            f"{name} must be a sequence of labels, True or False; got {type(labels).__name__}"
        )
    return tuple(str(s) for s in labels)


def _check_fmt(fmt: object) -> str:
    if not isinstance(fmt, str):
        raise TypeError(f"fmt must be a format spec str such as '.2g'; got {type(fmt).__name__}")
    for probe in (1.0,):
        try:
            annotation_text(probe, fmt)
        except (ValueError, TypeError) as err:
            raise ValueError(
                f"fmt must be a format spec for numbers such as '.2g' or 'd'; got {fmt!r} "
                f"({err})"
            ) from err
    return fmt


def _check_alpha(alpha: object) -> float:
    value = _real(alpha, "alpha")
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"alpha must be between 0 and 1; got {value}")
    return value


def picture_options(
    *,
    aspect: object = "equal",
    origin: object = "upper",
    extent: object = None,
    xlabel: object = None,
    ylabel: object = None,
    xticklabels: object = None,
    yticklabels: object = None,
    annot: bool = False,
    fmt: object = ".2g",
    alpha: object = None,
    background: bool = False,
    reduce: object = None,
) -> PictureOptions:
    """Validated picture options (``annot``/``background``: whether given)."""
    return PictureOptions(
        aspect=_check_aspect(aspect),
        origin=_check_choice(origin, "origin", ORIGINS),
        extent=_check_extent(extent),
        xlabel=_check_text(xlabel, "xlabel"),
        ylabel=_check_text(ylabel, "ylabel"),
        xticklabels=_check_labels(xticklabels, "xticklabels"),
        yticklabels=_check_labels(yticklabels, "yticklabels"),
        annot=bool(annot),
        fmt=_check_fmt(fmt),
        alpha=0.5 if alpha is None else _check_alpha(alpha),
        reduce=None if reduce is None else _check_choice(reduce, "reduce", REDUCE_MODES),
        blended=bool(background) or alpha is not None,
    )


def check_tick_labels_fit(options: PictureOptions, shape: tuple[int, int],
                          where: str = "values") -> None:
    """Tick label sequences must hold one label per column / row of the data."""
    for name, labels, n, what in (("xticklabels", options.xticklabels, shape[1], "columns"),
                                  ("yticklabels", options.yticklabels, shape[0], "rows")):
        if isinstance(labels, tuple) and len(labels) != n:
            raise ValueError(
                f"{name} must hold one label per {what[:-1]} ({where} has {n} {what}); "
                f"got {len(labels)}"
            )


def check_annot(annot: object, shape: tuple[int, int]) -> tuple[bool, np.ndarray | None]:
    """``annot`` as (whether to annotate, the values to write or None for the data's)."""
    if annot is None or isinstance(annot, (bool, np.bool_)):
        return bool(annot), None
    from ._convert import to_numpy

    values = to_numpy(annot, "annot")
    if values.shape != tuple(shape):
        raise ValueError(
            f"annot must be True, False or an array of the data's shape {tuple(shape)}; "
            f"got shape {values.shape}"
        )
    return True, values


def check_background(background: object) -> np.ndarray | None:
    """A background image as (H, W, 3) uint8, or None."""
    if background is None:
        return None
    from ._convert import to_numpy
    from .render.overlay import background_rgb

    image = to_numpy(background, "background")
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] != 3) or not image.size:
        raise ValueError(
            "background must be an image of shape (H, W) (grey) or (H, W, 3) (RGB); "
            f"got shape {image.shape}"
        )
    if image.dtype.kind in ("i", "u") and image.dtype != np.uint8 and (
            image.min() < 0 or image.max() > 255):
        raise ValueError(
            "background integers must lie in 0..255 (or pass floats in 0..1); got values "
            f"from {image.min()} to {image.max()}"
        )
    return background_rgb(image)


def check_integral(values: np.ndarray, fmt: str) -> None:
    """An integer format (``"d"``) needs integral values, as seaborn's heatmap does."""
    if fmt[-1:] not in INTEGER_TYPES or values.dtype.kind in ("b", "i", "u"):
        return
    with np.errstate(invalid="ignore"):
        wrong = np.isfinite(values) & (values != np.round(values))
    if wrong.any():
        where = tuple(int(i) for i in np.argwhere(wrong)[0])
        raise ValueError(
            f"fmt={fmt!r} formats integers; got {float(values[where])} at {list(where)}: pass "
            "annot=np.round(values).astype(int) or a float format such as '.2g'"
        )


def prepare_single(values: Any, dataformats: str,
                   **options: Any) -> tuple[np.ndarray, str, PictureOptions]:
    """Convert ``values``; validate the picture options against them.

    ``options`` are ``add_colormapped_image``'s keyword arguments of the same
    names (``annot`` and ``background`` as the user passed them). Returns the
    float data, the input's dtype kind (for the label rule) and the options.
    """
    from dataclasses import replace

    from ._convert import _check_nonempty as check_nonempty
    from ._convert import _layout_2d as layout_2d
    from ._convert import float_view, to_numpy

    raw = to_numpy(values, "values")
    raw = layout_2d(raw, dataformats, "values")
    check_nonempty(raw, "values")
    data = float_view(raw)
    annot, annot_values = check_annot(options.pop("annot", False), data.shape)
    background = check_background(options.pop("background", None))
    opts = picture_options(annot=annot, background=background is not None, **options)
    check_tick_labels_fit(opts, data.shape)
    if opts.annot:
        check_integral(annot_values if annot_values is not None else data, opts.fmt)
    return data, raw.dtype.kind, replace(opts, annot_values=(annot_values,),
                                         backgrounds=(background,))


def _dtype_kind(values: Any) -> str:
    """The numpy dtype kind of an array-like without converting it (torch included)."""
    dtype = getattr(values, "dtype", None)
    if isinstance(dtype, np.dtype):
        return dtype.kind
    if dtype is not None:  # a torch or JAX dtype
        name = str(dtype)
        return "b" if "bool" in name else "i" if "int" in name else "f"
    return np.asarray(values).dtype.kind


def _per_panel_images(value: Any, n: int, name: str) -> list[Any]:
    """One array (for every panel) or a list of ``n`` arrays (one per panel)."""
    if isinstance(value, (list, tuple)) and len(value) == n and all(
            np.ndim(v) >= 2 for v in value):
        return list(value)
    if isinstance(value, (list, tuple)) and value and all(np.ndim(v) >= 2 for v in value):
        raise ValueError(f"{name} must be one image or one per panel ({n}); got {len(value)}")
    return [value] * n


def prepare_batch(panels: list[np.ndarray], values: Any,
                  **options: Any) -> tuple[str, PictureOptions]:
    """The input's dtype kind and the picture options of a batch (``annot`` and
    ``background`` one for every panel or one per panel)."""
    from dataclasses import replace

    n = len(panels)
    annots = options.pop("annot", False)
    if isinstance(annots, (list, tuple)):
        if len(annots) != n:
            raise ValueError(f"annot must be True, False or one array per panel ({n}); "
                             f"got {len(annots)}")
    else:
        annots = [annots] * n
    images = _per_panel_images(options.pop("background", None), n, "background")
    first = values[0] if isinstance(values, (list, tuple)) else values
    checked = [check_annot(a, p.shape) for a, p in zip(annots, panels)]
    backgrounds = tuple(check_background(b) for b in images)
    opts = picture_options(annot=any(a for a, _ in checked),
                           background=any(b is not None for b in backgrounds), **options)
    for i, panel in enumerate(panels):
        check_tick_labels_fit(opts, panel.shape, f"values[{i}]")
        if opts.annot:
            values_i = checked[i][1]
            check_integral(values_i if values_i is not None else panel, opts.fmt)
    return _dtype_kind(first), replace(opts, annot_panels=tuple(a for a, _ in checked),
                                       annot_values=tuple(v for _, v in checked),
                                       backgrounds=backgrounds)
