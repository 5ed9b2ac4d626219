"""figwriter.colormapped_image/_images/_png and figure_png: the writer's pictures, no writer."""

from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

import figwriter
from figwriter import FigureSummaryWriter

from ._readback import read_images

CASES = [
    pytest.param({}, id="defaults"),
    pytest.param({"center": 0.0, "title": "signed", "label": "height (mm)"}, id="center"),
    pytest.param({"norm": "log", "robust": True, "cmap": "magma"}, id="log-robust"),
    pytest.param({"vmin": -1.0, "vmax": 0.5, "renderer": "matplotlib"}, id="matplotlib"),
    pytest.param({"max_size": 64, "dataformats": "WH"}, id="reduced-WH"),
]


def _written(tmp_path, method: str, *args, **options) -> bytes:
    logdir = str(tmp_path / "run")
    with FigureSummaryWriter(logdir) as writer:
        getattr(writer, method)("tag", *args, **options)
    (event,) = read_images(logdir)["tag"]
    return event.png


def _decode(png: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(png)) as picture:
        assert picture.format == "PNG" and picture.mode == "RGB"
        return np.asarray(picture)


@pytest.mark.parametrize("options", CASES)
def test_colormapped_png_is_the_writers_png(tmp_path, rng, options):
    values = np.abs(rng.normal(size=(40, 70))) + 0.01
    values[3, 4] = np.nan
    png = figwriter.colormapped_png(values, **options)
    written = _written(tmp_path, "add_colormapped_image", values, 0,
                       **{k: v for k, v in options.items() if k != "dataformats"},
                       dataformats=options.get("dataformats", "HW"))
    assert png == written
    pixels = figwriter.colormapped_image(values, **options)
    assert pixels.dtype == np.uint8 and pixels.ndim == 3 and pixels.shape[2] == 3
    np.testing.assert_array_equal(pixels, _decode(png))


@pytest.mark.parametrize("shared_scale", [True, False])
def test_colormapped_images_is_the_writers_grid(tmp_path, rng, shared_scale):
    panels = [rng.normal(size=(24, 32)), rng.normal(size=(24, 32)) * 3.0]
    options = {"shared_scale": shared_scale, "titles": ["a", "b"], "label": "x"}
    pixels = figwriter.colormapped_images(panels, **options)
    written = _written(tmp_path, "add_colormapped_images", panels, 0, **options)
    np.testing.assert_array_equal(pixels, _decode(written))
    assert figwriter.colormapped_png(panels[0]) != figwriter.colormapped_png(panels[1])


@pytest.mark.parametrize("dpi", [None, 50])
def test_figure_png_is_add_figure_pngs_png(tmp_path, dpi):
    figure = Figure(figsize=(3, 2), dpi=80)
    figure.subplots().plot([3, 1, 2])
    png = figwriter.figure_png(figure, dpi=dpi)
    assert png == _written(tmp_path, "add_figure_png", figure, 0, dpi=dpi)
    assert _decode(png).shape[:2] == ((2 * dpi, 3 * dpi) if dpi else (160, 240))


def test_the_input_is_left_alone(rng):
    values = rng.normal(size=(16, 16))
    before = values.copy()
    figwriter.colormapped_image(values, vmin=0.0)
    np.testing.assert_array_equal(values, before)


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: figwriter.colormapped_image(np.zeros((2, 3, 4))), ValueError,
     r"values must be 2-D for dataformats='HW'; got shape \(2, 3, 4\)"),
    (lambda: figwriter.colormapped_png(np.eye(4), vmin=2.0, vmax=1.0), ValueError,
     "vmin must be less than or equal to vmax"),
    (lambda: figwriter.colormapped_image(np.eye(4), renderer="svg"), ValueError,
     "renderer must be one of"),
    (lambda: figwriter.colormapped_image(np.eye(4), cmapp="magma"), TypeError,
     "unexpected keyword argument 'cmapp'"),
    (lambda: figwriter.colormapped_images([np.eye(4)], titles=["a", "b"]), ValueError,
     "titles must have one entry per panel"),
    (lambda: figwriter.figure_png("not a figure"), TypeError,
     "figure must be a matplotlib.figure.Figure; got str"),
    (lambda: figwriter.figure_png(Figure(figsize=(3, 2)), dpi=-1), ValueError,
     "dpi must be a positive finite number"),
])
def test_bad_arguments_raise_as_the_writer_does(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_the_functions_are_public():
    for name in ("colormapped_image", "colormapped_images", "colormapped_png", "figure_png"):
        assert name in figwriter.__all__
        assert callable(getattr(figwriter, name))
