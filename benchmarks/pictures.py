"""The pictures people log, with their options: figwriter's fast renderer against the
pyplot + ``add_figure`` code a user would write for each.

Four cases: a mel spectrogram (80 x 1000, ``origin="lower"``, axes in seconds and
Hz, ``aspect="auto"``), a confusion matrix (10 classes, names and counts), an
attention map (12 heads x 197 tokens, token labels) and a heat map over a
photograph (matplotlib's ``grace_hopper.jpg``). The data changes every call.
"""

from __future__ import annotations

from typing import Any, Callable, TextIO

import numpy as np

from benchmarks.common import Approach, Measured, call_factor, run_rounds, use_agg

#: the fast renderer should be at least this many times faster than the pyplot code
TARGET = 20.0
ROUNDS, QUICK_ROUNDS = 15, 3
CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
           "truck"]
TOKENS = ["[CLS]"] + [f"patch{i}" for i in range(196)]


def _photo() -> np.ndarray:
    """matplotlib's sample photograph, as (H, W, 3) uint8."""
    from matplotlib import cbook
    from PIL import Image

    with Image.open(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)) as im:
        return np.asarray(im.convert("RGB"))


def _inputs(rng: np.random.Generator) -> dict[str, np.ndarray]:
    spectrum = rng.standard_normal((80, 1000)).astype(np.float32).cumsum(axis=1) / 30
    # counts stay under 1000 (call factors < 2), so that every count fits its cell
    confusion = rng.integers(0, 30, size=(10, 10)) + np.diag(rng.integers(150, 450, size=10))
    attention = rng.random((12, 197)).astype(np.float32) ** 4
    y, x = np.mgrid[0:14, 0:14]
    heat = np.exp(-((x - 6.5) ** 2 + (y - 4.5) ** 2) / 12.0).astype(np.float32)
    return {"spectrogram": spectrum, "confusion": confusion, "attention": attention,
            "heatmap": heat}


def _fast_calls(fw: Any, photo: np.ndarray) -> dict[str, Callable[[Any, int], None]]:
    return {
        "spectrogram": lambda x, step: fw.add_colormapped_image(
            "pictures/spectrogram", x, step, aspect="auto", origin="lower",
            extent=(0.0, 10.0, 0.0, 8000.0), xlabel="time (s)", ylabel="frequency (Hz)",
            label="dB"),
        "confusion": lambda x, step: fw.add_colormapped_image(
            "pictures/confusion", x, step, xticklabels=CLASSES, yticklabels=CLASSES,
            annot=True, fmt="d", cmap="Blues", xlabel="predicted", ylabel="true"),
        "attention": lambda x, step: fw.add_colormapped_image(
            "pictures/attention", x, step, aspect="auto", xticklabels=TOKENS,
            ylabel="head"),
        "heatmap": lambda x, step: fw.add_colormapped_image(
            "pictures/heatmap", x, step, background=photo, alpha=0.5, cmap="jet"),
    }


def _pyplot(draw: Callable[[Any, Any, Any], None], tbx: Any,
            tag: str) -> Callable[[Any, int], None]:
    def call(x: Any, step: int) -> None:
        use_agg()
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots()
        draw(fig, ax, x)
        tbx.add_figure(tag, fig, step)  # closes the figure

    return call


