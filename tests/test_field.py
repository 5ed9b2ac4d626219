"""First-day scenarios with real data.

matplotlib's own sample data (the Jacksboro fault DEM, an MRI slice, a
topography/bathymetry grid) drawn by both renderers and checked cell by cell
against ``cmap(norm(x))``; a thousand tags in one run; a 1 x 100000 and a
100000 x 3 array.
"""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib import cbook

from figwriter import FigureSummaryWriter, _convert, _scale
from figwriter.render import MAX_PICTURE_SIDE

from ._readback import read_images
from .test_properties import (
    RENDERERS,
    check_fast_picture,
    check_matplotlib_picture,
)


def jacksboro_dem() -> np.ndarray:
    """Elevation (m) of the Jacksboro fault, int16, 344 x 403."""
    with cbook.get_sample_data("jacksboro_fault_dem.npz") as data:
        return data["elevation"]


def mri_slice() -> np.ndarray:
    """A 256 x 256 uint16 MRI slice, as matplotlib's examples read it."""
    with cbook.get_sample_data("s1045.ima.gz") as raw:
        return np.frombuffer(raw.read(), np.uint16).reshape((256, 256))


def topobathy() -> np.ndarray:
    """Topography above and bathymetry below sea level (m), float32, 91 x 120."""
    with cbook.get_sample_data("topobathy.npz") as data:
        return data["topo"]


SAMPLES = {
    "dem": (jacksboro_dem, dict(cmap="gist_earth", title="Jacksboro fault",
                                label="elevation (m)")),
    "mri": (mri_slice, dict(cmap="gray", robust=True, title="MRI slice")),
    "topobathy": (topobathy, dict(cmap="RdBu_r", center=0.0, label="height (m)")),
}


def check_picture(writer: FigureSummaryWriter, logdir: str, tag: str, data: np.ndarray,
                  kw: dict, rng: np.random.Generator) -> int:
    """The picture logged under ``tag``: its data cells have the colours of the scale."""
    writer.flush()
    (event,) = read_images(logdir)[tag]
    assert event.pixels.shape == (event.height, event.width, 3)
    assert max(event.height, event.width) <= MAX_PICTURE_SIDE
    panel = _convert.to_2d(data)
    options = _scale.scale_options(**{
        k: kw[k] for k in ("cmap", "vmin", "vmax", "robust", "center", "norm") if k in kw})
    scales = [_scale.resolve_scale([panel], options)]
    if kw["renderer"] == "matplotlib":
        return check_matplotlib_picture(event, tag, [panel], scales, False, rng)
    return check_fast_picture(event, tag, [panel], scales, kw, False, rng)


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_matplotlib_sample_data_is_drawn_in_its_colours(sample, renderer, logdir, rng):
    load, options = SAMPLES[sample]
    data = load()
    kw = {**options, "renderer": renderer}
    with FigureSummaryWriter(logdir) as writer:
        writer.add_colormapped_image(sample, data, 0, **kw)
        checked = check_picture(writer, logdir, sample, data, kw, rng)
    assert checked >= 30


@pytest.mark.slow
@pytest.mark.parametrize(("renderer", "tags"), [
    ("fast", 1000),
    # a matplotlib Figure per tag and shape: 100 tags already build 100 figures
    ("matplotlib", 100),
])
def test_a_thousand_tags(renderer, tags, logdir, rng):
    """One picture under each of 1,000 tags: every one is written, sampled ones are
    checked cell by cell right after their call."""
    checked_tags = set(rng.choice(tags, size=8, replace=False).tolist())
    shapes = [(8 + i % 7, 5 + i % 11) for i in range(tags)]
    with FigureSummaryWriter(logdir) as writer:
        for i, shape in enumerate(shapes):
            data = rng.normal(size=shape) + i
            tag = f"layer{i:04d}/activation"
            kw = {"renderer": renderer, "title": f"layer {i}"}
            writer.add_colormapped_image(tag, data, i, **kw)
            if i in checked_tags:
                assert check_picture(writer, logdir, tag, data, kw, rng) >= 4
    images = read_images(logdir)
    assert len(images) == tags
    for i in range(tags):
        (event,) = images[f"layer{i:04d}/activation"]
        assert event.step == i
        assert event.pixels.shape == (event.height, event.width, 3)


@pytest.mark.slow
@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("shape", [(1, 100_000), (100_000, 3)])
def test_a_very_long_thin_array(shape, renderer, logdir, rng):
    data = np.cumsum(rng.normal(size=shape), axis=int(np.argmax(shape)))
    kw = {"renderer": renderer, "cmap": "viridis"}
    tag = f"long/{shape[0]}x{shape[1]}"  # the matplotlib renderer's figures are per tag
    with FigureSummaryWriter(logdir) as writer:
        writer.add_colormapped_image(tag, data, 0, **kw)
        checked = check_picture(writer, logdir, tag, data, kw, rng)
    # imshow's equal aspect draws such an array as a line under a pixel thick (as
    # matplotlib itself does): no cell of it lies away from the spines to be checked
    assert checked >= (0 if renderer == "matplotlib" else 4)
