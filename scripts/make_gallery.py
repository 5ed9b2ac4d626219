"""Regenerate the gallery: docs/images/*.png and docs/gallery.md.

Every picture is made by figwriter itself: each example below logs with
``FigureSummaryWriter`` into a temporary logdir, the PNG is read back with
tensorboard's ``EventAccumulator`` (exactly the bytes TensorBoard serves) and
saved under docs/images/. The code shown in docs/gallery.md is the body of each
example function, so the page always shows the call that made the picture.

Usage::

    python scripts/make_gallery.py            # writes docs/images/ and docs/gallery.md
    python scripts/make_gallery.py --out DIR  # pictures elsewhere, no markdown
"""

from __future__ import annotations

import argparse
import ast
import inspect
import sys
import tempfile
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
MARKDOWN = ROOT / "docs" / "gallery.md"
STEP = 40


@dataclass
class Example:
    name: str
    function: Callable[..., None]
    needs: str | None = None

    @property
    def title(self) -> str:
        return inspect.getdoc(self.function).split("\n\n")[0].strip()  # type: ignore[union-attr]

    @property
    def prose(self) -> str:
        parts = inspect.getdoc(self.function).split("\n\n")  # type: ignore[union-attr]
        text = "\n\n".join(p.replace("\n", " ") for p in parts[1:])
        return text.replace("``", "`")  # reST literals to Markdown

    @property
    def code(self) -> str:
        """The function's body without its docstring, dedented."""
        source = textwrap.dedent(inspect.getsource(self.function))
        body = ast.parse(source).body[0].body  # type: ignore[attr-defined]
        lines = source.splitlines()
        return textwrap.dedent("\n".join(lines[body[1].lineno - 1:])).strip()


EXAMPLES: list[Example] = []


def example(name: str, needs: str | None = None) -> Callable[[Callable[..., None]], Any]:
    def register(function: Callable[..., None]) -> Callable[..., None]:
        EXAMPLES.append(Example(name, function, needs))
        return function

    return register


# -- the examples: each docstring is "title\n\nprose"; the body is shown verbatim ----------


@example("default")
def default(writer, temperature, step):
    """The defaults: viridis, limits from the data

    A plate heated by two moving sources (°C). With no options the limits are
    the data's finite minimum and maximum, the colormap is viridis and the colour
    bar's ticks are the ones matplotlib's ``colorbar()`` would draw.
    """
    writer.add_colormapped_image(
        "heat/temperature", temperature, global_step=step,
        title="heated plate", label="temperature (°C)",
    )


@example("center")
def center(writer, height, step):
    """Signed data: `center=0`

    Ripples on a pond: crests above zero, troughs below. ``center=0`` makes the
    limits symmetric around zero and picks the diverging ``RdBu_r`` colormap, so
    white is exactly zero.
    """
    writer.add_colormapped_image(
        "wave/height", height, global_step=step, center=0.0,
        title="ripples on a pond", label="surface height (mm)",
    )


@example("nan")
def nan_holes(writer, concentration, step):
    """NaN holes: the colormap's bad colour

    A tracer diffusing through a plate with holes; cells inside the holes are
    NaN. NaN, ±inf and masked cells never move the limits and are painted in the
    colormap's "bad" colour (transparent for viridis, shown as white).
    """
    writer.add_colormapped_image(
        "tracer/concentration", concentration, global_step=step,
        title="tracer in a plate with holes", label="concentration (mol/L)",
    )


@example("log")
def log_norm(writer, power, step):
    """Many decades: `norm="log"`

    The power spectrum of the ripples spans more than ten decades. A log norm
    shows all of them; ``robust=True`` takes the limits from the 2nd and 98th
    percentiles of the positive values, and the triangles at the ends of the bar
    show that values beyond them were clipped.
    """
    writer.add_colormapped_image(
        "wave/spectrum", power, global_step=step,
        norm="log", robust=True, cmap="magma",
        title="power spectrum", label="power",
    )


@example("robust")
def robust(writer, readings, step):
    """Outliers: `robust=True`

    A thermal camera's view of the plate with a few dead and saturated pixels.
    Plain min/max limits would spend the whole colour range on those few
    pixels; ``robust=True`` takes the 2nd and 98th percentiles instead, and the
    extension triangles mark the clipped outliers.
    """
    writer.add_colormapped_image(
        "camera/readings", readings, global_step=step,
        robust=True, cmap="inferno",
        title="thermal camera", label="temperature (°C)",
    )


@example("clip")
def clipped(writer, temperature, step):
    """Fixed limits: `vmin`/`vmax`, with clipping shown

    Explicit limits make colours comparable across steps. Here the hottest spots
    exceed ``vmax``; the colour bar grows a triangle at that end, as matplotlib's
    ``extend="max"`` draws it, so nobody mistakes clipped values for 60 °C.
    """
    writer.add_colormapped_image(
        "heat/temperature_fixed", temperature, global_step=step,
        vmin=20.0, vmax=60.0, cmap="inferno",
        title="heated plate", label="temperature (°C)",
    )


