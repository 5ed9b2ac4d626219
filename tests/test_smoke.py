"""The writer end to end: one call of each method, read back with tensorboard."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ._readback import read_image_protos, read_images


def test_one_call_of_each_method_reads_back(logdir, rng):
    from figwriter import FigureSummaryWriter

    writer = FigureSummaryWriter(logdir)
    fig = Figure(figsize=(3, 2), dpi=50)
    fig.subplots().plot([3, 1, 2])
    writer.add_figure_png("figure", fig, global_step=3, walltime=100.0)
    writer.add_colormapped_image("field", rng.normal(size=(20, 30)), global_step=4,
                                 renderer="matplotlib")
    writer.flush()
    images = read_images(logdir)
    assert sorted(images) == ["field", "figure"]
    (fig_event,) = images["figure"]
    assert (fig_event.step, fig_event.wall_time) == (3, 100.0)
    assert (fig_event.width, fig_event.height) == (150, 100)
    assert fig_event.pixels.shape == (100, 150, 3)
    (field_event,) = images["field"]
    assert field_event.step == 4
    assert field_event.pixels.shape == (field_event.height, field_event.width, 3)
    assert {proto.colorspace for _, _, _, proto in read_image_protos(logdir)} == {3}
    assert not np.all(field_event.pixels == 255)
