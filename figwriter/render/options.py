"""What a render is asked for: the picture's options and the stream it belongs to.

Both back ends take the same :class:`PictureOptions` (one frozen dataclass: a
new option is a new field with a default, never a new parameter) and the same
:class:`Stream` (the tag and its writer's :class:`CanvasSizes`).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .._cache import BoundedCache

__all__ = [
    "DEFAULT_MAX_SIZE",
    "MAX_PICTURE_SIDE",
    "PictureOptions",
    "Stream",
    "CanvasSizes",
    "check_request",
]

#: the longest image side (in pixels) a picture gets unless ``max_size`` says otherwise
DEFAULT_MAX_SIZE = 512
#: no picture side is ever longer: TensorBoard does not serve very large images
MAX_PICTURE_SIDE = 4096
ASPECTS = ("equal", "auto")
ORIGINS = ("upper", "lower")


@dataclass(frozen=True)
class PictureOptions:
    """Everything about one picture besides its data and colour scales.

    Attributes
    ----------
    grid : bool
        False: one array drawn as ``imshow`` + ``colorbar`` with ticked axes
        (``add_colormapped_image``); True: panels in a grid
        (``add_colormapped_images``), even a grid of one.
    titles : tuple of (str or None), or None
        A title per panel (the picture's title for a single picture).
    label : str or None
        Text along the colour bar(s).
    max_size : int
        The longest side of a panel's image, in pixels.
    ncols : int or None
        Panels per row of a grid; default a near-square grid.
    aspect : {"equal", "auto"} or float
        Cell shape (see :func:`figwriter.render.geometry.cell_grid`).
    origin : {"upper", "lower"}
        Where row 0 goes.
    extent : tuple of 4 floats or None
        ``(left, right, bottom, top)`` in data units for the image axes.
    xlabel, ylabel : str or None
        Axis labels.
    xticklabels, yticklabels : tuple of str, True or False
        One label per column/row (thinned to fit), True for numeric ticks,
        False for none.
    annot, fmt : bool, str
        Write each cell's value, formatted with ``fmt``.
    alpha : float
        Opacity of the cells over a background.
    reduce : {"mean", "max", "min", "mode"} or None
        How cells are combined when reduced (None: ``"mean"``).
    blended : bool
        Blend the cells over ``backgrounds`` (white where None) with ``alpha``.
    """

    grid: bool = False
    titles: tuple[str | None, ...] | None = None
    label: str | None = None
    max_size: int = DEFAULT_MAX_SIZE
    ncols: int | None = None
    aspect: str | float = "equal"
    origin: str = "upper"
    extent: tuple[float, float, float, float] | None = None
    xlabel: str | None = None
    ylabel: str | None = None
    xticklabels: tuple[str, ...] | bool = True
    yticklabels: tuple[str, ...] | bool = True
    annot: bool = False
    fmt: str = ".2g"
    alpha: float = 0.5
    reduce: str | None = None
    blended: bool = False
    #: whether each panel is annotated (None: every panel as ``annot`` says)
    annot_panels: tuple[bool, ...] | None = field(default=None, compare=False, repr=False)
    #: what to write in each panel's cells (None entries: the data), or None
    annot_values: tuple[np.ndarray | None, ...] | None = field(
        default=None, compare=False, repr=False)
    #: each panel's background, (H, W, 3) uint8 (None entries: white), or None
    backgrounds: tuple[np.ndarray | None, ...] | None = field(
        default=None, compare=False, repr=False)
    #: the writer's record of tags warned about (one annotation warning per tag)
    warned: Any = field(default=None, compare=False, repr=False)

    @property
    def title(self) -> str | None:
        """The first panel's title (a single picture's title)."""
        return self.titles[0] if self.titles else None

    @property
    def layout_key(self) -> Hashable:
        """What of the picture options decides where things go."""
        return (self.aspect, self.origin, self.extent, self.xlabel, self.ylabel,
                self.xticklabels, self.yticklabels, self.annot, self.fmt)

    @property
    def plain_layout(self) -> bool:
        """Whether the axes are laid out as for a plain array (no option changes them)."""
        return self.layout_key == _PLAIN_LAYOUT

    @property
    def is_plain(self) -> bool:
        """Whether the picture is the plain ``imshow`` + ``colorbar`` one."""
        return self.plain_layout and not self.blended and self.reduce in (None, "mean")

    @property
    def annot_value(self) -> np.ndarray | None:
        """A single picture's annotation values (None: the data's)."""
        return self.annot_values[0] if self.annot_values else None

    @property
    def background(self) -> np.ndarray | None:
        """A single picture's background (None: white)."""
        return self.backgrounds[0] if self.backgrounds else None

    def panel(self, i: int) -> PictureOptions:
        """The options of panel ``i`` drawn as a single picture."""
        def one(values: tuple[Any, ...] | None) -> tuple[Any, ...] | None:
            return None if values is None else (values[i],)

        annot = self.annot if self.annot_panels is None else self.annot_panels[i]
        return replace(self, grid=False, titles=one(self.titles), ncols=None, annot=annot,
                       annot_panels=None, annot_values=one(self.annot_values),
                       backgrounds=one(self.backgrounds))


_PLAIN_LAYOUT = PictureOptions().layout_key


class CanvasSizes:
    """The stable picture size of each stream: the widest tick-label column it needed.

    A stream (one tag, one shape, one set of options) keeps one picture size
    whatever its limits; when its tick labels outgrow their column, the column
    widens once, for good. A writer holds one of these for its tags, so what
    one writer drew never changes another writer's pictures.
    """

    def __init__(self, maxsize: int = 4096) -> None:
        self._widths: BoundedCache[int] = BoundedCache(
            "render.options.CanvasSizes", maxsize, register=False
        )

    def width(self, stream: Hashable, default: int) -> int:
        """The label column reserved for ``stream`` (``default`` if none yet)."""
        width = self._widths.get(stream)
        return default if width is None else int(width)

    def widen(self, stream: Hashable, needed: int, default: int, step: int = 8) -> int:
        """Widen ``stream``'s column to hold ``needed`` pixels (in ``step`` s); never narrows."""
        rounded = -(-int(needed) // step) * step

        def change(current: int | None) -> int:
            return max(default if current is None else int(current), rounded)

        return self._widths.update(stream, change)

    def __len__(self) -> int:
        return len(self._widths)


@dataclass(frozen=True)
class Stream:
    """Whose picture this is: a key (the tag) and the sizes its writer keeps.

    Without a writer, every call gets fresh sizes (a picture that depends on
    nothing drawn before).
    """

    key: Hashable = None
    sizes: CanvasSizes = field(default_factory=CanvasSizes, compare=False)


def check_request(panels: Sequence[object], scales: Sequence[object],
                  options: PictureOptions) -> None:
    """Refuse a request no back end can draw: no panels, or scales or titles that do
    not match the panels."""
    if not panels:
        raise ValueError("panels must hold at least one panel; got an empty list")
    n = len(panels)
    if len(scales) not in (1, n):
        raise ValueError(
            f"scales must hold one scale (shared) or one per panel ({n}); got {len(scales)}"
        )
    if options.titles is not None and len(options.titles) != n:
        raise ValueError(
            f"titles must hold one entry per panel ({n}); got {len(options.titles)}"
        )
    if not options.grid and n != 1:
        raise ValueError(f"a single picture (grid=False) holds one panel; got {n}")