@example("matplotlib")
def matplotlib_renderer(writer, temperature, step):
    """The matplotlib renderer

    ``renderer="matplotlib"`` draws a real ``imshow`` + ``colorbar`` figure (no
    pyplot, the figure is reused between steps): axes ticks, your rcParams and
    any ``Normalize``. The default ``"fast"`` renderer gives the same colours and
    colour-bar labels for a fraction of the cost.
    """
    writer.add_colormapped_image(
        "heat/temperature_mpl", temperature, global_step=step,
        renderer="matplotlib",
        title="heated plate", label="temperature (°C)",
    )


@example("batch", needs="add_colormapped_images")
def batch(writer, prediction, solver, step):
    """A batch with one colour scale

    ``add_colormapped_images`` writes a grid of panels as one picture with one
    colour bar: the limits are resolved over the whole batch, so prediction,
    target and error read in the same colours. ``shared_scale=False`` gives each
    panel its own bar.
    """
    error = np.abs(prediction - solver)
    writer.add_colormapped_images(
        "surrogate/prediction_target_error",
        [prediction, solver, error], global_step=step,
        titles=["prediction", "solver", "|error|"],
        ncols=3, cmap="inferno", label="°C above ambient",
    )


@example("spectrogram")
def spectrogram(writer, mel, step):
    """A spectrogram: `origin`, `extent`, `aspect="auto"`

    80 mel bands x 1000 frames of a chirping bird. ``origin="lower"`` puts the
    lowest band at the bottom, ``extent`` gives the axes in seconds and Hz
    (ticked as ``imshow`` would tick them), and ``aspect="auto"`` fills a
    readable box instead of a thin strip under a tall colour bar.
    """
    writer.add_colormapped_image(
        "audio/mel_spectrogram", mel, global_step=step,
        aspect="auto", origin="lower", extent=(0.0, 10.0, 0.0, 8000.0),
        xlabel="time (s)", ylabel="frequency (Hz)", cmap="magma", label="dB",
    )


@example("confusion")
def confusion_matrix(writer, confusion, step):
    """A confusion matrix: class names and `annot`

    Tick labels name the classes; ``annot=True`` writes each count in its cell,
    dark on light cells and white on dark ones, as seaborn's ``heatmap`` does.
    """
    classes = ["airplane", "automobile", "bird", "cat", "deer",
               "dog", "frog", "horse", "ship", "truck"]
    writer.add_colormapped_image(
        "classifier/confusion_matrix", confusion, global_step=step,
        xticklabels=classes, yticklabels=classes, annot=True, fmt="d",
        xlabel="predicted", ylabel="true", cmap="Blues",
    )


@example("attention")
def attention_map(writer, attention, step):
    """An attention map: token labels, thinned to fit

    The [CLS] token's attention over 196 image patches in 12 heads. With one
    label per token, labels are thinned as seaborn's ``"auto"`` ticks are and
    stand upright when neighbours would touch.
    """
    tokens = ["[CLS]"] + [f"p{i}" for i in range(196)]
    writer.add_colormapped_image(
        "transformer/attention", attention, global_step=step, aspect="auto",
        xticklabels=tokens, yticklabels=[f"head {i}" for i in range(12)],
        label="weight",
    )


@example("gradcam")
def grad_cam(writer, saliency, photo, step):
    """A heat map over the input: `background`, `alpha`

    A saliency map on a 14 x 14 patch grid over matplotlib's sample photograph.
    The photograph is resampled to the data block and the colour-mapped cells
    are blended over it; the colour bar shows the colormap itself.
    """
    writer.add_colormapped_image(
        "explain/grad_cam", saliency, global_step=step,
        background=photo, alpha=0.5, aspect=photo.shape[0] / photo.shape[1],
        cmap="jet", vmin=0.0, vmax=1.0, xticklabels=False, yticklabels=False,
    )


@example("labels")
def label_map(writer, labels, step):
    """A label map larger than `max_size`: never averaged

    A 1000 x 1500 segmentation map with 20 classes. Integer data under a
    qualitative colormap is reduced by the most frequent class of each block
    (``reduce="mode"``, the default for labels), so the picture shows no class
    that is not in the data; ``reduce="max"`` or ``"min"`` keep sparse peaks
    of continuous data visible.
    """
    writer.add_colormapped_image(
        "segmentation/labels", labels, global_step=step,
        cmap="tab20", vmin=0, vmax=20, label="class",
    )


