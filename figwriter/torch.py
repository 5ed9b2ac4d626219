"""``FigureSummaryWriter`` for ``torch.utils.tensorboard`` users.

The same added methods and options as :class:`figwriter.FigureSummaryWriter`,
over ``torch.utils.tensorboard.SummaryWriter`` instead of tensorboardX's. Every
line of converting, scaling, rendering and encoding is shared (the
:class:`~figwriter._mixin.FigureMethods` mixin); only the emit stage, which
hands the PNG to torch's file writer, lives here.

Needs PyTorch (``pip install "figwriter[torch]"``). Importing :mod:`figwriter`
alone never imports torch (tensorboardX, which the tensorboardX writer class
needs, imports torch itself where it is installed).

Examples
--------
>>> import numpy as np
>>> from figwriter.torch import FigureSummaryWriter as SummaryWriter
>>> with SummaryWriter(logdir) as writer:
...     writer.add_scalar("loss", 0.5, global_step=0)
...     writer.add_colormapped_image("field", np.eye(8), global_step=0)
"""

from __future__ import annotations

from ._docs import shared
from ._events import EventsMixin
from ._mixin import FigureMethods
from ._summary import image_summary

try:
    import torch
except ImportError as err:
    raise ImportError(
        'figwriter.torch needs PyTorch, which is not installed; use pip install '
        '"figwriter[torch]" (from a clone: pip install -e ".[torch]"), or the '
        'tensorboardX writer, figwriter.FigureSummaryWriter'
    ) from err
try:
    from tensorboard.compat.proto.summary_pb2 import Summary
    from torch.utils.tensorboard import SummaryWriter
except ImportError as err:  # torch without the tensorboard package
    raise ImportError(
        f"figwriter.torch needs torch.utils.tensorboard, which could not be imported "
        f'({err}); use pip install "figwriter[torch]" '
        '(from a clone: pip install -e ".[torch]")'
    ) from err

__all__ = ["FigureSummaryWriter"]


@shared
class FigureSummaryWriter(FigureMethods, EventsMixin, SummaryWriter):
    """A ``torch.utils.tensorboard`` ``SummaryWriter`` that also logs figures and
    colour-mapped arrays.

    Every inherited method behaves as the parent's. Adds the same methods, with
    the same options, as :class:`figwriter.FigureSummaryWriter` (one shared
    implementation): ``add_figure_png``, ``add_colormapped_image`` and
    ``add_colormapped_images``. Tags are written as torch's ``add_image`` writes
    them (as given).

    Parameters
    ----------
    *args, **kwargs
        Everything ``torch.utils.tensorboard.SummaryWriter`` takes (``log_dir``,
        ``comment``, ``purge_step``, ``max_queue``, ``flush_secs``,
        ``filename_suffix``).
    %(writer_options)s

    Examples
    --------
    >>> import torch
    >>> from figwriter.torch import FigureSummaryWriter
    >>> with FigureSummaryWriter(logdir) as writer:
    ...     writer.add_colormapped_image("attention", torch.rand(16, 16), global_step=0)
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
        description: str | None = None,
    ) -> None:
        # As torch's add_image: its usage hook, then the summary to the file writer
        # (torch writes the tag as given; it does not clean it).
        torch._C._log_api_usage_once("tensorboard.logging.add_image")
        summary = image_summary(Summary, tag, png, height, width, colorspace,
                                description)
        self._get_file_writer().add_summary(summary, global_step, walltime)
