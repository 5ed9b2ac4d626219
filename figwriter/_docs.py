"""Parameter docs written once and shared by every docstring that needs them.

A docstring line holding only ``%(name)s`` is replaced by the entry ``name``
of :data:`PARAMETERS`, indented as the placeholder is (matplotlib's
``_docstring.interpd`` does the same). Nothing else in the docstring is
touched, so a literal ``%`` needs no escaping.
"""

from __future__ import annotations

import re
import textwrap
from typing import Callable, TypeVar

__all__ = ["PARAMETERS", "fill", "shared"]

T = TypeVar("T", bound=Callable[..., object])

PARAMETERS: dict[str, str] = {
    "writer_options": """\
async_render : bool, default False
    Render, encode and write pictures on a worker thread; calls return once
    they have copied what they need from their input. ``global_step`` and
    walltime are fixed at call time and pictures are byte-identical to the
    synchronous mode's; ``flush()`` and ``close()`` wait for them, and a
    failure in the worker is raised at the next call, ``flush()`` or
    ``close()``.
max_pending : int, default 16
    With ``async_render``, how many pictures may wait before a call blocks
    (nothing is dropped).""",
    "colour_options": """\
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
    largest absolute limit; pass a ``SymLogNorm`` to choose.""",
    "render_options": """\
renderer : {"fast", "matplotlib"}, default "fast"
    ``"fast"`` composes the picture in numpy (same colours and tick
    labels as matplotlib); ``"matplotlib"`` draws a real ``imshow`` +
    ``colorbar`` figure with your rcParams.
max_size : int, default 512
    The fast renderer's longest image side, in pixels: larger arrays are
    reduced by box averaging.
description : str, optional
    Markdown that TensorBoard shows in the card's info for this tag (it is
    written with the tag's first picture). Default: how the colours are
    chosen (colormap, norm, limits) and the colour bar's label as units.""",
    "step_options": """\
global_step : int, optional
    Global step value to record.
walltime : float, optional
    Event time in seconds since the epoch; default now.""",
}

_PLACEHOLDER = re.compile(r"^( *)%\((\w+)\)s$", re.MULTILINE)


def fill(doc: str) -> str:
    """``doc`` with every placeholder line replaced by its parameter docs."""

    def replace(match: re.Match[str]) -> str:
        return textwrap.indent(PARAMETERS[match.group(2)], match.group(1))

    return _PLACEHOLDER.sub(replace, doc)


def shared(obj: T) -> T:
    """Decorator: fill the placeholders of ``obj``'s docstring."""
    if obj.__doc__:
        obj.__doc__ = fill(obj.__doc__)
    return obj
