"""Argument checks of the public methods: one place, one wording.

Each check names the argument, says what was expected and what came, and
returns the value in the type the pipeline uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .render import MAX_PICTURE_SIDE, RENDERERS

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
]


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
