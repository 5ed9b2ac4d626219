"""Where text lands in a colour-mapped picture, and which way it reads, in both renderers.

Each picture is logged through the writer and read back; text and marks are
found by their pixels (``tests/_ink.py``), and compared with what matplotlib
draws for the same string at the same font size: tick labels centred on their
tick marks, the title centred over the image, the colour-bar label reading
bottom to top.
"""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib import rcParams
from matplotlib.font_manager import FontProperties

from figwriter import FigureSummaryWriter

from ._ink import Picture, matplotlib_text, similarity, text_crop
from ._readback import read_images

RENDERERS = ["fast", "matplotlib"]
#: how far (pixels) a label's ink centre may be from its tick, or a title's from the
#: image's centre: matplotlib's own placement rounds to whole pixels too
TOLERANCE = 1.5


def _points(rc_key: str) -> float:
    return FontProperties(size=rcParams[rc_key]).get_size_in_points()


def _picture(logdir, renderer: str, values: np.ndarray, **options) -> Picture:
    with FigureSummaryWriter(logdir) as writer:
        writer.add_colormapped_image("text", values, 0, renderer=renderer, **options)
    (event,) = read_images(logdir)["text"]
    return Picture(event.pixels)


def _ramp(shape=(40, 60)) -> np.ndarray:
    return np.linspace(0.0, 1.0, shape[0] * shape[1]).reshape(shape)


def _assert_centred_on_ticks(ticks: list[float], boxes, what: str) -> None:
    assert len(ticks) >= 2, f"expected several {what} tick marks; found {ticks}"
    assert len(boxes) == len(ticks), (
        f"one label per {what} tick expected: ticks at rows {ticks}, "
        f"label ink at rows {[b[:2] for b in boxes]}"
    )
    for tick, box in zip(ticks, boxes):
        centre = box.centre[0]
        assert abs(centre - tick) <= TOLERANCE, (
            f"{what} tick label with ink in rows {box[0]}..{box[1] - 1} (centre {centre}) "
            f"is not centred on its tick at row {tick}"
        )


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize(
    "limits", [(0.0, 1.0), (-5.0, 5.0), (0.0, 2500.0)], ids=["unit", "signed", "thousands"]
)
def test_bar_tick_labels_are_centred_on_their_ticks(logdir, renderer, limits):
    lo, hi = limits
    picture = _picture(logdir, renderer, lo + _ramp() * (hi - lo), vmin=lo, vmax=hi)
    _assert_centred_on_ticks(picture.bar_ticks(), picture.bar_tick_labels(), "colour-bar")


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("shape", [(40, 60), (7, 5), (300, 200)], ids=str)
def test_row_tick_labels_are_centred_on_their_ticks(logdir, renderer, shape):
    picture = _picture(logdir, renderer, _ramp(shape))
    _assert_centred_on_ticks(picture.y_ticks(), picture.y_tick_labels(), "row")


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("title", ["t", "Quick brown fox", "loss (step 3)"])
@pytest.mark.parametrize("shape", [(40, 60), (64, 32)], ids=str)
def test_title_is_centred_over_the_image(logdir, renderer, title, shape):
    picture = _picture(logdir, renderer, _ramp(shape), title=title)
    box = picture.title()
    image_centre = picture.image.centre[1]
    assert abs(box.centre[1] - image_centre) <= TOLERANCE, (
        f"title ink spans columns {box[2]}..{box[3] - 1} (centre {box.centre[1]}); "
        f"the image's centre is column {image_centre}"
    )
    assert box[1] <= picture.image[0], "the title must be above the image"
    # the same text matplotlib draws at the title's font size
    reference = matplotlib_text(title, _points("axes.titlesize"))
    assert abs(box.height - (reference.shape[0] - 4)) <= 2
    assert abs(box.width - (reference.shape[1] - 4)) <= 3
    assert similarity(text_crop(picture.rgb, box), reference) >= 0.7


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("label", ["Temperature (K)", "depth [m]", "p(y|x)"])
def test_bar_label_reads_bottom_to_top_as_matplotlib_rotates_it(logdir, renderer, label):
    picture = _picture(logdir, renderer, _ramp(), label=label)
    box = picture.bar_label()
    assert box.height > box.width, f"the label's ink {box} must run along the bar"
    crop = text_crop(picture.rgb, box)
    reference = matplotlib_text(label, _points("axes.labelsize"), rotation=90)
    assert abs(box.height - (reference.shape[0] - 4)) <= 3
    assert abs(box.width - (reference.shape[1] - 4)) <= 2
    same = similarity(crop, reference)
    upside_down = similarity(crop, reference[::-1, ::-1])  # read top to bottom
    assert same >= 0.7, f"the label does not look like matplotlib's ({same:.2f})"
    assert same >= upside_down + 0.2, (
        f"the label reads top to bottom: like matplotlib's {same:.2f}, "
        f"like it turned upside down {upside_down:.2f}"
    )
    # centred along the bar, as matplotlib centres an axis label
    assert abs(box.centre[0] - picture.bar.centre[0]) <= 2 * TOLERANCE
