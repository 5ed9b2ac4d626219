"""The cells stage (``figwriter.render.cells`` and ``.geometry``) against references of its own.

Cell geometry: the cell ratio against what ``imshow`` draws, and the pixels per
cell against cases worked by hand from the documented rule. Reductions: every
mode against a plain Python loop over the blocks, in the data's dtype, without
warnings, and without a widened copy of the data. The matrix-product row sums
also against a BLAS that adds to its output buffer.
"""

from __future__ import annotations

import tracemalloc
import warnings
from collections import Counter

import numpy as np
import pytest
from matplotlib.colors import BoundaryNorm, ListedColormap, NoNorm, Normalize
from matplotlib.figure import Figure

from figwriter import clear_caches
from figwriter.render import cells
from figwriter.render.cells import (
    Scratch,
    as_cells,
    default_reduce,
    readonly,
    reduce_blocks,
    reduce_cells,
    reduce_into,
)
from figwriter.render.geometry import AxisCells, cell_grid, cell_ratio

# -- cell geometry ---------------------------------------------------------------------------


def imshow_cell_ratio(shape, aspect, extent) -> float:
    """Height / width of one cell on screen, as matplotlib's ``imshow`` lays it out."""
    fig = Figure(figsize=(6, 6), dpi=100)
    ax = fig.add_axes((0.1, 0.1, 0.8, 0.8))
    ax.imshow(np.zeros(shape), aspect=aspect, extent=extent)
    ax.apply_aspect()
    box = ax.get_position()
    return (box.height / shape[0]) / (box.width / shape[1])


@pytest.mark.parametrize("shape", [(10, 20), (7, 3), (80, 1000)])
@pytest.mark.parametrize("aspect", ["equal", 0.5, 3.0])
@pytest.mark.parametrize("extent", [None, (0.0, 20.0, 0.0, 5.0), (-1.0, 4.0, 2.5, 10.0),
                                    (5.0, 0.0, 10.0, -2.0)])
def test_cell_ratio_is_the_ratio_imshow_draws(shape, aspect, extent):
    assert cell_ratio(shape, aspect, extent) == pytest.approx(
        imshow_cell_ratio(shape, aspect, extent), rel=1e-6)


def test_auto_aspect_has_no_cell_ratio():
    assert cell_ratio((10, 20), "auto", (0.0, 1.0, 0.0, 1.0)) is None


