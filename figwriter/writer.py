"""``FigureSummaryWriter``: tensorboardX's ``SummaryWriter`` plus figure methods.

The only module that touches tensorboardX internals: the emit stage, which wraps
PNG bytes in a ``Summary.Image`` and hands it to the parent's file writer and
comet hook exactly as the parent's ``add_image`` does.
"""

from __future__ import annotations

import time

from tensorboardX import SummaryWriter
from tensorboardX.proto.summary_pb2 import Summary
from tensorboardX.summary import _clean_tag

from ._docs import shared
from ._event_files import add_summary
from ._events import EventsMixin
from ._mixin import FigureMethods
from ._summary import image_summary

__all__ = ["FigureSummaryWriter"]


@shared
class FigureSummaryWriter(FigureMethods, EventsMixin, SummaryWriter):
    """A tensorboardX ``SummaryWriter`` that also logs figures and colour-mapped arrays.

    Takes every argument ``tensorboardX.SummaryWriter`` takes; every inherited
    method behaves as the parent's (``flush()`` also writes the events still
    queued for tensorboardX's writer thread, as its documentation promises).
    Adds ``add_figure_png``, ``add_colormapped_image`` and
    ``add_colormapped_images``.

    Parameters
    ----------
    *args, **kwargs
        Everything ``tensorboardX.SummaryWriter`` takes (``logdir``,
        ``comment``, ``purge_step``, ``max_queue``, ``flush_secs``,
        ``filename_suffix``, ``write_to_disk``, ...).
    %(writer_options)s

    Examples
    --------
    >>> import numpy as np
    >>> with FigureSummaryWriter(logdir) as writer:
    ...     writer.add_scalar("loss", 0.5, global_step=0)
    ...     writer.add_colormapped_image("field", np.eye(8), global_step=0)
    """

    def _call_metadata(self, global_step: int | None,
                       walltime: float | None) -> tuple[int | None, float | None]:
        """Step and walltime fixed at call time, ``use_metadata()`` defaults included."""
        defaults = getattr(self._get_file_writer(), "_default_metadata", None) or {}
        if global_step is None:
            global_step = defaults.get("global_step")
        if global_step is None:
            # written now, no step means step 0; the worker must not pick up a
            # use_metadata() block active when it writes
            global_step = 0
        if walltime is None:
            walltime = defaults.get("walltime")
        if walltime is None:
            walltime = time.time()
        return global_step, walltime

    def _emit_png(
        self,
        tag: str,
        png: bytes,
        height: int,
        width: int,
        colorspace: int,
        global_step: int | None,
        walltime: float | None,
        description: str | None = None,
    ) -> None:
        summary = image_summary(Summary, _clean_tag(tag), png, height, width, colorspace,
                                description)
        add_summary(self._get_file_writer(), summary, global_step, walltime)
        self._get_comet_logger().log_image_encoded(png, tag, step=global_step)