@example("figure")
def figure(writer, losses, step):
    """Any matplotlib figure: `add_figure_png`

    A drop-in for ``add_figure`` (same positional parameters): the figure is
    drawn with Agg and encoded to PNG once, in memory. Build it with
    ``matplotlib.figure.Figure``; no pyplot needed.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5, 3), dpi=100, layout="constrained")
    ax = fig.subplots()
    ax.semilogy(losses)
    ax.set(xlabel="step", ylabel="MSE", title="training loss")
    ax.grid(True, which="both", alpha=0.3)
    writer.add_figure_png("training/loss", fig, global_step=step)


# -- data ------------------------------------------------------------------------------


def make_data() -> dict[str, Any]:
    """The arrays the examples log, from the demo's simulations (deterministic)."""
    from figwriter import _demo

    plate = _demo.HeatPlate()
    model = _demo.StencilSurrogate()
    losses = []
    for _ in range(STEP):
        before = plate.u.copy()
        plate.advance()
        losses.append(model.train())
    scale = _demo.HOT_C - _demo.AMBIENT_C
    prediction = scale * model.rollout(before, plate.substeps)
    pond = _demo.Ripples(size=128, seed=4, drop_every=4)
    for _ in range(14):
        pond.advance()
    tracer = _demo.PorousTracer()
    tracer.advance(tracer.substeps * 60)

    rng = np.random.default_rng(7)
    temperature = plate.temperature
    readings = temperature + rng.normal(0.0, 0.4, temperature.shape)
    flat = readings.reshape(-1)
    cells = rng.choice(flat.size, size=int(0.004 * flat.size), replace=False)
    half = len(cells) // 2
    flat[cells[:half]] = 400.0  # saturated pixels
    flat[cells[half:]] = -50.0  # dead pixels
    from figwriter._demo_pictures import ModelPictures

    pictures = ModelPictures()
    y, x = np.mgrid[0:1000, 0:1500]
    labels = ((x // 150 + 3 * (y // 125)) % 20).astype(np.int64)
    labels[(x - 700) ** 2 + (y - 500) ** 2 < 200 ** 2] = 18
    return {
        "mel": pictures.spectrogram(8),
        "confusion": pictures.confusion(8),
        "attention": pictures.attention(8),
        "saliency": pictures.saliency(8),
        "photo": pictures.photo,
        "labels": labels,
        "temperature": temperature,
        "height": pond.u,
        "power": _demo.power_spectrum(pond.u),
        "concentration": tracer.concentration,
        "readings": readings,
        "prediction": prediction,
        "solver": scale * plate.u,
        "losses": np.array(losses),
        "step": STEP,
    }


# -- writing ---------------------------------------------------------------------------


def render_all(out: Path) -> list[tuple[Example, str]]:
    """Run every example through the writer; save each PNG read back from the event file."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    from figwriter import FigureSummaryWriter

    data = make_data()
    out.mkdir(parents=True, exist_ok=True)
    done = []
    with tempfile.TemporaryDirectory() as tmp:
        for ex in EXAMPLES:
            logdir = str(Path(tmp) / ex.name)
            with FigureSummaryWriter(logdir) as writer:
                if ex.needs and not hasattr(writer, ex.needs):
                    print(f"skipped {ex.name}: the writer has no {ex.needs}", file=sys.stderr)
                    continue
                names = inspect.signature(ex.function).parameters
                ex.function(writer, **{n: data[n] for n in names if n != "writer"})
            acc = EventAccumulator(logdir, size_guidance={"images": 0})
            acc.Reload()
            (tag,) = acc.Tags()["images"]
            (event,) = acc.Images(tag)
            filename = f"gallery-{ex.name}.png"
            (out / filename).write_bytes(event.encoded_image_string)
            print(f"{out / filename}: {event.width}x{event.height}, "
                  f"{len(event.encoded_image_string) / 1024:.0f} KiB")
            done.append((ex, filename))
    hero = next((f for ex, f in done if ex.name == "batch"), None) or "gallery-center.png"
    (out / "hero.png").write_bytes((out / hero).read_bytes())
    print(f"{out / 'hero.png'}: a copy of {hero}")
    return done


def markdown(done: list[tuple[Example, str]]) -> str:
    parts = [
        "<!-- Generated by scripts/make_gallery.py; edit the script, not this page. -->",
        "# Gallery",
        "",
        "Each picture below was written by `FigureSummaryWriter`, read back from the "
        "event file with TensorBoard's own reader and saved unchanged: these are the "
        "bytes TensorBoard shows. The data comes from the simulations in "
        "`python -m figwriter demo`; `writer` is a `FigureSummaryWriter` and `step` "
        "the global step. Regenerate everything with "
        "`python scripts/make_gallery.py`.",
        "",
    ]
    for ex, filename in done:
        parts += [
            f"## {ex.title}",
            "",
            ex.prose,
            "",
            "```python",
            ex.code,
            "```",
            "",
            f"![{ex.title.replace('`', '')}](images/{filename})",
            "",
        ]
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=None,
                        help=f"directory for the pictures (default: {IMAGES.relative_to(ROOT)}, "
                             "which also rewrites docs/gallery.md)")
    args = parser.parse_args(argv)
    done = render_all(args.out or IMAGES)
    if args.out is None:
        MARKDOWN.write_text(markdown(done), encoding="utf-8")
        print(f"{MARKDOWN}: {len(done)} examples")
    return 0


if __name__ == "__main__":
    sys.exit(main())