# Each case worked from the rule in cell_grid's docstring (maximum 512 pixels,
# long side enlarged to 256, at least 32 pixels for an axis of 32 cells or more).
GRIDS = [
    # square cells: one integer factor for both axes
    (((128, 128), "equal", {}), (128, 2, 1), (128, 2, 1)),      # ceil(256/128) = 2
    (((300, 300), "equal", {}), (300, 1, 1), (300, 1, 1)),      # long side already >= 256
    (((512, 512), "equal", {}), (512, 1, 1), (512, 1, 1)),      # fits exactly
    (((513, 513), "equal", {}), (513, 1, 2), (513, 1, 2)),      # ceil(513/512) = 2
    (((60, 60), "equal", {"max_size": 100}), (60, 1, 1), (60, 1, 1)),  # 2 would pass 100
    # "auto": each axis alone
    (((80, 1000), "auto", {}), (80, 4, 1), (1000, 1, 2)),
    # other ratios: the long side (rows * ratio vs columns) scaled, each axis rounded
    (((64, 64), 0.5, {}), (64, 2, 1), (64, 4, 1)),              # s = 4: 2.0 and 4.0
    (((64, 64), 0.45, {}), (64, 2, 1), (64, 4, 1)),             # s = 4: 1.8 rounds to 2
    (((300, 400), 0.9, {}), (300, 1, 1), (400, 1, 1)),          # s = 1: 0.9 nearer 1 than 1/2
    (((300, 100), 2.0, {}), (300, 1, 1), (100, 1, 2)),          # s = 512/600: 1.71 -> 1 fits
    (((96, 10000), 2.0, {}), (96, 1, 3), (10000, 1, 20)),       # rows held at 32 pixels
    (((1056, 40000), 2.0, {}), (1056, 1, 33), (40000, 1, 79)),  # 32 pixels of 33 cells
    (((64, 64), 0.4, {}), (64, 2, 1), (64, 5, 1)),              # 1.6 -> 2, then 2 / 0.4 = 5
    (((300, 90), 0.5, {}), (300, 1, 1), (90, 2, 1)),            # s = 256/150: 0.85 -> 1, 2
    (((1, 256), 0.9, {}), (1, 1, 1), (256, 1, 1)),              # s = 1: 0.9 and 1.1 -> 1
    (((1, 10), 0.05, {}), (1, 1, 1), (10, 20, 1)),              # 1.28 -> 1, then 1 / 0.05
    (((1, 300), 3.7, {"max_size": 100}), (1, 1, 1), (300, 1, 4)),  # 1/4 nearest 1/3.7
    # room for annotations: enlarged cells get min_cell pixels where max_size allows
    (((256, 256), "equal", {"min_cell": 2}), (256, 2, 1), (256, 2, 1)),
    (((10, 10), "equal", {"min_cell": 30}), (10, 30, 1), (10, 30, 1)),
    (((10, 20), "equal", {"min_cell": 30}), (10, 25, 1), (20, 25, 1)),  # square: 512 // 20
    (((10, 10), 0.5, {"min_cell": 30}), (10, 25, 1), (10, 50, 1)),  # 13 / 26 -> 25 / 50
    (((10, 40), "auto", {"min_cell": 30}), (10, 30, 1), (40, 12, 1)),  # each axis alone
    (((600, 10), "auto", {"min_cell": 30}), (600, 1, 2), (10, 30, 1)),
    (((600, 10), 0.5, {"min_cell": 30}), (600, 1, 2), (10, 1, 1)),  # reduced: left alone
    (((10, 600), 2.0, {"min_cell": 30}), (10, 1, 1), (600, 1, 2)),
    (((10, 20), "equal", {"extent": (0.0, 20.0, 0.0, 10.0), "min_cell": 30}),
     (10, 25, 1), (20, 25, 1)),                                 # square in data units too
    (((5, 5), "equal", {"min_cell": 30}), (5, 52, 1), (5, 52, 1)),  # already larger
]


@pytest.mark.parametrize(("call", "rows", "cols"), GRIDS)
def test_cell_grid_cases_worked_by_hand(call, rows, cols):
    shape, aspect, kwargs = call
    assert cell_grid(shape, aspect, **kwargs) == (AxisCells(*rows), AxisCells(*cols))


def test_cell_grid_defaults_are_those_of_a_picture():
    assert cell_grid((128, 128)) == cell_grid((128, 128), "equal", None, 512, 256, 1)
    assert cell_grid((513, 100)) == (AxisCells(513, 1, 2), AxisCells(100, 1, 2))
    assert cell_grid((256, 256)) == (AxisCells(256, 1, 1), AxisCells(256, 1, 1))


@pytest.mark.parametrize("shape", [(3, 4), (10, 10), (10, 37), (64, 200), (300, 90)])
@pytest.mark.parametrize("aspect", ["equal", 0.5, 2.0, 0.37])
@pytest.mark.parametrize("min_cell", [1, 30])
def test_drawn_cells_keep_imshows_ratio_as_closely_as_whole_pixels_allow(shape, aspect,
                                                                         min_cell):
    rows, cols = cell_grid(shape, aspect, min_cell=min_cell)
    assert rows.length <= 512 and cols.length <= 512
    wanted = imshow_cell_ratio(shape, aspect, None)
    drawn = (rows.up / rows.down) / (cols.up / cols.down)
    if rows.down == cols.down == 1:  # each side within half a pixel of its ideal
        assert abs(rows.up - cols.up * wanted) <= 0.5 + wanted / 2 + 1e-9
    else:
        assert 0.5 * wanted <= drawn <= 2 * wanted


