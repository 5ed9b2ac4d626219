"""The approaches the main table and the figure table time, and reading back the
PNG bytes each one wrote."""

from __future__ import annotations

import glob
import io
import os
import struct
from typing import TYPE_CHECKING, Any, Callable, TextIO

import numpy as np

from benchmarks.common import Approach, Measured, call_factor, make_field, run_rounds, use_agg

if TYPE_CHECKING:
    from matplotlib.figure import Figure


class Writers:
    """The writers every approach logs through, in one temporary logdir."""

    def __init__(self, root: str) -> None:
        from tensorboardX import SummaryWriter

        from figwriter import FigureSummaryWriter

        self.root = root
        self.tbx = SummaryWriter(os.path.join(root, "tensorboardX"))
        self.fw = FigureSummaryWriter(os.path.join(root, "figwriter"))
        self.background: Any = None
        self.background_error: str | None = None
        try:
            self.background = FigureSummaryWriter(
                os.path.join(root, "background"), async_render=True
            )
        except TypeError as err:
            self.background_error = f"FigureSummaryWriter does not take async_render ({err})"

    def close(self) -> None:
        for w in (self.tbx, self.fw, self.background):
            if w is not None:
                w.close()


def _seed_call(writer: Any, tag: str) -> Callable[[Any, int], None]:
    def call(x: Any, step: int) -> None:
        use_agg()
        import matplotlib.pyplot as plt
        from PIL import Image

        fig = plt.figure()
        im = plt.imshow(x)
        plt.colorbar(im)
        buf = io.BytesIO()
        plt.savefig(buf, format="png")
        buf.seek(0)
        img = np.asarray(Image.open(buf))[:, :, :3]
        writer.add_image(tag, img, step, dataformats="HWC")
        plt.close(fig)

    return call


def _add_figure_call(writer: Any, tag: str) -> Callable[[Any, int], None]:
    def call(x: Any, step: int) -> None:
        use_agg()
        import matplotlib.pyplot as plt

        fig = plt.figure()
        im = plt.imshow(x)
        plt.colorbar(im)
        writer.add_figure(tag, fig, step)  # closes the figure

    return call


def _bare_image_call(writer: Any, tag: str) -> Callable[[Any, int], None]:
    def call(x: Any, step: int) -> None:
        lo, hi = np.nanmin(x), np.nanmax(x)
        writer.add_image(tag, (x - lo) / (hi - lo), step, dataformats="HW")

    return call


def fast_picture(x: np.ndarray, key: str) -> np.ndarray:
    """The fast renderer's picture of ``x``: what ``add_colormapped_image`` encodes."""
    from figwriter import _scale
    from figwriter.render import PictureOptions, Stream, render

    scale = _scale.resolve_scale([x], _scale.scale_options())
    return render("fast", [x], [scale], PictureOptions(), Stream(key))


def main_approaches(w: Writers, key: str, base: np.ndarray,
                     skipped: dict[str, str]) -> list[Approach]:
    """The main table's approaches for one input size; tags are ``name/key``."""
    from figwriter import _png

    def tag(name: str) -> str:
        return f"{name}/{key}"

    fw, bw = w.fw, w.background
    approaches = [
        Approach("seed", _seed_call(w.tbx, tag("seed"))),
        Approach("tbx_add_figure", _add_figure_call(w.tbx, tag("tbx_add_figure"))),
        Approach("tbx_add_image", _bare_image_call(w.tbx, tag("tbx_add_image"))),
        Approach("fast", lambda x, step: fw.add_colormapped_image(tag("fast"), x, step)),
        Approach("matplotlib", lambda x, step: fw.add_colormapped_image(
            tag("matplotlib"), x, step, renderer="matplotlib")),
    ]
    if bw is None:
        skipped.setdefault("background", w.background_error or "unavailable")
    else:
        approaches.append(Approach(
            "background", lambda x, step: bw.add_colormapped_image(tag("background"), x, step),
            after=bw.flush,
        ))

    def minmax(x: Any, step: int) -> None:
        np.nanmin(x)
        np.nanmax(x)

    approaches.append(Approach("floor_minmax", minmax))
    try:
        picture = fast_picture(base, key=tag("floor_png"))
    except Exception as err:
        skipped.setdefault("floor_png", f"no fast picture to encode: {type(err).__name__}: {err}")
    else:

        def encode(x: Any, step: int) -> None:
            _png.encode_png(picture)

        approaches.append(Approach("floor_png", encode))
    return approaches


