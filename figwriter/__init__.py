"""figwriter: matplotlib figures and colour-mapped arrays into TensorBoard, fast.

Swap one import and keep everything else::

    from figwriter import FigureSummaryWriter as SummaryWriter

Importing :mod:`figwriter` is cheap: the writer class (and with it tensorboardX,
matplotlib and, through tensorboardX, torch where installed) is loaded the first
time ``figwriter.FigureSummaryWriter`` is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._cache import clear_caches

if TYPE_CHECKING:
    from .render.overlay import AnnotationWarning
    from .writer import FigureSummaryWriter

__version__ = "0.1.0"
__all__ = ["AnnotationWarning", "FigureSummaryWriter", "clear_caches", "__version__"]


def __getattr__(name: str) -> Any:
    if name == "FigureSummaryWriter":
        from .writer import FigureSummaryWriter

        globals()["FigureSummaryWriter"] = FigureSummaryWriter
        return FigureSummaryWriter
    if name == "AnnotationWarning":
        from .render.overlay import AnnotationWarning

        globals()["AnnotationWarning"] = AnnotationWarning
        return AnnotationWarning
    raise AttributeError(f"module 'figwriter' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