def _pyplot_calls(tbx: Any, photo: np.ndarray) -> dict[str, Callable[[Any, int], None]]:
    def spectrogram(fig: Any, ax: Any, x: Any) -> None:
        im = ax.imshow(x, aspect="auto", origin="lower", extent=(0.0, 10.0, 0.0, 8000.0))
        ax.set_xlabel("time (s)")
        ax.set_ylabel("frequency (Hz)")
        fig.colorbar(im, ax=ax, label="dB")

    def confusion(fig: Any, ax: Any, x: Any) -> None:
        im = ax.imshow(x, cmap="Blues")
        fig.colorbar(im, ax=ax)
        ax.set_xticks(range(len(CLASSES)), CLASSES, rotation=45)
        ax.set_yticks(range(len(CLASSES)), CLASSES)
        threshold = x.max() / 2.0
        for i in range(x.shape[0]):
            for j in range(x.shape[1]):
                ax.text(j, i, f"{x[i, j]:d}", ha="center", va="center",
                        color="white" if x[i, j] > threshold else "black")
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        fig.tight_layout()

    def attention(fig: Any, ax: Any, x: Any) -> None:
        im = ax.imshow(x, aspect="auto")
        ax.set_xticks(range(0, len(TOKENS), 16), TOKENS[::16], rotation=90)
        ax.set_ylabel("head")
        fig.colorbar(im, ax=ax)

    def heatmap(fig: Any, ax: Any, x: Any) -> None:
        h, w = photo.shape[:2]
        ax.imshow(photo)
        im = ax.imshow(x, cmap="jet", alpha=0.5, extent=(0, w, h, 0),
                       interpolation="nearest")
        fig.colorbar(im, ax=ax)

    draws = {"spectrogram": spectrogram, "confusion": confusion, "attention": attention,
             "heatmap": heatmap}
    return {name: _pyplot(d, tbx, f"pictures/pyplot/{name}") for name, d in draws.items()}


def run_picture_table(writers: Any, *, quick: bool, repeats: int | None, warmup: int,
                      rng: np.random.Generator, skipped: dict[str, str],
                      progress: TextIO | None) -> dict[str, Any]:
    """Time each case both ways; returns medians, ratios and whether the target is met."""
    photo = _photo()
    inputs = _inputs(rng)
    fast, pyplot = _fast_calls(writers.fw, photo), _pyplot_calls(writers.tbx, photo)
    rounds = repeats or (QUICK_ROUNDS if quick else ROUNDS)
    out: dict[str, Any] = {"target": TARGET, "cases": {}}
    for name, base in inputs.items():
        def make_input(k: int, base: np.ndarray = base) -> np.ndarray:
            if base.dtype.kind == "i":
                return (base * call_factor(k)).astype(base.dtype)
            return base * base.dtype.type(call_factor(k))

        approaches = [Approach(f"pictures_{name}_fast", fast[name]),
                      Approach(f"pictures_{name}_pyplot", pyplot[name])]
        measured: dict[str, Measured] = run_rounds(
            approaches, make_input, rounds=rounds, warmup=warmup, rng=rng, skipped=skipped,
            measure_memory=False, progress=progress, what=f"pictures {name}")
        fast_m = measured.get(f"pictures_{name}_fast")
        plt_m = measured.get(f"pictures_{name}_pyplot")
        case: dict[str, Any] = {"shape": list(base.shape)}
        if fast_m is not None and plt_m is not None:
            ratio = plt_m.median_ms / fast_m.median_ms
            case.update(fast_ms=fast_m.median_ms, pyplot_ms=plt_m.median_ms, ratio=ratio,
                        met=ratio >= TARGET)
        out["cases"][name] = case
    return out


def format_rows(table: dict[str, Any]) -> list[list[str]]:
    """Rows of (case, fast ms, pyplot ms, ratio, target) for the text and Markdown tables."""
    rows = []
    for name, case in table["cases"].items():
        shape = "x".join(str(n) for n in case["shape"])
        if "ratio" not in case:
            rows.append([f"{name} {shape}", "-", "-", "-", "skipped"])
            continue
        rows.append([f"{name} {shape}", f"{case['fast_ms']:.2f} ms",
                     f"{case['pyplot_ms']:.1f} ms", f"{case['ratio']:.0f}x",
                     f">= {table['target']:.0f}x: {'met' if case['met'] else 'not met'}"])
    return rows


HEADER = ["case", "figwriter fast", "pyplot + add_figure", "x faster", "target"]
