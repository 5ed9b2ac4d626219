"""The convert stage: array-likes to 2-D native float arrays, NaN for bad cells."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from figwriter._convert import float_view, to_2d, to_batch, to_numpy

from ._requires import import_torch, require

REAL_DTYPES = [
    np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
    np.uint64, np.float16, np.float32, np.float64, np.longdouble,
]


def _assert_clean(out: np.ndarray) -> None:
    """What every later stage relies on."""
    assert out.ndim == 2
    assert out.dtype in (np.float32, np.float64)
    assert out.dtype.isnative
    assert out.flags.c_contiguous


def _sample(dtype, shape=(3, 5)) -> np.ndarray:
    n = int(np.prod(shape))
    if np.dtype(dtype) == np.bool_:
        return (np.arange(n) % 3 == 0).reshape(shape)
    return np.arange(n).astype(dtype).reshape(shape)


# -- dtypes, byte orders, layouts --------------------------------------------------------
@pytest.mark.parametrize("dtype", REAL_DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("order", ["<", ">"])
def test_every_real_dtype_in_both_byte_orders(dtype, order):
    dt = np.dtype(dtype)
    arr = _sample(dt).astype(dt.newbyteorder(order))
    out = to_2d(arr)
    _assert_clean(out)
    np.testing.assert_array_equal(out, _sample(dt).astype(np.float64))
    if dt.kind in "biu":  # integers are exact in float64
        assert out.dtype == np.float64


def test_float_widths_kept_or_widened():
    assert to_2d(np.zeros((2, 2), np.float16)).dtype == np.float32
    assert to_2d(np.zeros((2, 2), np.float32)).dtype == np.float32
    assert to_2d(np.zeros((2, 2), np.float64)).dtype == np.float64
    assert to_2d(np.zeros((2, 2), np.longdouble)).dtype == np.float64


def test_large_integers_exact_up_to_2_53():
    arr = np.array([[2**53, -(2**53)], [np.iinfo(np.int64).max, 0]], np.int64)
    out = to_2d(arr)
    assert out[0, 0] == 2.0**53 and out[0, 1] == -(2.0**53)
    assert out[1, 0] == float(np.iinfo(np.int64).max)
    assert to_2d(np.array([[np.iinfo(np.uint64).max]], np.uint64))[0, 0] == 2.0**64


def test_float16_extremes_survive():
    arr = np.array([[65504, -65504], [np.inf, np.nan]], np.float16)
    out = to_2d(arr)
    assert out[0, 0] == 65504 and out[0, 1] == -65504
    assert np.isposinf(out[1, 0]) and np.isnan(out[1, 1])


def test_fortran_order_and_non_contiguous_views(rng):
    base = rng.normal(size=(12, 10))
    fortran = np.asfortranarray(base)
    np.testing.assert_array_equal(to_2d(fortran), base)
    _assert_clean(to_2d(fortran))
    view = base[::3, 1::2]
    assert not view.flags.c_contiguous
    np.testing.assert_array_equal(to_2d(view), view)
    _assert_clean(to_2d(view))
    reversed_view = base[::-1, ::-1]
    np.testing.assert_array_equal(to_2d(reversed_view), reversed_view)
    big_endian_view = base.astype(">f8")[::2].T
    np.testing.assert_array_equal(to_2d(big_endian_view), base[::2].T)
    _assert_clean(to_2d(big_endian_view))


def test_native_float_c_array_is_not_copied(rng):
    arr = rng.normal(size=(4, 6))
    assert np.shares_memory(to_2d(arr), arr)
    arr32 = arr.astype(np.float32)
    assert np.shares_memory(to_2d(arr32), arr32)


def test_input_array_is_never_modified(rng):
    arr = np.ma.masked_greater(rng.normal(size=(6, 6)), 0.5)
    before_data, before_mask = arr.data.copy(), arr.mask.copy()
    to_2d(arr)
    np.testing.assert_array_equal(arr.data, before_data)
    np.testing.assert_array_equal(arr.mask, before_mask)


def test_nan_and_inf_kept():
    arr = np.array([[np.nan, np.inf], [-np.inf, 1.0]], np.float32)
    out = to_2d(arr)
    assert np.isnan(out[0, 0]) and np.isposinf(out[0, 1]) and np.isneginf(out[1, 0])
    assert out[1, 1] == 1.0


# -- masked arrays ----------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int16, np.uint8, np.bool_])
def test_masked_cells_become_nan(dtype):
    data = _sample(dtype, (4, 5))
    mask = np.zeros((4, 5), bool)
    mask[1, 2] = mask[3, 0] = True
    out = to_2d(np.ma.masked_array(data, mask=mask))
    _assert_clean(out)
    np.testing.assert_array_equal(np.isnan(out), mask)
    np.testing.assert_array_equal(out[~mask], data[~mask].astype(np.float64))


def test_masked_array_layouts_move_the_mask_with_the_data():
    data = np.arange(6.0).reshape(2, 3)
    arr = np.ma.masked_array(data, mask=[[True, False, False], [False, False, True]])
    out = to_2d(arr, "WH")
    assert out.shape == (3, 2)
    assert np.isnan(out[0, 0]) and np.isnan(out[2, 1])
    assert np.isnan(out).sum() == 2
    chw = np.ma.masked_array(data[None], mask=arr.mask[None])
    np.testing.assert_array_equal(np.isnan(to_2d(chw, "CHW")), arr.mask)
    hwc = np.ma.masked_array(data[..., None], mask=arr.mask[..., None])
    np.testing.assert_array_equal(np.isnan(to_2d(hwc, "HWC")), arr.mask)


def test_masked_array_without_masked_cells_and_fully_masked():
    data = np.arange(4.0).reshape(2, 2)
    np.testing.assert_array_equal(to_2d(np.ma.masked_array(data)), data)
    np.testing.assert_array_equal(to_2d(np.ma.masked_array(data, mask=False)), data)
    assert np.isnan(to_2d(np.ma.masked_all((2, 3)))).all()
    # masked data under a big-endian dtype
    be = np.ma.masked_array(data.astype(">f4"), mask=[[True, False], [False, False]])
    out = to_2d(be)
    _assert_clean(out)
    assert np.isnan(out[0, 0]) and out[1, 1] == 3.0


def test_float_view_plain_and_masked():
    assert float_view(np.ones((2, 2), np.int8)).dtype == np.float64
    out = float_view(np.ma.masked_equal(np.array([[1, 2], [2, 3]]), 2))
    np.testing.assert_array_equal(out, [[1.0, np.nan], [np.nan, 3.0]])


# -- lists and other array-likes --------------------------------------------------------
def test_nested_lists_and_tuples():
    np.testing.assert_array_equal(to_2d([[1, 2, 3], [4, 5, 6]]), [[1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(to_2d(((1.5, 2), (3, 4))), [[1.5, 2], [3, 4]])
    np.testing.assert_array_equal(to_2d([[True, False]]), [[1.0, 0.0]])
    out = to_2d([[1, float("nan")], [float("inf"), 2]])
    assert np.isnan(out[0, 1]) and np.isposinf(out[1, 0])
    np.testing.assert_array_equal(to_2d([np.arange(3), np.arange(3)]), [[0, 1, 2]] * 2)


@pytest.mark.parametrize("ragged", [[[1, 2], [3]], [[1, 2], 3], [[[1], [2, 3]]]])
def test_ragged_lists_refused(ragged):
    with pytest.raises(ValueError, match=r"values must be a rectangular array; got a ragged"):
        to_2d(ragged)


class _ArrayLike:
    def __init__(self, data):
        self._data = np.asarray(data)

    def __array__(self, dtype=None, copy=None):
        return self._data if dtype is None else self._data.astype(dtype)


def test_objects_with_array_protocol(rng):
    data = rng.normal(size=(3, 4)).astype(np.float32)
    np.testing.assert_array_equal(to_2d(_ArrayLike(data)), data)
    np.testing.assert_array_equal(to_2d(_ArrayLike(data[None]), "CHW"), data)
    with pytest.raises(TypeError, match="values must have a real numeric or bool dtype"):
        to_2d(_ArrayLike(np.array([["a"]])))


def test_numpy_scalar_is_a_0d_array():
    # a 0-d numpy scalar is an array-like of the wrong dimension, not a type error
    with pytest.raises(ValueError, match=r"must be 2-D for dataformats='HW'; got shape \(\)"):
        to_2d(np.float64(3.0))


@pytest.mark.parametrize(
    ("values", "match"),
    [
        (np.ones((2, 2), np.complex64), r"values must be real-valued; got complex dtype complex64"),
        ([[1 + 2j, 3]], r"values must be real-valued; got complex dtype complex128"),
        ([["a", "b"]], r"values must have a real numeric or bool dtype; got dtype <U1 \(strings\)"),
        (np.array([[b"a"]]), r"dtype \|S1 \(strings\)"),
        (np.array([[None, 1]]), r"values must have a real numeric or bool dtype; got dtype object"),
        (np.array([[1]], "datetime64[s]"), r"got dtype datetime64\[s\]"),
        (np.array([[1]], "timedelta64[s]"), r"got dtype timedelta64\[s\]"),
        (np.zeros((1, 1), [("a", "i4")]), r"values must have a real numeric or bool dtype"),
        ("abc", r"values must be an array-like of numbers; got str"),
        (b"abc", r"values must be an array-like of numbers; got bytes"),
        (object(), r"values must be a numpy array, .* got object"),
        ({"a": 1}, r"values must be a numpy array, .* got dict"),
        ({1, 2}, r"got set"),
        (5, r"got int"),
        (None, r"got NoneType"),
    ],
    ids=lambda v: type(v).__name__ if not isinstance(v, str) else None,
)
def test_wrong_types_refused(values, match):
    with pytest.raises(TypeError, match=match):
        to_2d(values)


def test_complex_message_suggests_a_fix():
    with pytest.raises(TypeError, match=r"pass np.abs\(x\), x.real or np.angle\(x\)"):
        to_2d(np.ones((2, 2), complex))


def test_to_numpy_name_appears_in_messages():
    with pytest.raises(TypeError, match="^field must"):
        to_numpy(object(), name="field")
    with pytest.raises(ValueError, match="^field must be a rectangular"):
        to_numpy([[1], [2, 3]], name="field")


def test_to_numpy_keeps_masked_arrays_masked():
    arr = np.ma.masked_equal([[1, 2]], 2)
    assert to_numpy(arr) is arr


# -- empty and wrong dimensions ---------------------------------------------------------
@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (0, 0)])
def test_empty_arrays_refused(shape):
    with pytest.raises(ValueError, match=rf"values must not be empty; got shape \({shape[0]}, "):
        to_2d(np.zeros(shape))


def test_empty_lists_refused():
    with pytest.raises(ValueError, match=r"values must not be empty; got shape \(1, 0\)"):
        to_2d([[]])
    with pytest.raises(ValueError, match=r"must be 2-D for dataformats='HW'; got shape \(0,\)"):
        to_2d([])
    with pytest.raises(ValueError, match=r"values must not be empty; got shape \(0, 4\)"):
        to_2d(np.zeros((1, 0, 4)), "CHW")


@pytest.mark.parametrize(
    ("shape", "fmt", "match"),
    [
        ((3, 4, 5), "HW", r"values must be 2-D for dataformats='HW'; got shape \(3, 4, 5\)"),
        ((5,), "WH", r"values must be 2-D for dataformats='WH'; got shape \(5,\)"),
        ((1, 2, 3, 4), "HW", r"2-D .* got shape \(1, 2, 3, 4\)"),
        ((4, 5), "CHW", r"values must be 3-D for dataformats='CHW'; got shape \(4, 5\)"),
        ((1, 4, 5, 1), "HWC", r"values must be 3-D for dataformats='HWC'"),
    ],
)
def test_wrong_number_of_dimensions(shape, fmt, match):
    with pytest.raises(ValueError, match=match):
        to_2d(np.zeros(shape), fmt)


# -- dataformats ------------------------------------------------------------------------
def test_hw_and_wh(rng):
    arr = rng.normal(size=(3, 7))
    np.testing.assert_array_equal(to_2d(arr, "HW"), arr)
    out = to_2d(arr, "WH")
    np.testing.assert_array_equal(out, arr.T)
    _assert_clean(out)
    np.testing.assert_array_equal(to_2d(arr, "hw"), arr)  # case-insensitive like the parent


def test_single_channel_chw_and_hwc(rng):
    arr = rng.normal(size=(3, 7))
    np.testing.assert_array_equal(to_2d(arr[None], "CHW"), arr)
    np.testing.assert_array_equal(to_2d(arr[:, :, None], "HWC"), arr)
    _assert_clean(to_2d(arr[:, :, None], "HWC"))


@pytest.mark.parametrize(("shape", "fmt"), [((3, 4, 5), "CHW"), ((4, 5, 3), "HWC"),
                                             ((4, 4, 5), "CHW"), ((4, 5, 2), "HWC")])
def test_more_than_one_channel_refused(shape, fmt):
    channels = shape[fmt.index("C")]
    with pytest.raises(
        ValueError,
        match=rf"values must have exactly one channel for dataformats='{fmt}'; "
        rf"got {channels} channels .* \(use add_image for RGB pictures\)",
    ):
        to_2d(np.zeros(shape), fmt)


@pytest.mark.parametrize("fmt", ["NCHW", "HWN", "XY", "", "CWH", "HWHW"])
def test_unknown_dataformats(fmt):
    with pytest.raises(
        ValueError, match=rf"dataformats must be one of 'HW', 'WH', 'CHW' or 'HWC' .*got '{fmt}'"
    ):
        to_2d(np.zeros((2, 2)), fmt)


@pytest.mark.parametrize("fmt", [None, 3, ["H", "W"], ("H", "W"), b"HW"])
def test_dataformats_of_wrong_type(fmt):
    with pytest.raises(TypeError, match=r"dataformats must be a str"):
        to_2d(np.zeros((2, 2)), fmt)


# -- batches ----------------------------------------------------------------------------
def test_batch_layouts(rng):
    arr = rng.normal(size=(3, 4, 5))
    for fmt, batch in [("NHW", arr), ("NCHW", arr[:, None]), ("NHWC", arr[..., None])]:
        panels = to_batch(batch, fmt)
        assert len(panels) == 3
        for panel, expected in zip(panels, arr):
            np.testing.assert_array_equal(panel, expected)
            _assert_clean(panel)


def test_batch_as_sequence_of_panels_of_different_shapes():
    panels = to_batch([np.zeros((2, 3)), [[1, 2], [3, 4], [5, 6]], np.ma.masked_all((1, 1))])
    assert [p.shape for p in panels] == [(2, 3), (3, 2), (1, 1)]
    assert np.isnan(panels[2]).all()


@pytest.mark.parametrize("fmt, shape", [("NCHW", (1, 2, 3)), ("NHWC", (2, 3, 1)),
                                        ("NHW", (2, 3))])
def test_batch_as_sequence_of_panels_in_a_channel_layout(fmt, shape):
    panels = [np.arange(6.0).reshape(shape), np.ones(shape)]
    out = to_batch(panels, fmt)
    assert [p.shape for p in out] == [(2, 3), (2, 3)]
    np.testing.assert_array_equal(out[0], np.arange(6.0).reshape(2, 3))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int16])
def test_masked_fortran_array_gives_a_c_contiguous_array(dtype):
    data = np.asfortranarray(np.arange(12, dtype=dtype).reshape(3, 4))
    masked = np.ma.masked_array(data, mask=data % 5 == 0)
    out = to_2d(masked)
    _assert_clean(out)
    np.testing.assert_array_equal(np.isnan(out), masked.mask)
    np.testing.assert_array_equal(out[~masked.mask], data[~masked.mask])


def test_dataformats_of_another_type_is_named():
    with pytest.raises(TypeError, match=r"^dataformats must be a str such as 'HW'; got list$"):
        to_2d(np.eye(2), ["H", "W"])


def test_object_arrays_of_sequences_are_refused_as_ragged():
    one = np.empty(1, dtype=object)
    one[0] = [1.0, 2.0]
    two = np.empty(2, dtype=object)
    two[0], two[1] = [1.0, 2.0], 3.0
    for arr in (one, two):
        with pytest.raises(ValueError, match=r"^values must be a rectangular array; "
                                             r"got a ragged nested sequence$"):
            to_numpy(arr)


def test_batch_errors_name_the_batch():
    with pytest.raises(TypeError, match=r"^maps must be an array-like of numbers; got str$"):
        to_batch("abc", name="maps")
    with pytest.raises(TypeError, match=r"^values must be an array-like of numbers; got str$"):
        to_batch("abc")


def test_batch_errors_name_the_panel():
    with pytest.raises(ValueError, match=r"values\[1\] must be 2-D"):
        to_batch([np.zeros((2, 2)), np.zeros(3)])
    with pytest.raises(TypeError, match=r"values\[0\] must be real-valued"):
        to_batch([np.ones((2, 2), complex)])
    with pytest.raises(ValueError, match=r"values must hold at least one panel; got an empty"):
        to_batch([])
    with pytest.raises(ValueError, match=r"at least one panel; got shape \(0, 2, 2\)"):
        to_batch(np.zeros((0, 2, 2)))
    with pytest.raises(ValueError, match=r"must be 3-D for dataformats='NHW'; got shape \(3,\)"):
        to_batch([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"values\[0\] must have exactly one channel"):
        to_batch(np.zeros((2, 3, 4, 4)), "NCHW")
    with pytest.raises(ValueError, match=r"dataformats must be one of 'NHW', 'NCHW' or 'NHWC'"):
        to_batch(np.zeros((2, 3, 4)), "HW")
    with pytest.raises(TypeError, match=r"dataformats must be a str"):
        to_batch(np.zeros((2, 3, 4)), ["N", "H", "W"])


# -- properties -------------------------------------------------------------------------
_real_dtypes = st.one_of(
    hnp.boolean_dtypes(),
    hnp.integer_dtypes(endianness="?"),
    hnp.unsigned_integer_dtypes(endianness="?"),
    hnp.floating_dtypes(endianness="?"),
)


@settings(max_examples=60, deadline=None)
@given(
    arr=hnp.arrays(_real_dtypes, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=6)),
    transpose=st.booleans(),
)
def test_any_real_array_converts_to_the_same_values(arr, transpose):
    src = arr.T if transpose else arr
    out = to_2d(src)
    _assert_clean(out)
    assert out.shape == src.shape
    np.testing.assert_array_equal(out.astype(np.float64), src.astype(np.float64))
    np.testing.assert_array_equal(to_2d(src, "WH"), out.T)


@settings(max_examples=40, deadline=None)
@given(
    data=hnp.arrays(np.float64, (3, 4), elements=st.floats(allow_nan=True, allow_infinity=True)),
    mask=hnp.arrays(np.bool_, (3, 4)),
)
def test_masked_cells_and_only_masked_or_nan_cells_are_nan(data, mask):
    out = to_2d(np.ma.masked_array(data, mask=mask))
    np.testing.assert_array_equal(np.isnan(out), mask | np.isnan(data))
    np.testing.assert_array_equal(out[~mask], data[~mask])


# -- torch ------------------------------------------------------------------------------
@pytest.fixture
def torch():
    return import_torch()


def test_torch_float32_cpu(torch):
    t = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    out = to_2d(t)
    _assert_clean(out)
    np.testing.assert_array_equal(out, np.arange(12.0).reshape(3, 4))


def test_torch_requires_grad(torch):
    t = torch.linspace(-1, 1, 6).reshape(2, 3).requires_grad_(True)
    out = to_2d(t * 2)  # a non-leaf with a grad_fn
    np.testing.assert_allclose(out, np.linspace(-2, 2, 6).reshape(2, 3), rtol=1e-6)
    out = to_2d(torch.nn.Parameter(torch.ones(2, 2)))
    np.testing.assert_array_equal(out, np.ones((2, 2)))


@pytest.mark.parametrize("dtype_name", ["float16", "bfloat16"])
def test_torch_half_precision(torch, dtype_name):
    dtype = getattr(torch, dtype_name)
    # values exactly representable in both formats
    values = [[0.5, -1.5, 3.0], [256.0, 0.125, -0.0]]
    t = torch.tensor(values, dtype=dtype)
    out = to_2d(t)
    _assert_clean(out)
    np.testing.assert_array_equal(out, values)
    nan_inf = torch.tensor([[float("nan"), float("inf")]], dtype=dtype)
    out = to_2d(nan_inf)
    assert np.isnan(out[0, 0]) and np.isposinf(out[0, 1])


def _bfloat16_range(torch):
    """Every kind of bfloat16 value: beyond float16's 65504 up to bfloat16's largest
    finite value, below float16's smallest subnormal down to bfloat16's, signed
    zeros, infinities and NaN."""
    info = torch.finfo(torch.bfloat16)
    values = [
        info.max, -info.max, 3.0e38, 1.0e30, -1.0e20, 1.0e10, 65536.0, 70000.0, -1.0e5,
        1.0, -0.0, 0.0, info.tiny, -info.tiny, info.smallest_normal / 64, 1.0e-30, 5.0e-8,
        1.0e-10, float("inf"), float("-inf"), float("nan"),
    ]
    return torch.tensor(values, dtype=torch.float32).to(torch.bfloat16).reshape(3, 7)


def test_bfloat16_arrives_as_torch_converts_it_across_its_whole_range(torch):
    t = _bfloat16_range(torch)
    expected = t.float().numpy()
    assert np.nanmax(np.abs(expected[np.isfinite(expected)])) > 65504  # beyond float16
    assert 0 < np.nanmin(np.abs(expected[expected != 0])) < 6e-8  # below float16's subnormals
    out = to_2d(t)
    _assert_clean(out)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, expected)  # NaN where NaN, same infinities
    np.testing.assert_array_equal(np.signbit(out), np.signbit(expected))
    # every layout and a batch convert the same way
    np.testing.assert_array_equal(to_2d(t.t(), "WH"), expected)
    for panel in to_batch(torch.stack([t, -t])):
        assert panel.dtype == np.float32
    np.testing.assert_array_equal(to_batch(torch.stack([t, -t]))[1], (-t).float().numpy())


def test_torch_non_contiguous_and_layouts(torch):
    base = torch.arange(20, dtype=torch.float64).reshape(4, 5)
    view = base.t()
    assert not view.is_contiguous()
    np.testing.assert_array_equal(to_2d(view), np.arange(20.0).reshape(4, 5).T)
    np.testing.assert_array_equal(to_2d(base[::2, 1::2]), np.arange(20.0).reshape(4, 5)[::2, 1::2])
    np.testing.assert_array_equal(to_2d(base[None], "CHW"), np.arange(20.0).reshape(4, 5))
    np.testing.assert_array_equal(to_2d(base, "WH"), np.arange(20.0).reshape(4, 5).T)


@pytest.mark.parametrize("dtype_name", ["int8", "uint8", "int32", "int64", "bool"])
def test_torch_integer_and_bool(torch, dtype_name):
    t = torch.tensor([[0, 1], [1, 0]], dtype=getattr(torch, dtype_name))
    out = to_2d(t)
    _assert_clean(out)
    np.testing.assert_array_equal(out, [[0.0, 1.0], [1.0, 0.0]])


def test_torch_complex_and_wrong_shape_refused(torch):
    with pytest.raises(TypeError, match=r"must be a real-valued array; got a complex tensor"):
        to_2d(torch.ones(2, 2, dtype=torch.complex64))
    with pytest.raises(ValueError, match=r"must be 2-D for dataformats='HW'; got shape \(2, 3, 4"):
        to_2d(torch.zeros(2, 3, 4))
    with pytest.raises(ValueError, match=r"values must not be empty"):
        to_2d(torch.zeros(0, 3))


# -- JAX and ml_dtypes: bfloat16, float8, float6, float4, small integers ---------------------
ML_FLOATS = [
    "bfloat16", "float8_e3m4", "float8_e4m3", "float8_e4m3b11fnuz", "float8_e4m3fn",
    "float8_e4m3fnuz", "float8_e5m2", "float8_e5m2fnuz", "float8_e5m3fnu", "float8_e8m0fnu",
    "float6_e2m3fn", "float6_e3m2fn", "float4_e2m1fn",
]
#: the ml_dtypes types torch also has (an independent widening to compare with)
TORCH_FLOATS = ["bfloat16", "float8_e4m3fn", "float8_e4m3fnuz", "float8_e5m2",
                "float8_e5m2fnuz", "float8_e8m0fnu"]


@pytest.fixture
def ml_dtypes():
    return require("ml_dtypes")


def _every_value(ml_dtypes, name: str) -> np.ndarray:
    """Every bit pattern of an ml_dtypes type, as a (1, N) array of that type."""
    dtype = np.dtype(getattr(ml_dtypes, name))
    bits = np.arange(1 << (8 * dtype.itemsize), dtype=f"u{dtype.itemsize}")
    if name.startswith(("float6", "float4")):  # stored in a byte, the high bits unused
        bits = bits[: 1 << int(name[5])]
    return bits.view(dtype).reshape(1, -1)


@pytest.mark.parametrize("name", ML_FLOATS)
def test_ml_dtypes_floats_widen_exactly_over_their_whole_range(ml_dtypes, name):
    values = _every_value(ml_dtypes, name)
    out = to_2d(values)
    _assert_clean(out)
    assert out.dtype == np.float32
    with np.errstate(invalid="ignore"):  # ml_dtypes' own cast flags its NaNs
        exact = values.astype(np.float64)  # the type's own widening to float64
    np.testing.assert_array_equal(out, exact)  # NaN where NaN, ±inf where ±inf
    finite = exact[np.isfinite(exact)]
    info = ml_dtypes.finfo(getattr(ml_dtypes, name))
    # the extremes survive (float16 would turn bfloat16's into inf and 0)
    assert finite.max() == float(info.max) and np.abs(finite[finite != 0]).min() == float(
        info.smallest_subnormal if name != "float8_e8m0fnu" else info.tiny)


@pytest.mark.parametrize("name", TORCH_FLOATS)
def test_ml_dtypes_floats_convert_as_torch_widens_them(ml_dtypes, torch, name):
    values = _every_value(ml_dtypes, name)
    bits = torch.from_numpy(values.view(f"u{values.dtype.itemsize}").astype(np.int64))
    tensor = bits.to(getattr(torch, f"uint{8 * values.dtype.itemsize}")).view(
        getattr(torch, name))
    expected = tensor.float().numpy()
    np.testing.assert_array_equal(to_2d(values), expected)
    np.testing.assert_array_equal(to_2d(tensor), expected)  # torch's own float8 too


@pytest.mark.parametrize("name", ML_FLOATS)
def test_jax_arrays_of_every_float_type(ml_dtypes, name):
    jnp = require("jax.numpy")
    values = _every_value(ml_dtypes, name)
    if not hasattr(jnp, name):
        pytest.skip(f"this jax has no {name}")
    try:
        array = jnp.asarray(values)
    except Exception as err:  # jax's CPU backend does not hold every ml_dtypes type
        pytest.skip(f"this jax cannot make a {name} array: {type(err).__name__}")
    out = to_2d(array)
    np.testing.assert_array_equal(out, to_2d(values))
    batch = to_batch(array.reshape(1, 1, -1))
    np.testing.assert_array_equal(batch[0], out)


@pytest.mark.parametrize("name", ["int1", "int2", "int4", "uint1", "uint2", "uint4"])
def test_ml_dtypes_small_integers(ml_dtypes, name):
    info = ml_dtypes.iinfo(getattr(ml_dtypes, name))
    values = np.arange(int(info.min), int(info.max) + 1).astype(getattr(ml_dtypes, name))
    out = to_2d(values.reshape(1, -1))
    np.testing.assert_array_equal(out, [np.arange(int(info.min), int(info.max) + 1)])


def test_ml_dtypes_complex_refused(ml_dtypes):
    with pytest.raises(TypeError, match=r"values must be real-valued; got complex dtype "
                                        r"complex32 \(pass np.abs"):
        to_2d(np.ones((2, 2), dtype=ml_dtypes.complex32))


def test_a_jax_bfloat16_picture_is_the_torch_bfloat16_picture(ml_dtypes, torch, writer_cls,
                                                              tmp_path):
    jnp = require("jax.numpy")
    from ._readback import read_images

    rng = np.random.default_rng(5)
    values = (rng.normal(size=(24, 40)) * 1e30).astype(ml_dtypes.bfloat16)
    values[3, 4], values[5, 6] = np.nan, np.inf
    as_torch = torch.from_numpy(values.view(np.uint16).astype(np.int32)).to(
        torch.uint16).view(torch.bfloat16)
    for renderer in ("fast", "matplotlib"):
        logdir = str(tmp_path / renderer)
        with writer_cls(logdir) as writer:
            writer.add_colormapped_image("jax", jnp.asarray(values), 0, renderer=renderer)
            writer.add_colormapped_image("numpy", values, 0, renderer=renderer)
            writer.add_colormapped_image("torch", as_torch, 0, renderer=renderer)
        images = read_images(logdir)
        assert images["jax"][0].png == images["torch"][0].png == images["numpy"][0].png
