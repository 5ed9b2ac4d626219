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
async_render : bool or {"thread", "process"}, default False
    ``True`` (or ``"thread"``): render, encode and write pictures on a
    worker thread. ``"process"``: render and encode in worker processes
    (started on first use, reused), write in call order; options must be
    picklable. Calls return once they have copied what they need from their
    input. ``global_step`` and walltime are fixed at call time and pictures
    are byte-identical to the synchronous mode's; ``flush()`` and
    ``close()`` wait for them, and a failure in the worker is raised at the
    next call, ``flush()`` or ``close()``.
max_pending : int, default 16
    With ``async_render``, how many pictures may be pending before a call
    blocks (nothing is dropped).
render_workers : int, default 1
    With ``async_render="process"``, how many worker processes (a tag's
    pictures are always drawn by the same one).""",
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
    reduced (see ``reduce``).
description : str, optional
    Markdown that TensorBoard shows in the card's info for this tag (it is
    written with the tag's first picture). Default: how the colours are
    chosen (colormap, norm, limits) and the colour bar's label as units.""",
    "picture_options": """\
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
    the writer; later data beyond them is clipped (extension triangles).""",
    "batch_picture_options": """\
aspect, origin, extent, xlabel, ylabel, xticklabels, yticklabels, fmt, alpha, reduce
    As for :meth:`add_colormapped_image`, for every panel (tick label
    sequences must fit every panel). With any of these options the batch is
    laid out as a grid of the single pictures, each with its colour bar (the
    same bar on every panel when the scale is shared).
annot : bool or sequence of array-likes, default False
    As for :meth:`add_colormapped_image`; or one array per panel.
background : array-like or sequence of array-likes, optional
    One image under every panel, or one per panel.
hold_scale : bool, default False
    Keep the limits of the tag's first call (per panel with
    ``shared_scale=False``).""",
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
