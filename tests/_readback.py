"""Read an event directory back with tensorboard's own reader and Pillow."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np


@dataclass
class ImageEvent:
    tag: str
    step: int
    wall_time: float
    width: int
    height: int
    png: bytes

    @property
    def pixels(self) -> np.ndarray:
        """Decoded pixels, (H, W, C) uint8."""
        from PIL import Image

        with Image.open(io.BytesIO(self.png)) as im:
            assert im.format == "PNG"
            return np.asarray(im.convert("RGB") if im.mode not in ("RGB", "RGBA") else im)


def _accumulator(logdir: str):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(logdir), size_guidance={"images": 0, "scalars": 0})
    acc.Reload()
    return acc


def read_images(logdir: str) -> dict[str, list[ImageEvent]]:
    """Every image event in ``logdir``, by tag, in file order."""
    acc = _accumulator(logdir)
    out: dict[str, list[ImageEvent]] = {}
    for tag in acc.Tags()["images"]:
        out[tag] = [
            ImageEvent(tag, e.step, e.wall_time, e.width, e.height, e.encoded_image_string)
            for e in acc.Images(tag)
        ]
    return out


def read_scalars(logdir: str) -> dict[str, list[tuple[int, float, float]]]:
    """Every scalar event in ``logdir``: tag -> [(step, wall_time, value)]."""
    acc = _accumulator(logdir)
    return {
        tag: [(e.step, e.wall_time, e.value) for e in acc.Scalars(tag)]
        for tag in acc.Tags()["scalars"]
    }


def read_image_protos(logdir: str) -> list[tuple[str, int, float, object]]:
    """Raw image summaries (tag, step, wall_time, ``Summary.Image`` proto) in file order.

    For fields ``EventAccumulator`` drops, such as ``colorspace``.
    """
    import glob
    import os

    from tensorboard.backend.event_processing.event_file_loader import LegacyEventFileLoader

    out = []
    for path in sorted(glob.glob(os.path.join(str(logdir), "events.out.tfevents.*"))):
        for event in LegacyEventFileLoader(path).Load():  # as written, not migrated
            for value in event.summary.value:
                if value.HasField("image"):
                    out.append((value.tag, event.step, event.wall_time, value.image))
    return out
