"""Encode: RGB/RGBA uint8 pixels to PNG bytes, once, in memory.

A minimal PNG writer (signature, IHDR, one IDAT, IEND) with the "Up" row
filter computed in numpy, and a zlib-compatible deflate: ISA-L's (the ``isal``
package) where installed, which is several times faster than stdlib zlib at a
similar size, and stdlib ``zlib`` otherwise. No ancillary chunks are written,
so the bytes depend on the pixels alone (deterministic output).

ISA-L compressions run one at a time in a process. ``isal_zlib.compress``
releases the GIL, and while several ran at once (writers on several threads)
the same scanlines occasionally came out as a different, equally valid deflate
stream: the same pixels in other bytes. In ``tests/test_concurrency.py`` that
happened in 4 of 21 runs; with compressions one at a time, in none of 18. The
GIL stays released while one compresses, so the caller's other threads run on.
"""

from __future__ import annotations

import os
import struct
import threading
import zlib
from typing import Callable, Literal

import numpy as np

__all__ = ["encode_png", "assemble", "available_backends", "DEFAULT_BACKEND"]

Backend = Literal["isal", "zlib"]

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_COLOR_TYPE = {1: 0, 2: 4, 3: 2, 4: 6}  # channels -> PNG colour type

try:  # pragma: no branch - depends on the environment
    from isal import isal_zlib as _isal_zlib
except ImportError:  # pragma: no cover - exercised by forcing backend="zlib"
    _isal_zlib = None  # type: ignore[assignment]

#: ISA-L level 1 and zlib level 6 give similar sizes on our pictures; ISA-L is
#: several times faster (see ``python benchmarks/run.py``).
_COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    "zlib": lambda data: zlib.compress(data, 6),
}
if _isal_zlib is not None:
    _ISAL_LOCK = threading.Lock()

    def _isal_compress(data: bytes) -> bytes:
        with _ISAL_LOCK:  # one at a time: see the module notes
            return _isal_zlib.compress(data, 1)

    _COMPRESSORS["isal"] = _isal_compress

    def _new_lock_after_fork() -> None:  # another thread may have held it at the fork
        global _ISAL_LOCK
        _ISAL_LOCK = threading.Lock()

    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_new_lock_after_fork)

DEFAULT_BACKEND: Backend = "isal" if "isal" in _COMPRESSORS else "zlib"


def available_backends() -> tuple[str, ...]:
    """The deflate back ends usable here, fastest first."""
    return tuple(b for b in ("isal", "zlib") if b in _COMPRESSORS)


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(payload, zlib.crc32(kind)) & 0xFFFFFFFF)
    )


def _filtered_rows(pixels: np.ndarray) -> bytes:
    """Scanlines with the PNG "Up" filter: each row minus the one above, mod 256.

    Row 0 uses filter type 0 (None). Colour-mapped pictures are made of blocks of
    identical rows, which "Up" turns into runs of zeros that deflate to almost
    nothing.
    """
    h = pixels.shape[0]
    rows = pixels.reshape(h, -1)
    out = np.empty((h, rows.shape[1] + 1), dtype=np.uint8)
    out[0, 0] = 0
    out[0, 1:] = rows[0]
    if h > 1:
        out[1:, 0] = 2
        np.subtract(rows[1:], rows[:-1], out=out[1:, 1:])  # uint8 wraps: mod 256
    return out.tobytes()


def encode_png(pixels: np.ndarray, *, backend: Backend | None = None) -> bytes:
    """Encode an (H, W), (H, W, 1|2|3|4) uint8 array as a PNG.

    Parameters
    ----------
    pixels
        Grey, grey+alpha, RGB or RGBA, uint8, any memory layout.
    backend
        ``"isal"`` or ``"zlib"``; default: the fastest installed.

    Examples
    --------
    >>> png = encode_png(np.zeros((2, 3, 3), np.uint8))
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    if not isinstance(pixels, np.ndarray) or pixels.dtype != np.uint8:
        raise TypeError(
            f"pixels must be a uint8 numpy array; got {getattr(pixels, 'dtype', type(pixels))}"
        )
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    if pixels.ndim != 3 or pixels.shape[2] not in _COLOR_TYPE:
        raise ValueError(
            f"pixels must have shape (H, W) or (H, W, C) with C in 1..4; got {pixels.shape}"
        )
    h, w, c = pixels.shape
    if h == 0 or w == 0:
        raise ValueError(f"pixels must not be empty; got shape {pixels.shape}")
    name = DEFAULT_BACKEND if backend is None else backend
    try:
        compress = _COMPRESSORS[name]
    except KeyError:
        if name == "isal":
            raise ImportError(
                "the isal PNG back end is not installed; use pip install isal"
            ) from None
        raise ValueError(
            f"backend must be one of {available_backends()}; got {backend!r}"
        ) from None
    return assemble(w, h, c, compress(_filtered_rows(np.ascontiguousarray(pixels))))


def assemble(width: int, height: int, channels: int, idat: bytes) -> bytes:
    """The PNG file around compressed scanlines: signature, IHDR, one IDAT, IEND.

    ``idat`` is the zlib stream of the filtered rows (8 bits per sample).
    """
    ihdr = struct.pack(">IIBBBBB", width, height, 8, _COLOR_TYPE[channels], 0, 0, 0)
    return _SIGNATURE + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
