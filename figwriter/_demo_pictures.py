"""The demo's pictures of a model in training, each with the options it calls for.

``audio/mel_spectrogram``
    a bird-like chirp in noise, as 80 mel bands x 1000 frames (``origin="lower"``,
    ``extent`` in seconds and Hz, ``aspect="auto"``);
``classifier/confusion_matrix``
    a 10-class classifier that improves every step (class names, a count in each
    cell);
``transformer/attention``
    the [CLS] token's attention over 196 image patches in 12 heads (token labels,
    thinned to fit);
``explain/grad_cam``
    a saliency heat map over matplotlib's sample photograph ``grace_hopper.jpg``
    (``background``, ``alpha``, and ``aspect`` so that the photograph keeps its shape).

Only numpy and Pillow (to read the photograph) are used.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

__all__ = ["ModelPictures", "CLASSES", "TAGS"]

CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
           "truck"]
TOKENS = ["[CLS]"] + [f"p{i}" for i in range(196)]
TAGS = ("audio/mel_spectrogram", "classifier/confusion_matrix", "transformer/attention",
        "explain/grad_cam")
SAMPLE_RATE = 16000
HOP = 160  # 10 ms frames
N_FFT = 512
N_MELS = 80


def _mel(hz: np.ndarray) -> np.ndarray:
    return 2595.0 * np.log10(1.0 + hz / 700.0)


def mel_filterbank(n_mels: int = N_MELS, n_fft: int = N_FFT,
                   rate: int = SAMPLE_RATE) -> np.ndarray:
    """Triangular mel filters, (n_mels, n_fft // 2 + 1), as audio libraries build them."""
    edges_mel = np.linspace(0.0, _mel(np.array(rate / 2.0)), n_mels + 2)
    edges = 700.0 * (10.0 ** (edges_mel / 2595.0) - 1.0)
    freqs = np.linspace(0.0, rate / 2.0, n_fft // 2 + 1)
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (freqs - lower) / (centre - lower)
    falling = (upper - freqs) / (upper - centre)
    return np.maximum(0.0, np.minimum(rising, falling))


class ModelPictures:
    """Data for the four pictures at each step (deterministic)."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = np.random.default_rng(seed)
        self.filters = mel_filterbank()
        self.window = np.hanning(N_FFT)
        self._photo: np.ndarray | None = None
        self.head_focus = self.rng.integers(0, 196, size=12)

    @property
    def photo(self) -> np.ndarray:
        """matplotlib's sample photograph (H, W, 3) uint8, read once."""
        if self._photo is None:
            from matplotlib import cbook
            from PIL import Image

            with Image.open(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)) as im:
                self._photo = np.asarray(im.convert("RGB"))
        return self._photo

    def spectrogram(self, step: int) -> np.ndarray:
        """80 mel bands x 1000 frames (10 s) in dB; row 0 is the lowest band."""
        n = HOP * 999 + N_FFT
        t = np.arange(n) / SAMPLE_RATE
        base = 1500.0 + 300.0 * step
        sweep = base + 2500.0 * (0.5 + 0.5 * np.sin(2 * np.pi * t / 2.5))
        phase = 2 * np.pi * np.cumsum(sweep) / SAMPLE_RATE
        bursts = (np.sin(2 * np.pi * t * 1.5) > 0.3).astype(float)
        signal = bursts * np.sin(phase) + 0.05 * self.rng.standard_normal(n)
        frames = np.lib.stride_tricks.sliding_window_view(signal, N_FFT)[::HOP][:1000]
        power = np.abs(np.fft.rfft(frames * self.window, axis=1)) ** 2
        mel = self.filters @ power.T
        return (10.0 * np.log10(mel + 1e-6)).astype(np.float32)

    def confusion(self, step: int) -> np.ndarray:
        """Counts of 500 test images per class, more on the diagonal every step."""
        accuracy = 0.35 + 0.55 * (1.0 - math.exp(-step / 6.0))
        out = np.zeros((10, 10), np.int64)
        for i in range(10):
            p = np.full(10, (1.0 - accuracy) / 9.0)
            p[i] = accuracy
            p[(i + 1) % 10] += 0.05  # a neighbouring class is confused more often
            out[i] = self.rng.multinomial(500, p / p.sum())
        return out

    def attention(self, step: int) -> np.ndarray:
        """12 heads x 197 tokens: softmax attention of [CLS], sharper every step."""
        logits = self.rng.standard_normal((12, 197))
        sharp = 1.0 + 0.5 * step
        logits[np.arange(12), 1 + self.head_focus] += 2.0 + sharp
        logits[:, 0] += 1.5
        weights = np.exp(logits - logits.max(axis=1, keepdims=True))
        return (weights / weights.sum(axis=1, keepdims=True)).astype(np.float32)

    def saliency(self, step: int) -> np.ndarray:
        """A 14 x 14 (ViT patch grid) heat map over the face, settling with training."""
        y, x = np.mgrid[0:14, 0:14]
        cy, cx = 5.0 + 2.0 * math.exp(-step / 4.0), 7.0
        heat = np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 8.0)
        heat += 0.15 * self.rng.random((14, 14)) * math.exp(-step / 8.0)
        return (heat / heat.max()).astype(np.float32)


def log_pictures(writer: Any, step: int, pictures: ModelPictures,
                 image: Callable[[str], str], options: dict[str, Any]) -> None:
    """Log the four pictures of ``step`` (``image`` records each tag)."""
    writer.add_colormapped_image(
        image(TAGS[0]), pictures.spectrogram(step), step, aspect="auto", origin="lower",
        extent=(0.0, 10.0, 0.0, SAMPLE_RATE / 2.0), xlabel="time (s)",
        ylabel="frequency (Hz)", cmap="magma", title="mel spectrogram", label="dB",
        hold_scale=True, **options)
    writer.add_colormapped_image(
        image(TAGS[1]), pictures.confusion(step), step, xticklabels=CLASSES,
        yticklabels=CLASSES, annot=True, fmt="d", cmap="Blues", xlabel="predicted",
        ylabel="true", title="confusion matrix", **options)
    writer.add_colormapped_image(
        image(TAGS[2]), pictures.attention(step), step, aspect="auto", xticklabels=TOKENS,
        yticklabels=[f"head {i}" for i in range(12)], title="[CLS] attention",
        label="weight", **options)
    writer.add_colormapped_image(
        image(TAGS[3]), pictures.saliency(step), step, background=pictures.photo,
        aspect=pictures.photo.shape[0] / pictures.photo.shape[1], alpha=0.5, cmap="jet",
        vmin=0.0, vmax=1.0, title="Grad-CAM over the input", xticklabels=False,
        yticklabels=False, **options)
