"""``TensorBoardLogger`` for Lightning whose ``experiment`` is figwriter's writer.

Lightning hands its loggers' writer out as ``trainer.logger.experiment`` and
builds it itself, so the writer class cannot be swapped from outside. This
logger is Lightning's own ``TensorBoardLogger`` (same arguments, same files,
same metrics and hyperparameters) with one difference: ``experiment`` is a
:class:`figwriter.torch.FigureSummaryWriter`, so a ``LightningModule`` can call
``self.logger.experiment.add_colormapped_image(...)``.

Needs the ``lightning`` extra: ``pip install -e ".[lightning]"`` from a clone,
``pip install "figwriter[lightning]"`` from an index.
"""

from __future__ import annotations

from typing import Any, cast

try:
    from lightning.fabric.loggers.logger import rank_zero_experiment
    from lightning.fabric.utilities.rank_zero import rank_zero_only
    from lightning.pytorch.loggers import TensorBoardLogger as _LightningTensorBoardLogger
except ImportError as err:  # pragma: no cover - depends on what is installed
    raise ImportError(
        "figwriter.lightning needs Lightning and PyTorch, which are not installed; "
        'use pip install "figwriter[lightning]" (from a clone: pip install -e ".[lightning]")'
    ) from err

from .torch import FigureSummaryWriter

__all__ = ["TensorBoardLogger"]


class TensorBoardLogger(_LightningTensorBoardLogger):
    """Lightning's ``TensorBoardLogger`` with a :class:`figwriter.torch.FigureSummaryWriter`.

    Takes every argument ``lightning.pytorch.loggers.TensorBoardLogger`` takes;
    keyword arguments it does not know itself go to the writer, as in Lightning,
    so figwriter's writer options pass through (``async_render=True``,
    ``max_pending=...``).

    Examples
    --------
    >>> import numpy as np
    >>> logger = TensorBoardLogger(logdir, name="run", async_render=True)
    >>> logger.experiment.add_colormapped_image("field", np.eye(8), global_step=0)
    >>> logger.log_colormapped_image("field", np.eye(8), step=1, cmap="magma")
    >>> logger.finalize("success")
    """

    @property
    @rank_zero_experiment
    def experiment(self) -> FigureSummaryWriter:
        """The :class:`figwriter.torch.FigureSummaryWriter` this logger writes with.

        Made on first use, in ``log_dir``, on the global-rank-zero process only
        (the other ranks get Lightning's no-op stand-in), as Lightning does.
        """
        if self._experiment is None:
            if self.root_dir:
                self._fs.makedirs(self.root_dir, exist_ok=True)
            self._experiment = FigureSummaryWriter(log_dir=self.log_dir, **self._kwargs)
        return cast(FigureSummaryWriter, self._experiment)

    @rank_zero_only
    def log_colormapped_image(self, tag: str, values: Any, step: int | None = None,
                              **options: Any) -> None:
        """Log a 2-D array as a colour-mapped picture with its colour bar.

        ``experiment.add_colormapped_image(tag, values, step, **options)``: the
        options are that method's (``cmap``, ``vmin``, ``vmax``, ``center``,
        ``norm``, ``title``, ``label``, ...). Only the global-rank-zero process
        writes, as for Lightning's ``log_metrics``.
        """
        self.experiment.add_colormapped_image(tag, values, step, **options)
