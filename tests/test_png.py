"""The encode stage: PNG bytes decoded by Pillow give back the exact pixels."""

from __future__ import annotations

import io
import os
import struct
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image

from figwriter import _png
from figwriter._png import DEFAULT_BACKEND, available_backends, encode_png

BACKENDS = available_backends()
MODES = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}
COLOUR_TYPES = {1: 0, 2: 4, 3: 2, 4: 6}


def _decode(png: bytes) -> tuple[str, np.ndarray]:
    with Image.open(io.BytesIO(png)) as im:
        assert im.format == "PNG"
        im.load()
        return im.mode, np.asarray(im)


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """(type, payload) of every chunk, checking lengths and CRCs on the way."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, out = 8, []
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos:pos + 4])
        kind = png[pos + 4:pos + 8]
        payload = png[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", png[pos + 8 + length:pos + 12 + length])
        assert crc == zlib.crc32(kind + payload) & 0xFFFFFFFF, kind
        out.append((kind, payload))
        pos += 12 + length
    assert pos == len(png)
    return out


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


def test_backends():
    assert "zlib" in BACKENDS
    assert set(BACKENDS) <= {"isal", "zlib"}
    assert DEFAULT_BACKEND == BACKENDS[0]
    try:
        import isal  # noqa: F401
    except ImportError:
        assert BACKENDS == ("zlib",)
    else:
        assert BACKENDS == ("isal", "zlib")


@pytest.mark.parametrize("channels", [1, 2, 3, 4])
@pytest.mark.parametrize("shape", [(1, 1), (7, 13), (13, 7), (1, 17), (17, 1), (64, 64)])
def test_round_trip_pixel_exact(rng, backend, channels, shape):
    pixels = rng.integers(0, 256, size=(*shape, channels), dtype=np.uint8)
    mode, decoded = _decode(encode_png(pixels, backend=backend))
    assert mode == MODES[channels]
    np.testing.assert_array_equal(decoded.reshape(pixels.shape), pixels)


def test_two_dimensional_input_is_grey(rng, backend):
    pixels = rng.integers(0, 256, size=(5, 9), dtype=np.uint8)
    png = encode_png(pixels, backend=backend)
    mode, decoded = _decode(png)
    assert mode == "L"
    np.testing.assert_array_equal(decoded, pixels)
    assert png == encode_png(pixels[:, :, None], backend=backend)


def test_extreme_values_and_row_differences_wrap(backend):
    # every row differs from the one above by large steps both ways ("Up" filter mod 256)
    pixels = np.zeros((6, 5, 3), np.uint8)
    pixels[1::2] = 255
    pixels[:, ::2, 1] = 1
    pixels[4, 2] = (0, 128, 255)
    np.testing.assert_array_equal(_decode(encode_png(pixels, backend=backend))[1], pixels)


def test_large_picture(rng, backend):
    pixels = rng.integers(0, 256, size=(300, 517, 3), dtype=np.uint8)
    pixels[100:200] = pixels[100]  # long runs of identical rows
    np.testing.assert_array_equal(_decode(encode_png(pixels, backend=backend))[1], pixels)


def test_any_memory_layout(rng, backend):
    base = rng.integers(0, 256, size=(20, 30, 4), dtype=np.uint8)
    views = [
        np.asfortranarray(base),
        base[::2, 1::3],
        base[::-1, ::-1],
        base[:, :, :3],  # a non-contiguous RGB view of RGBA
        base.transpose(1, 0, 2),
    ]
    for view in views:
        png = encode_png(view, backend=backend)
        np.testing.assert_array_equal(_decode(png)[1], view)
        assert png == encode_png(np.ascontiguousarray(view), backend=backend)


def test_input_is_not_modified(rng):
    pixels = rng.integers(0, 256, size=(8, 8, 3), dtype=np.uint8)
    before = pixels.copy()
    encode_png(pixels)
    np.testing.assert_array_equal(pixels, before)


def test_deterministic_bytes(rng, backend):
    pixels = rng.integers(0, 256, size=(31, 17, 3), dtype=np.uint8)
    assert encode_png(pixels, backend=backend) == encode_png(pixels.copy(), backend=backend)


def test_backends_agree_on_pixels(rng):
    pixels = rng.integers(0, 4, size=(40, 50, 3), dtype=np.uint8)
    decoded = {b: _decode(encode_png(pixels, backend=b))[1] for b in BACKENDS}
    for d in decoded.values():
        np.testing.assert_array_equal(d, pixels)
    assert encode_png(pixels) == encode_png(pixels, backend=DEFAULT_BACKEND)


@pytest.mark.parametrize("channels", [1, 2, 3, 4])
def test_only_critical_chunks_and_a_correct_header(rng, backend, channels):
    pixels = rng.integers(0, 256, size=(11, 23, channels), dtype=np.uint8)
    chunks = _chunks(encode_png(pixels, backend=backend))
    assert [kind for kind, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(
        ">IIBBBBB", chunks[0][1]
    )
    assert (width, height) == (23, 11)
    assert (depth, colour) == (8, COLOUR_TYPES[channels])
    assert (compression, filtering, interlace) == (0, 0, 0)
    assert chunks[2][1] == b""
    # the image data is one zlib stream of height rows, each a filter byte plus the row
    raw = zlib.decompress(chunks[1][1])
    assert len(raw) == 11 * (1 + 23 * channels)
    assert {raw[i * (1 + 23 * channels)] for i in range(11)} <= {0, 1, 2, 3, 4}


def test_identical_rows_compress_to_almost_nothing(backend):
    pixels = np.tile(np.arange(256, dtype=np.uint8)[None, :, None], (512, 1, 3))
    assert len(encode_png(pixels, backend=backend)) < pixels.nbytes / 100


@pytest.mark.parametrize(
    ("pixels", "match"),
    [
        (np.zeros((2, 2, 3), np.float32), r"pixels must be a uint8 numpy array; got float32"),
        (np.zeros((2, 2, 3), np.int64), r"pixels must be a uint8 numpy array; got int64"),
        (np.zeros((2, 2, 3), np.uint16), r"got uint16"),
        (np.zeros((2, 2), bool), r"got bool"),
        ([[0, 1], [2, 3]], r"pixels must be a uint8 numpy array; got <class 'list'>"),
        (b"\x00\x01", r"got <class 'bytes'>"),
    ],
)
def test_wrong_types(pixels, match):
    with pytest.raises(TypeError, match=match):
        encode_png(pixels)


@pytest.mark.parametrize(
    ("shape", "match"),
    [
        ((4,), r"pixels must have shape \(H, W\) or \(H, W, C\) with C in 1..4; got \(4,\)"),
        ((2, 2, 5), r"with C in 1..4; got \(2, 2, 5\)"),
        ((2, 2, 0), r"with C in 1..4; got \(2, 2, 0\)"),
        ((1, 2, 2, 3), r"got \(1, 2, 2, 3\)"),
        ((0, 3, 3), r"pixels must not be empty; got shape \(0, 3, 3\)"),
        ((3, 0), r"pixels must not be empty; got shape \(3, 0, 1\)"),
    ],
)
def test_wrong_shapes(shape, match):
    with pytest.raises(ValueError, match=match):
        encode_png(np.zeros(shape, np.uint8))


def test_unknown_backend():
    with pytest.raises(ValueError, match=r"backend must be one of \(.*'zlib'\); got 'gzip'"):
        encode_png(np.zeros((2, 2), np.uint8), backend="gzip")  # type: ignore[arg-type]


def test_missing_isal_backend_says_how_to_install(monkeypatch):
    monkeypatch.delitem(_png._COMPRESSORS, "isal", raising=False)
    with pytest.raises(ImportError, match=r"^the isal PNG back end is not installed; "
                                          r"use pip install isal$"):
        encode_png(np.zeros((2, 2), np.uint8), backend="isal")
    # the zlib back end still works
    assert _decode(encode_png(np.full((2, 2), 7, np.uint8), backend="zlib"))[1].tolist() == [
        [7, 7], [7, 7]
    ]


@settings(max_examples=50, deadline=None)
@given(
    pixels=hnp.arrays(
        np.uint8,
        st.tuples(st.integers(1, 9), st.integers(1, 9), st.sampled_from([1, 2, 3, 4])),
    ),
    backend=st.sampled_from(BACKENDS),
)
def test_any_pixels_round_trip(pixels, backend):
    np.testing.assert_array_equal(
        _decode(encode_png(pixels, backend=backend))[1].reshape(pixels.shape), pixels
    )


@pytest.mark.skipif(not hasattr(os, "fork") or "isal" not in available_backends(),
                    reason="fork is POSIX's; the lock guards the isal back end")
# JAX (once another test used it) and Python 3.12+ warn of any fork: forking is the point
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
@pytest.mark.filterwarnings("ignore:os.fork\\(\\) was called:RuntimeWarning")
def test_a_child_forked_while_another_thread_encodes_can_encode():
    """ISA-L compressions run one at a time; a fork in the middle of one must not
    leave the child's lock held (its first picture would wait forever)."""
    import time

    from figwriter import _png

    _png._ISAL_LOCK.acquire()  # as if another thread were compressing at the fork
    try:
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            png = encode_png(np.zeros((4, 4, 3), np.uint8))
            os._exit(0 if png.startswith(b"\x89PNG") else 1)
    finally:
        _png._ISAL_LOCK.release()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0
            return
        time.sleep(0.01)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    pytest.fail("the forked child's encode waited for a lock its parent held")
