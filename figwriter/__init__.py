"""figwriter: matplotlib figures and colour-mapped arrays into TensorBoard, fast.

>>> from figwriter import FigureSummaryWriter as SummaryWriter  # doctest: +SKIP
"""

from __future__ import annotations

from .writer import FigureSummaryWriter

__version__ = "0.1.0"
__all__ = ["FigureSummaryWriter", "__version__"]
