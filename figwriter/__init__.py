"""figwriter: matplotlib figures and colour-mapped arrays into TensorBoard, fast.

Swap one import and keep everything else::

    from figwriter import FigureSummaryWriter as SummaryWriter

Importing :mod:`figwriter` is cheap: the writer class (and with it tensorboardX,
matplotlib and, through tensorboardX, torch where installed) is loaded the first
time ``figwriter.FigureSummaryWriter`` is used.

For any other logger (wandb, MLflow, Pillow, files), the same pictures come
from :func:`colormapped_image`, :func:`colormapped_images`,
:func:`colormapped_png` and :func:`figure_png`, without a writer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._cache import clear_caches

if TYPE_CHECKING:
    from ._functions import colormapped_image, colormapped_images, colormapped_png, figure_png
    from .render.overlay import AnnotationWarning
    from .writer import FigureSummaryWriter

__version__ = "0.1.0"
__all__ = [
    "AnnotationWarning",
    "FigureSummaryWriter",
    "clear_caches",
    "colormapped_image",
    "colormapped_images",
    "colormapped_png",
    "figure_png",
    "__version__",
]
#: the picture functions, for any logger (loaded on first use)
_FUNCTIONS = ("colormapped_image", "colormapped_images", "colormapped_png", "figure_png")


def __getattr__(name: str) -> Any:
    if name == "FigureSummaryWriter":
        from .writer import FigureSummaryWriter

        globals()["FigureSummaryWriter"] = FigureSummaryWriter
        return FigureSummaryWriter
    if name in _FUNCTIONS:
        from . import _functions

        globals()[name] = getattr(_functions, name)
        return globals()[name]
    if name == "AnnotationWarning":
        from .render.overlay import AnnotationWarning

        globals()["AnnotationWarning"] = AnnotationWarning
        return AnnotationWarning
    raise AttributeError(f"module 'figwriter' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
