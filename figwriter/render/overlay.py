"""What both back ends draw over or under the cells: annotations, a background, tick
labels thinned to fit.

* **Annotations** (:func:`annotation_text`, :func:`dark_text`): each cell's
  string is ``("{:" + fmt + "}").format(value)`` and its colour is seaborn's
  choice: dark grey ``".15"`` on cells whose relative luminance exceeds 0.408,
  white on the others. Cells too small for their text get none, and the writer
  warns once per tag (:func:`warn_small_cells`).
* **Background** (:func:`background_rgb`, :func:`resample`, :func:`blend`): the
  colour-mapped cells are blended over an image resampled to the data block
  (Pillow's bilinear filter):
  ``out = floor(a * cell + (1 - a) * background + 0.5)`` per channel, where
  ``cell`` is the RGB of ``cmap(norm(value), bytes=True)`` and
  ``a = alpha * cell_alpha / 255`` (the colormap's own alpha: 0 for its
  transparent bad colour, so bad cells show the background).
* **Tick labels** (:func:`label_step`): one label per row or column, thinned as
  seaborn's ``heatmap(xticklabels="auto")`` thins them.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Any

import numpy as np

from .._cache import BoundedCache

__all__ = [
    "AnnotationWarning",
    "Warned",
    "warn_small_cells",
    "annotation_text",
    "dark_text",
    "ANNOT_DARK",
    "ANNOT_LIGHT",
    "INTEGER_TYPES",
    "background_rgb",
    "resample",
    "blend",
    "label_step",
]

#: seaborn's annotation colours: ".15" on light cells, "w" on dark ones
ANNOT_DARK = (38, 38, 38)
ANNOT_LIGHT = (255, 255, 255)
#: seaborn's threshold on the cell colour's relative luminance
ANNOT_LUMINANCE = 0.408


class AnnotationWarning(UserWarning):
    """Some cells were too small for their annotation and were left without it."""


class Warned:
    """The tags a writer has warned about already (one annotation warning per tag)."""

    def __init__(self) -> None:
        self._tags: set[Hashable] = set()
        self._lock = threading.Lock()

    def __reduce__(self) -> tuple[Any, ...]:
        # sent to a process-mode worker with each job: there it is the worker's own
        # record, kept across its jobs (a worker serves one writer, a tag one worker)
        with self._lock:
            return _process_record, (set(self._tags),)

    def first(self, key: Hashable) -> bool:
        """True the first time ``key`` is seen."""
        with self._lock:
            if key in self._tags:
                return False
            self._tags.add(key)
            return True


_PROCESS_RECORD: list[Warned] = []


def _process_record(tags: set[Hashable]) -> Warned:
    """This process's record of tags warned about, with ``tags`` added (see
    ``Warned.__reduce__``)."""
    if not _PROCESS_RECORD:
        _PROCESS_RECORD.append(Warned())
    record = _PROCESS_RECORD[0]
    with record._lock:
        record._tags |= tags
    return record


def warn_small_cells(warned: Warned | None, key: Hashable, skipped: int, cell: str) -> None:
    """Warn that ``skipped`` cells got no annotation: once per tag of a writer
    (``warned``), or at every call when there is no writer."""
    if warned is not None and not warned.first(key):
        return
    import warnings

    where = f"{key[0]!r} (panel {key[1]})" if isinstance(key, tuple) and len(key) == 2 \
        else repr(key)
    warnings.warn(
        f"annot: {skipped} cells of {where} are too small for their text ({cell} pixels) "
        "and have none; pass fewer cells, a larger max_size or a shorter fmt "
        "(warned once per tag)",
        AnnotationWarning, stacklevel=4,
    )


# -- annotations -------------------------------------------------------------------------------


INTEGER_TYPES = ("b", "c", "d", "o", "x", "X")


def annotation_text(value: Any, fmt: str) -> str:
    """The annotation seaborn's ``heatmap`` writes for ``value``.

    >>> annotation_text(3.14159, ".2g"), annotation_text(7, "d")
    ('3.1', '7')
    """
    if (isinstance(value, (float, np.floating)) and fmt[-1:] in INTEGER_TYPES
            and float(value).is_integer()):
        value = int(value)  # integers arrive as floats; "d" formats them as given
    return ("{:" + fmt + "}").format(value)


def dark_text(rgba: np.ndarray) -> np.ndarray:
    """Whether seaborn writes dark text on cells of these colours (floats 0..1).

    ``rgba`` is (..., 3) or (..., 4) float; True where the W3C relative
    luminance exceeds 0.408.
    """
    rgb = np.asarray(rgba, dtype=float)[..., :3]
    linear = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return np.asarray(linear @ np.array([0.2126, 0.7152, 0.0722]) > ANNOT_LUMINANCE)


# -- background ---------------------------------------------------------------------------------


def background_rgb(image: np.ndarray) -> np.ndarray:
    """A background image as (H, W, 3) uint8.

    uint8 is taken as is; bool as black/white; other integers must lie in
    0..255; floats are intensities in 0..1 (clipped, NaN black), rounded.
    Grey (H, W) images are repeated over the three channels.
    """
    a = np.asarray(image)
    if a.dtype.kind == "b":
        a = a.astype(np.uint8) * 255
    elif a.dtype.kind == "f":
        a = np.floor(np.clip(np.nan_to_num(a.astype(np.float64)), 0.0, 1.0) * 255.0 + 0.5)
        a = a.astype(np.uint8)
    elif a.dtype != np.uint8:
        a = a.astype(np.uint8)
    if a.ndim == 2:
        a = np.repeat(a[:, :, None], 3, axis=2)
    return np.ascontiguousarray(a)


#: Pillow first shrinks by whole factors with a box filter while the image stays
#: at least this many times the target size (a fast, antialiased reduction)
REDUCING_GAP = 2.0


#: resampled backgrounds by content digest and size: a run that logs a heat map
#: over the same validation image every step resamples it once
_RESAMPLED: BoundedCache[np.ndarray] = BoundedCache("render.overlay.resampled", 8)
#: blend tables by alpha
_BLEND_TABLES: BoundedCache[np.ndarray] = BoundedCache("render.overlay.blend_tables", 16)


def resample(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """An (H, W, 3) uint8 image resized to ``height x width``:
    ``PIL.Image.resize(..., BILINEAR, reducing_gap=2.0)`` (cached by content)."""
    if image.shape[:2] == (height, width):
        return image
    import hashlib

    key = (hashlib.blake2b(np.ascontiguousarray(image).data, digest_size=16).digest(),
           image.shape, height, width)
    hit = _RESAMPLED.get(key)
    if hit is not None:
        return hit
    out = _resample(image, height, width)
    out.flags.writeable = False
    return _RESAMPLED.put(key, out)


def _resample(image: np.ndarray, height: int, width: int) -> np.ndarray:
    from PIL import Image

    resized = Image.fromarray(image, "RGB").resize((width, height), Image.Resampling.BILINEAR,
                                                   reducing_gap=REDUCING_GAP)
    return np.asarray(resized)


def _blend_table(a: float) -> np.ndarray:
    """``floor(a * c + (1 - a) * b + 0.5)`` for every byte pair, as [c * 256 + b]."""
    table = _BLEND_TABLES.get(a)
    if table is None:
        c = np.arange(256, dtype=np.float64)[:, None]
        b = np.arange(256, dtype=np.float64)[None, :]
        table = np.floor(a * c + (1.0 - a) * b + 0.5).astype(np.uint8).ravel()
        table.flags.writeable = False
        table = _BLEND_TABLES.put(a, table)
    return table


def blend(cells: np.ndarray, cell_alpha: np.ndarray, background: np.ndarray,
          alpha: float) -> np.ndarray:
    """``floor(a * cells + (1 - a) * background + 0.5)``, ``a = alpha * cell_alpha``.

    ``cells`` and ``background`` are (H, W, 3) uint8, ``cell_alpha`` (H, W)
    floats in 0..1 (the colormap's alpha of each pixel's colour). Opaque
    colours go through a table of the formula's 65,536 results; others are
    computed in float64.
    """
    index = cells.astype(np.uint16)
    index <<= 8
    index += background
    out = _blend_table(float(alpha)).take(index)
    partial = cell_alpha != 1.0
    if partial.any():
        a = float(alpha) * cell_alpha[partial][:, None]
        mixed = a * cells[partial] + (1.0 - a) * background[partial]
        out[partial] = np.floor(mixed + 0.5).astype(np.uint8)
    return out


# -- tick labels ----------------------------------------------------------------------------------


def label_step(n_labels: int, length_px: float, font_size: float, dpi: float = 100.0) -> int:
    """Show every n-th label, as seaborn's ``heatmap(xticklabels="auto")`` thins them.

    0 when not even one label fits.

    >>> label_step(10, 400, 10.0), label_step(100, 400, 10.0)
    (1, 4)
    """
    max_ticks = int((length_px / dpi) // (font_size / 72.0))
    if max_ticks < 1:
        return 0
    return n_labels // max_ticks + 1
