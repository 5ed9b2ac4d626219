"""The PNG encoder comparison: the library's encoder (both deflate back ends)
against other deflate levels, other row filters and Pillow, on the pictures the
library writes. The alternatives differ from the library's encoder on purpose;
the PNG container around them is the library's own (``figwriter._png``)."""

from __future__ import annotations

import io
import math
import statistics
import time
import zlib
from collections.abc import Sequence
from typing import Any, Callable

import numpy as np

from figwriter import _png


def _filtered(rgb: np.ndarray, how: str) -> bytes:
    """PNG scanlines with one filter type for every row: "none", "sub" or "up"."""
    if how == "up":
        return _png._filtered_rows(rgb)  # the library's own filter
    h, w, c = rgb.shape
    rows = rgb.reshape(h, w * c)
    out = np.empty((h, w * c + 1), dtype=np.uint8)
    if how == "none":
        out[:, 0] = 0
        out[:, 1:] = rows
    else:  # sub
        out[:, 0] = 1
        out[:, 1:c + 1] = rows[:, :c]
        np.subtract(rows[:, c:], rows[:, :-c], out=out[:, c + 1:])
    return out.tobytes()


def _png_variant(compress: Callable[[bytes], bytes], how: str) -> Callable[[np.ndarray], bytes]:
    def encode(rgb: np.ndarray) -> bytes:
        h, w, c = rgb.shape
        return _png.assemble(w, h, c, compress(_filtered(rgb, how)))

    return encode

def _deflate(module: Any, level: int) -> Callable[[bytes], bytes]:
    def compress(data: bytes) -> bytes:
        return bytes(module.compress(data, level))

    return compress


def _pillow_png(rgb: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG")
    return buf.getvalue()


def _encoders() -> dict[str, Callable[[np.ndarray], bytes]]:
    """Encoder name -> function; the first is the library's default."""
    out: dict[str, Callable[[np.ndarray], bytes]] = {}
    available = _png.available_backends()
    try:
        from isal import isal_zlib
    except ImportError:
        isal_zlib = None  # type: ignore[assignment]
    if "isal" in available:
        out["figwriter isal (level 1, Up)"] = lambda rgb: _png.encode_png(rgb, backend="isal")
    out["figwriter zlib (level 6, Up)"] = lambda rgb: _png.encode_png(rgb, backend="zlib")
    if isal_zlib is not None:
        for level in (0, 2, 3):
            out[f"isal level {level}, Up"] = _png_variant(_deflate(isal_zlib, level), "up")
        for how in ("none", "sub"):
            out[f"isal level 1, {how.capitalize()}"] = _png_variant(_deflate(isal_zlib, 1), how)
    out["zlib level 1, Up"] = _png_variant(_deflate(zlib, 1), "up")
    out["Pillow default (what add_image uses)"] = _pillow_png
    return out


def run_encoders(pictures: dict[str, np.ndarray], rounds: int,
                  rng: np.random.Generator) -> dict[str, Any]:
    """Time every encoder on every picture, interleaved; check Pillow decodes each."""
    from PIL import Image

    encoders = _encoders()
    times: dict[tuple[str, str], list[float]] = {}
    sizes: dict[tuple[str, str], int] = {}
    pairs = [(e, p) for e in encoders for p in pictures]
    for e, p in pairs:  # warm-up, size and a decode check
        png = encoders[e](pictures[p])
        decoded = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
        if not np.array_equal(decoded, pictures[p]):
            raise RuntimeError(f"encoder {e!r} did not round-trip picture {p!r}")
        sizes[e, p] = len(png)
        times[e, p] = []
    for _ in range(rounds):
        for i in rng.permutation(len(pairs)):
            e, p = pairs[int(i)]
            t0 = time.perf_counter()
            encoders[e](pictures[p])
            times[e, p].append(time.perf_counter() - t0)
    default = next(iter(encoders))
    rows = []
    for e in encoders:
        cells = {
            p: {"median_ms": 1e3 * statistics.median(times[e, p]), "png_bytes": sizes[e, p]}
            for p in pictures
        }
        rel_time = geomean([statistics.median(times[e, p])
                             / statistics.median(times[default, p]) for p in pictures])
        rel_size = geomean([sizes[e, p] / sizes[default, p] for p in pictures])
        rows.append({"encoder": e, "pictures": cells, "time_vs_default": rel_time,
                     "bytes_vs_default": rel_size})
    return {
        "rounds": rounds,
        "default": default,
        "pictures": {p: f"{a.shape[1]}x{a.shape[0]}" for p, a in pictures.items()},
        "rows": rows,
    }


def geomean(values: Sequence[float]) -> float:
    return float(math.exp(sum(math.log(v) for v in values) / len(values)))