def bench_figure() -> tuple[Figure, Callable[[int], None]]:
    """A reused figure (no pyplot): a line plot beside an ``imshow`` with a colour bar.

    Returns the figure and a function that changes its data for call ``k``.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8.0, 3.5), dpi=100)
    FigureCanvasAgg(fig)
    ax_line, ax_image = fig.subplots(1, 2)
    t = np.linspace(0.0, 10.0, 2000)
    curve = np.exp(-t / 4.0) + 0.05 * np.sin(7.0 * t)
    (line,) = ax_line.plot(t, curve)
    ax_line.set_xlabel("epoch")
    ax_line.set_ylabel("loss")
    field_ = make_field(128)
    im = ax_image.imshow(field_)
    fig.colorbar(im, ax=ax_image)

    def change(k: int) -> None:
        f = call_factor(k)
        line.set_ydata(curve * f)
        ax_line.relim()
        ax_line.autoscale_view()
        im.set_data(field_ * np.float32(f))
        im.autoscale()

    return fig, change



# -- reading back PNG sizes ------------------------------------------------------------
def image_sizes(root: str) -> dict[str, list[int]]:
    """Encoded PNG bytes of every image event under ``root``, by tag."""
    from tensorboardX.proto.event_pb2 import Event

    sizes: dict[str, list[int]] = {}
    for path in glob.glob(os.path.join(root, "**", "events.out.tfevents.*"), recursive=True):
        with open(path, "rb") as f:
            data = f.read()
        pos = 0
        while pos + 12 <= len(data):
            (length,) = struct.unpack_from("<Q", data, pos)
            pos += 12  # length and its CRC
            event = Event.FromString(data[pos:pos + length])
            pos += length + 4  # the record and its CRC
            for value in event.summary.value:
                if value.HasField("image"):
                    sizes.setdefault(value.tag, []).append(
                        len(value.image.encoded_image_string))
    return sizes



def run_figure_table(writers: Writers, *, rounds: int, warmup: int, rng: np.random.Generator,
                     skipped: dict[str, str], progress: TextIO | None
                     ) -> tuple[dict[str, Measured], dict[str, Any], np.ndarray]:
    """Time ``add_figure_png`` against tensorboardX ``add_figure`` and the draw floor.

    Returns what was measured, the figure's description and its picture (RGB).
    """
    fig, change = bench_figure()
    own_canvas = fig.canvas
    fw, tbx = writers.fw, writers.tbx

    def make_figure_input(k: int) -> None:
        change(k)

    def draw(_: Any, step: int) -> None:
        fig.canvas.draw()

    def give_canvas_back() -> None:
        # add_figure leaves a canvas of its own on the figure: put the
        # figure's own back, so the floor always draws on the same canvas
        fig.set_canvas(own_canvas)

    def add_figure_png(_: Any, step: int) -> None:
        fw.add_figure_png("figure/add_figure_png", fig, step, close=False)

    def tbx_add_figure(_: Any, step: int) -> None:
        use_agg()  # tensorboardX imports pyplot
        tbx.add_figure("figure/tbx_add_figure", fig, step, close=False)

    fig_table = [
        Approach("fig_draw", draw),
        Approach("fig_add_figure_png", add_figure_png),
        Approach("fig_tbx_add_figure", tbx_add_figure, after=give_canvas_back),
    ]
    measured = run_rounds(fig_table, make_figure_input, rounds=rounds, warmup=warmup, rng=rng,
                          skipped=skipped, progress=progress, what="figure")
    width, height = (int(v) for v in fig.canvas.get_width_height())
    info = {"width": width, "height": height,
            "description": "line plot (2000 points) beside a 128x128 "
                           "imshow with a colour bar; not made with pyplot"}
    fig.canvas.draw()
    picture = np.asarray(fig.canvas.buffer_rgba())[:, :, :3].copy()  # type: ignore[attr-defined]
    return measured, info, picture
