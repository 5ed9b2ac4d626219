"""``FigureSummaryWriter``: tensorboardX's ``SummaryWriter`` plus figure methods.

The only module that touches tensorboardX internals: the emit stage, which wraps
PNG bytes in a ``Summary.Image`` and hands it to the parent's file writer and
comet hook exactly as the parent's ``add_image`` does.
"""

from __future__ import annotations

from tensorboardX import SummaryWriter
from tensorboardX.proto.summary_pb2 import Summary
from tensorboardX.summary import _clean_tag

from ._methods import FigureMethods

__all__ = ["FigureSummaryWriter"]


class FigureSummaryWriter(FigureMethods, SummaryWriter):
    """A tensorboardX ``SummaryWriter`` that also logs figures and colour-mapped arrays.

    Takes every argument ``tensorboardX.SummaryWriter`` takes; every inherited
    method behaves as the parent's. Adds :meth:`add_figure_png` and
    :meth:`add_colormapped_image`.

    Examples
    --------
    >>> import numpy as np
    >>> with FigureSummaryWriter(logdir) as writer:
    ...     writer.add_scalar("loss", 0.5, global_step=0)
    ...     writer.add_colormapped_image("field", np.eye(8), global_step=0)
    """

    def _emit_png(
        self,
        tag: str,
        png: bytes,
        height: int,
        width: int,
        colorspace: int,
        global_step: int | None,
        walltime: float | None,
    ) -> None:
        image = Summary.Image(
            height=height, width=width, colorspace=colorspace, encoded_image_string=png
        )
        summary = Summary(value=[Summary.Value(tag=_clean_tag(tag), image=image)])
        self._get_file_writer().add_summary(summary, global_step, walltime)
        self._get_comet_logger().log_image_encoded(png, tag, step=global_step)