# -- reductions against a loop over the blocks -------------------------------------------------


def blocks_of(data: np.ndarray, fy: int, fx: int):
    for i in range(0, data.shape[0], fy):
        for j in range(0, data.shape[1], fx):
            yield i // fy, j // fx, data[i:i + fy, j:j + fx].ravel().tolist()


def loop_reduce(data: np.ndarray, fy: int, fx: int, mode: str) -> np.ndarray:
    out = np.full((-(-data.shape[0] // fy), -(-data.shape[1] // fx)), np.nan)
    for i, j, block in blocks_of(data.astype(np.float64), fy, fx):
        finite = [v for v in block if np.isfinite(v)]
        if mode == "mean":
            out[i, j] = sum(block) / len(block) if len(finite) == len(block) else np.nan
        elif finite and mode in ("max", "min"):
            out[i, j] = max(finite) if mode == "max" else min(finite)
        elif finite:  # mode: the most frequent value, the smallest of those tied
            counts = Counter(finite)
            out[i, j] = min(v for v in counts if counts[v] == max(counts.values()))
    return out


def field(dtype, shape=(7, 11), seed=0) -> np.ndarray:
    data = np.random.default_rng(seed).integers(0, 4, shape).astype(dtype)
    data[1, 2], data[-2, -1], data[-1, 0] = np.nan, np.inf, -np.inf
    data[0:3, shape[1] // 2:shape[1] // 2 + 3] = np.nan  # a block with no finite cell
    return data


@pytest.mark.parametrize("mode", cells.REDUCE_MODES)
@pytest.mark.parametrize(("fy", "fx"), [(2, 1), (1, 3), (3, 2), (4, 4), (8, 12)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_reduce_blocks_is_the_loop_over_blocks(mode, fy, fx, dtype):
    data = field(dtype)
    out = reduce_blocks(data, fy, fx, mode)
    assert out.dtype == dtype
    np.testing.assert_allclose(out, loop_reduce(data, fy, fx, mode), rtol=1e-6)


def test_reduce_blocks_means_by_default_and_returns_one_by_one_unchanged():
    data = field(np.float64)
    np.testing.assert_array_equal(reduce_blocks(data, 2, 2), loop_reduce(data, 2, 2, "mean"))
    assert reduce_blocks(data, 1, 1) is data


@pytest.mark.parametrize(("factor", "shape"), [(2, (7, 11)), (3, (9, 9)), (4, (6, 5)),
                                               (8, (17, 40)), (12, (25, 13))])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_block_means_are_the_loop_over_blocks(factor, shape, dtype):
    data = field(dtype, shape, seed=factor)
    expected = loop_reduce(data, factor, factor, "mean")
    for out in (reduce_cells(data, factor), reduce_into(data, factor, Scratch())):
        assert out.dtype == dtype
        np.testing.assert_allclose(np.where(np.isfinite(out), out, np.nan), expected,
                                   rtol=1e-6)


def test_row_sums_are_right_with_a_blas_that_adds_to_its_output(monkeypatch):
    real = np.matmul

    def adds_to_its_output(a, b, out=None):
        if out is None:
            return real(a, b)
        out += real(a, b)
        return out

    assert cells._product_overwrites() is True
    monkeypatch.setattr(np, "matmul", adds_to_its_output)
    assert cells._product_overwrites() is False
    monkeypatch.setattr(cells, "_PRODUCT_OVERWRITES", False)
    data = field(np.float32, (16, 12))
    scratch = Scratch()
    scratch.get("row sums", (8, 12), np.float32).fill(7.0)  # what an earlier render left
    out = reduce_into(data, 2, scratch)  # bad cells may come back as +-inf
    np.testing.assert_allclose(np.where(np.isfinite(out), out, np.nan),
                               loop_reduce(data, 2, 2, "mean"), rtol=1e-6)


@pytest.mark.parametrize("fill", [(3e38, 3e38), (np.inf, -np.inf)])
def test_overflowing_or_undefined_blocks_are_bad_without_a_warning(fill):
    data = np.ones((6, 5), np.float32)
    data[0, 0], data[0, 1] = fill  # a complete block
    data[4, 4], data[5, 4] = fill  # the partial corner block
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        outs = [reduce_cells(data, 2), reduce_into(data, 2, Scratch()),
                reduce_blocks(data, 2, 2, "mean")]
    for out in outs:
        assert not np.isfinite(out[0, 0]) and not np.isfinite(out[2, 2])
        assert np.isfinite(out).sum() == out.size - 2


def traced_peak(call) -> int:
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_reducing_float32_makes_no_wider_copy_and_a_warm_scratch_allocates_nothing():
    data = np.ones((2048, 2048), np.float32)  # 16 MiB
    clear_caches()
    rows, out = 1024 * 2048 * 4, 1024 * 1024 * 4  # float32 row sums and cells
    bad = 1024 * 1024  # which cells are bad
    assert traced_peak(lambda: reduce_cells(data, 2)) < rows + out + bad + (1 << 20)
    scratch = Scratch()
    assert traced_peak(lambda: reduce_into(data, 2, scratch)) < rows + out + (1 << 20)
    assert traced_peak(lambda: reduce_into(data, 2, scratch)) < 1 << 16


# -- inputs, buffers, defaults ------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64, np.uint16, np.uint64,
                                   np.bool_, np.float16])
def test_as_cells_widens_other_dtypes_to_float64_exactly(dtype):
    data = np.arange(12).reshape(3, 4).astype(dtype)
    out = as_cells(data)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, data.astype(np.float64))


@pytest.mark.parametrize("dtype", [">f4", ">f8", "<f4", "<f8"])
def test_as_cells_gives_native_contiguous_floats_of_the_same_width(dtype):
    data = (np.arange(24.0).reshape(4, 6) - 7.25).astype(dtype)[:, ::2]
    out = as_cells(data)
    assert out.dtype == np.dtype(dtype).newbyteorder("=") and out.dtype.isnative
    assert out.flags.c_contiguous
    np.testing.assert_array_equal(out, data)


def test_readonly_arrays_refuse_writes():
    a = readonly(np.zeros(3))
    with pytest.raises(ValueError, match="read-only"):
        a[0] = 1.0


def test_scratch_reuses_one_buffer_per_name_and_grows_it():
    scratch = Scratch()
    a = scratch.get("a", (4, 4), np.float32)
    assert np.shares_memory(a, scratch.get("a", (4, 4), np.float32))
    assert np.shares_memory(a, scratch.get("a", (2, 3), np.float64))
    assert not np.shares_memory(a, scratch.get("b", (4, 4), np.float32))
    bigger = scratch.get("a", (100, 100), np.float32)
    assert bigger.shape == (100, 100) and np.shares_memory(bigger,
                                                           scratch.get("a", (3,), np.int8))


def listed(n: int) -> ListedColormap:
    return ListedColormap(np.linspace(0, 1, n)[:, None].repeat(3, axis=1))


@pytest.mark.parametrize(("kind", "cmap", "norm", "mode"), [
    ("i", listed(32), Normalize(), "mode"),   # at most 32 colours: class colours
    ("u", listed(33), Normalize(), "mean"),
    ("b", listed(256), NoNorm(), "mode"),
    ("i", listed(256), BoundaryNorm([0, 1, 2], 256), "mode"),
    ("f", listed(10), NoNorm(), "mean"),      # float data is never a label map
])
def test_default_reduction_keeps_labels_whole(kind, cmap, norm, mode):
    assert default_reduce(kind, cmap, norm) == mode
