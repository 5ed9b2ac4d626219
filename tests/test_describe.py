"""The Markdown summary_description on the first event of each colour-mapped tag."""

from __future__ import annotations

import glob
import os

import matplotlib.colors as mcolors
import numpy as np
import pytest

from figwriter._describe import describe
from figwriter._scale import scale_options


@pytest.mark.parametrize(("options", "label", "shared", "expected"), [
    ({}, None, None, [
        "- **colormap**: `viridis`, linear norm",
        "- **limits**: from the minimum and maximum of the finite data, at every step",
    ]),
    ({"center": 0.0}, "height (mm)", None, [
        "- **colormap**: `RdBu_r`, linear norm",
        "- **limits**: symmetric around center = 0, from the minimum and maximum of the "
        "finite data, at every step",
        "- **units** (the colour bar's label): height (mm)",
    ]),
    ({"norm": "log", "robust": True, "cmap": "magma"}, None, True, [
        "- **colormap**: `magma`, log norm",
        "- **limits**: from the 2nd and 98th percentiles of the finite data of the whole "
        "batch, at every step",
    ]),
    ({"vmin": 20.0, "vmax": 80.0}, "°C", False, [
        "- **colormap**: `viridis`, linear norm",
        "- **limits**: fixed, vmin = 20 and vmax = 80; values beyond are clipped and the "
        "colour bar shows a triangle at that end",
        "- **units** (the colour bar's label): °C",
    ]),
    ({"vmax": 1.5, "norm": "symlog"}, None, False, [
        "- **colormap**: `viridis`, symmetric log norm (linear within 1% of the largest "
        "|limit|)",
        "- **limits**: vmax = 1.5 fixed, the other from the minimum and maximum of each "
        "panel's finite data, at every step; values beyond are clipped and the colour bar "
        "shows a triangle at that end",
    ]),
    ({"norm": mcolors.TwoSlopeNorm(0.0, -1.0, 3.0)}, "a_b *c*", None, [
        "- **colormap**: `viridis`, `TwoSlopeNorm` norm",
        "- **limits**: fixed, vmin = -1 and vmax = 3; values beyond are clipped and the "
        "colour bar shows a triangle at that end",
        r"- **units** (the colour bar's label): a\_b \*c\*",
    ]),
])
def test_describe_says_how_colours_are_chosen(options, label, shared, expected):
    text = describe(scale_options(**options), label=label, shared=shared)
    assert text.splitlines() == [*expected, "- NaN, ±inf and masked cells: the colormap's "
                                 "bad colour; they never move the limits"]


def _descriptions(logdir: str) -> list[tuple[str, int, str | None]]:
    """(tag, step, summary_description or None) of every image value, in file order."""
    from tensorboard.backend.event_processing.event_file_loader import (
        LegacyEventFileLoader,
    )

    found = []
    for path in sorted(glob.glob(os.path.join(logdir, "events.out.tfevents.*"))):
        for event in LegacyEventFileLoader(path).Load():
            for value in event.summary.value:
                if value.HasField("image"):
                    text = (value.metadata.summary_description
                            if value.HasField("metadata") else None)
                    found.append((value.tag, event.step, text))
    return found


@pytest.mark.parametrize("async_render", [False, True])
def test_only_the_first_event_of_a_tag_carries_it(writer_cls, logdir, rng, async_render):
    with writer_cls(logdir, async_render=async_render) as writer:
        for step in range(3):
            values = rng.normal(size=(16, 24))
            writer.add_colormapped_image("a", values, step, center=0.0, label="m/s")
            writer.add_colormapped_image("b", values, step, description="my *own* words")
            writer.add_colormapped_images("c", [values, values], step, norm="symlog")
    found = _descriptions(logdir)
    assert [(tag, step) for tag, step, _ in found] == [
        (tag, step) for step in range(3) for tag in "abc"]
    first = {tag: text for tag, step, text in found if step == 0}
    assert first["a"] == describe(scale_options(center=0.0), label="m/s")
    assert first["b"] == "my *own* words"
    assert first["c"] == describe(scale_options(norm="symlog"), shared=True)
    assert all(text is None for _, step, text in found if step > 0)


def test_a_failed_first_call_leaves_the_description_for_the_next(writer_cls, logdir):
    with writer_cls(logdir) as writer:
        with pytest.raises(ValueError, match="values must be 2-D"):
            writer.add_colormapped_image("a", np.zeros((2, 3, 4)), 0)
        writer.add_colormapped_image("a", np.eye(4), 1)
    ((tag, step, text),) = _descriptions(logdir)
    assert (tag, step) == ("a", 1) and text == describe(scale_options())


def test_description_must_be_text(writer):
    with pytest.raises(TypeError, match="description must be a str or None; got int"):
        writer.add_colormapped_image("a", np.eye(4), 0, description=3)
    with pytest.raises(TypeError, match="description must be a str or None; got bytes"):
        writer.add_colormapped_images("a", [np.eye(4)], 0, description=b"x")
