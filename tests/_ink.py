"""Find text and marks in a picture by their pixels, and draw the same text with matplotlib.

A colour-mapped picture (either renderer, a colormap without greys such as
viridis) is white background, coloured cells and bar, and black or grey text,
frames and tick marks. These helpers locate the image and the colour bar by
their colours, tick marks and text by their ink, so tests can check where text
is without knowing how a renderer lays the picture out.
"""

from __future__ import annotations

import numpy as np

#: both renderers draw text as a 100-dpi matplotlib figure does
TEXT_DPI = 100.0


def grey_ink(rgb: np.ndarray, level: int = 160) -> np.ndarray:
    """Pixels of black text or lines: grey (no hue) and darker than ``level``."""
    a = rgb.astype(np.int16)
    hi, lo = a.max(axis=2), a.min(axis=2)
    return (hi - lo <= 12) & (hi < level)


def coloured(rgb: np.ndarray) -> np.ndarray:
    """Pixels with a clear hue (viridis cells and bar; never text)."""
    a = rgb.astype(np.int16)
    return a.max(axis=2) - a.min(axis=2) > 40


def darkness(rgb: np.ndarray) -> np.ndarray:
    """0 for white to 255 for black, per pixel."""
    return 255.0 - rgb.astype(np.float64).mean(axis=2)


def runs(mask: np.ndarray, gap: int = 1) -> list[tuple[int, int]]:
    """``(start, stop)`` of each run of True in a 1-D mask; runs closer than ``gap``
    empty places are merged."""
    idx = np.flatnonzero(mask)
    if not idx.size:
        return []
    cut = np.flatnonzero(np.diff(idx) > gap)
    starts = np.r_[idx[0], idx[cut + 1]]
    stops = np.r_[idx[cut], idx[-1]] + 1
    return list(zip(starts.tolist(), stops.tolist()))


class Box(tuple):
    """An ink box ``(y0, y1, x0, x1)``, stops exclusive."""

    @property
    def centre(self) -> tuple[float, float]:
        y0, y1, x0, x1 = self
        return (y0 + y1 - 1) / 2.0, (x0 + x1 - 1) / 2.0

    @property
    def height(self) -> int:
        return int(self[1] - self[0])

    @property
    def width(self) -> int:
        return int(self[3] - self[2])


def ink_box(mask: np.ndarray) -> Box:
    """The bounding box of the True pixels of a 2-D mask."""
    ys, xs = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    assert ys.size and xs.size, "no ink where text was expected"
    return Box((int(ys[0]), int(ys[-1]) + 1, int(xs[0]), int(xs[-1]) + 1))


class Picture:
    """A single colour-mapped picture: where its image, bar, marks and text are."""

    def __init__(self, rgb: np.ndarray) -> None:
        self.rgb = rgb
        self.ink = grey_ink(rgb)
        self.dark = darkness(rgb)
        hue = coloured(rgb)
        spans = runs(hue.any(axis=0))
        assert len(spans) >= 2, f"expected an image and a colour bar; coloured columns {spans}"
        (ix0, ix1), (bx0, bx1) = spans[0], spans[-1]
        (iy0, iy1), = runs(hue[:, (ix0 + ix1) // 2])
        (by0, by1), = runs(hue[:, (bx0 + bx1) // 2])
        #: the image's and the bar's coloured pixels, (y0, y1, x0, x1)
        self.image = Box((iy0, iy1, ix0, ix1))
        self.bar = Box((by0, by1, bx0, bx1))

    # -- tick marks: short dark lines just outside a frame ---------------------------
    def _marks(self, column: int, rows: Box) -> list[float]:
        """Rows of the tick marks crossing ``column`` beside ``rows``' rows
        (darkness-weighted centres)."""
        out = []
        top, bottom = rows[0] - 2, rows[1] + 2
        for y0, y1 in runs(self.ink[top:bottom, column]):
            y0, y1 = y0 + top, y1 + top
            w = self.dark[y0:y1, column]
            out.append(float((np.arange(y0, y1) * w).sum() / w.sum()))
        return out

    def bar_ticks(self) -> list[float]:
        """Rows of the colour bar's tick marks (right of its outline)."""
        return self._marks(self.bar[3] + 3, self.bar)

    def y_ticks(self) -> list[float]:
        """Rows of the image's row ticks (left of its frame)."""
        return self._marks(self.image[2] - 4, self.image)

    # -- text -------------------------------------------------------------------------
    def _columns_of_text(self, x0: int, x1: int) -> list[tuple[int, int]]:
        """Runs of inked columns between x0 and x1 (gaps under 3 px merged)."""
        spans = runs(self.ink[:, x0:x1].any(axis=0), gap=3)
        return [(x0 + a, x0 + b) for a, b in spans]

    def bar_tick_labels(self) -> list[Box]:
        """Ink boxes of the colour bar's tick labels, top to bottom."""
        start = self.bar[3] + 7  # past the outline and the tick marks
        (x0, x1), *_ = self._columns_of_text(start, self.rgb.shape[1])
        return self._label_boxes(x0, x1)

    def y_tick_labels(self) -> list[Box]:
        """Ink boxes of the image's row tick labels, top to bottom."""
        *_, (x0, x1) = self._columns_of_text(0, self.image[2] - 7)
        return self._label_boxes(x0, x1)

    def _label_boxes(self, x0: int, x1: int) -> list[Box]:
        top, bottom = self.image[0] - 20, self.image[1] + 20
        boxes = []
        for y0, y1 in runs(self.ink[top:bottom, x0:x1].any(axis=1)):
            y0, y1 = y0 + top, y1 + top
            boxes.append(Box((y0, y1, *_span(self.ink[y0:y1, x0:x1].any(axis=0), x0))))
        return boxes

    def bar_label(self) -> Box:
        """Ink box of the text right of the tick labels (the bar's label)."""
        spans = self._columns_of_text(self.bar[3] + 7, self.rgb.shape[1])
        assert len(spans) >= 2, f"expected tick labels and a bar label; ink columns {spans}"
        x0, x1 = spans[-1]
        y0, y1 = _span(self.ink[:, x0:x1].any(axis=1), 0)
        return Box((y0, y1, x0, x1))

    def title(self) -> Box:
        """Ink box of the text above the image's frame, within a few pixels of the
        image's columns (clear of the tick labels beside the image and the bar)."""
        y0, _, x0, x1 = self.image
        x0, x1 = max(0, x0 - 10), x1 + 12
        box = ink_box(self.ink[: y0 - 1, x0:x1])
        return Box((box[0], box[1], box[2] + x0, box[3] + x0))


def _span(mask: np.ndarray, offset: int) -> tuple[int, int]:
    idx = np.flatnonzero(mask)
    return offset + int(idx[0]), offset + int(idx[-1]) + 1


def matplotlib_text(s: str, size: float, rotation: int = 0,
                    dpi: float = TEXT_DPI) -> np.ndarray:
    """``s`` as matplotlib's Agg draws it at ``size`` points: RGB, cropped to its ink
    box (as :func:`grey_ink` sees it) with a 2-pixel margin."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 8), dpi=dpi)
    canvas = FigureCanvasAgg(fig)
    fig.text(0.5, 0.5, s, fontsize=size, rotation=rotation, ha="center", va="center")
    canvas.draw()
    rgb = np.asarray(canvas.buffer_rgba())[:, :, :3]
    return np.ascontiguousarray(text_crop(rgb, ink_box(grey_ink(rgb))))


def text_crop(rgb: np.ndarray, box: Box) -> np.ndarray:
    """The pixels of an ink box with a 2-pixel margin."""
    y0, y1, x0, x1 = box
    return rgb[max(0, y0 - 2):y1 + 2, max(0, x0 - 2):x1 + 2]


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Normalised correlation of two text crops' darkness, centres aligned, each
    blurred by a 3x3 box so that one-pixel differences in glyph placement count
    little. 1.0 for the same ink; near 0 for unrelated ink."""
    da, db = _blur(darkness(a)), _blur(darkness(b))
    h, w = max(da.shape[0], db.shape[0]), max(da.shape[1], db.shape[1])
    pa, pb = _centred(da, h, w), _centred(db, h, w)
    pa, pb = pa - pa.mean(), pb - pb.mean()
    return float((pa * pb).sum() / np.sqrt((pa * pa).sum() * (pb * pb).sum()))


def _blur(d: np.ndarray) -> np.ndarray:
    p = np.pad(d, 1)
    return sum(p[i:i + d.shape[0], j:j + d.shape[1]] for i in range(3) for j in range(3)) / 9.0


def _centred(d: np.ndarray, h: int, w: int) -> np.ndarray:
    out = np.zeros((h, w))
    y, x = (h - d.shape[0]) // 2, (w - d.shape[1]) // 2
    out[y:y + d.shape[0], x:x + d.shape[1]] = d
    return out
