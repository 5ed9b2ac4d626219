"""Convert: array-likes to numpy, in the layout asked for.

Everything downstream sees a C-contiguous, native-byte-order float array
(float32 or float64) of two dimensions, in which every cell that must be drawn
as "bad" is NaN: masked cells of a masked array, NaN, and (kept as they are)
+-inf, which the colour scale also treats as bad.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["to_numpy", "to_2d", "to_batch", "float_view"]

_FORMATS_2D = {
    "HW": (0, 1),
    "WH": (1, 0),
}
_FORMATS_3D = ("CHW", "HWC")
_FORMATS_BATCH = ("NHW", "NCHW", "NHWC")


def _torch_to_numpy(x: Any) -> np.ndarray:
    """A torch tensor to numpy: detached, on the CPU, float16/bfloat16 widened."""
    t = x.detach()
    if t.is_complex():
        raise TypeError(
            f"values must be a real-valued array; got a complex tensor of dtype {t.dtype}"
        )
    # bfloat16 and the float8 types have no numpy counterpart and .numpy() refuses
    # them: widen on the device first (cheap, exact), then copy to the host.
    if t.dtype.is_floating_point and t.element_size() < 4:
        t = t.float()
    return np.asarray(t.cpu().numpy())


def to_numpy(values: Any, name: str = "values") -> np.ndarray:
    """Turn an array-like into a numpy array (masked arrays stay masked).

    Accepts numpy arrays, masked arrays, nested sequences, torch tensors (any
    device, ``requires_grad``, float16, bfloat16 and float8), JAX arrays and
    ``ml_dtypes`` arrays (bfloat16, float8, float6, float4, int4, ...: widened
    exactly) and anything with ``__array__``. Never copies a numpy array it
    does not have to.
    """
    if isinstance(values, np.ndarray):  # includes np.ma.MaskedArray
        arr = values
    elif type(values).__module__.startswith("torch") and hasattr(values, "detach"):
        arr = _torch_to_numpy(values)
    elif isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be an array-like of numbers; got {type(values).__name__}")
    elif hasattr(values, "__array__") or isinstance(values, (Sequence, np.generic)):
        try:
            arr = np.asarray(values)
        except ValueError as err:  # ragged nested lists (numpy >= 1.24)
            raise ValueError(
                f"{name} must be a rectangular array; got a ragged nested sequence ({err})"
            ) from err
    else:
        raise TypeError(
            f"{name} must be a numpy array, a torch tensor, a nested list or an object "
            f"with __array__; got {type(values).__name__}"
        )
    if arr.dtype.type.__module__ == "ml_dtypes":
        arr = _widen_ml_dtypes(arr, name)
    _check_dtype(arr, name)
    return arr


def _widen_ml_dtypes(arr: np.ndarray, name: str) -> np.ndarray:
    """JAX's and ml_dtypes' narrow types (bfloat16, float8/6/4, int4, ...) to numpy's own.

    Every value of those float types is a float32 exactly (as torch widens
    bfloat16), NaN and infinities included; the small integers fit int8/uint8.
    """
    dt = arr.dtype
    if "complex" in dt.name:
        raise TypeError(
            f"{name} must be real-valued; got complex dtype {dt.name} "
            f"(pass np.abs(x), x.real or np.angle(x))"
        )
    if "float" in dt.name:
        return arr.astype(np.float32)  # masked arrays keep their mask
    if dt.name.startswith(("int", "uint")):
        return arr.astype(np.uint8 if dt.name.startswith("u") else np.int8)
    return arr


def _check_dtype(arr: np.ndarray, name: str) -> None:
    kind = arr.dtype.kind
    if kind in "biuf":
        return
    if kind == "c":
        raise TypeError(
            f"{name} must be real-valued; got complex dtype {arr.dtype} "
            f"(pass np.abs(x), x.real or np.angle(x))"
        )
    if kind == "O" and arr.size and _looks_ragged(arr):
        raise ValueError(f"{name} must be a rectangular array; got a ragged nested sequence")
    raise TypeError(
        f"{name} must have a real numeric or bool dtype; got dtype {arr.dtype}"
        + (" (strings)" if kind in "SU" else "")
    )


def _looks_ragged(arr: np.ndarray) -> bool:
    first = arr.flat[0]
    return isinstance(first, (list, tuple, np.ndarray))


def float_view(arr: np.ndarray) -> np.ndarray:
    """A native-order float array with NaN in masked cells (no copy when possible).

    float16 widens to float32, float32/float64 stay, integers and bools become
    float64 (exact for every integer up to 2**53).
    """
    mask = None
    if isinstance(arr, np.ma.MaskedArray):
        mask = np.ma.getmask(arr)
        arr = arr.data
    dt = arr.dtype
    if dt.kind == "f" and dt.itemsize >= 4:
        target = np.dtype(np.float64) if dt.itemsize > 8 else dt.newbyteorder("=")
    elif dt.kind == "f":
        target = np.dtype(np.float32)
    else:
        target = np.dtype(np.float64)
    if mask is not None and mask is not np.ma.nomask and mask.any():
        out = np.array(arr, dtype=target, order="C", copy=True)
        out[mask] = np.nan
        return out
    return np.ascontiguousarray(arr, dtype=target)


def _check_dataformats(dataformats: object) -> str:
    if not isinstance(dataformats, str):
        raise TypeError(
            f"dataformats must be a str such as 'HW'; got {type(dataformats).__name__}"
        )
    return dataformats.upper()


def _layout_2d(arr: np.ndarray, dataformats: str, name: str) -> np.ndarray:
    """Apply a 2-D layout ("HW", "WH", "CHW", "HWC" with one channel)."""
    fmt = _check_dataformats(dataformats)
    if fmt in _FORMATS_2D:
        if arr.ndim != 2:
            raise ValueError(
                f"{name} must be 2-D for dataformats={dataformats!r}; got shape {arr.shape}"
            )
        return arr if fmt == "HW" else arr.T
    if fmt in _FORMATS_3D:
        if arr.ndim != 3:
            raise ValueError(
                f"{name} must be 3-D for dataformats={dataformats!r}; got shape {arr.shape}"
            )
        c_axis = fmt.index("C")
        if arr.shape[c_axis] != 1:
            raise ValueError(
                f"{name} must have exactly one channel for dataformats={dataformats!r}; "
                f"got {arr.shape[c_axis]} channels in shape {arr.shape} "
                f"(use add_image for RGB pictures)"
            )
        return arr[0] if c_axis == 0 else arr[..., 0]
    raise ValueError(
        f"dataformats must be one of 'HW', 'WH', 'CHW' or 'HWC' (one channel); "
        f"got {dataformats!r}"
    )


def _check_nonempty(arr: np.ndarray, name: str) -> None:
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty; got shape {arr.shape}")


def to_2d(values: Any, dataformats: str = "HW", name: str = "values") -> np.ndarray:
    """Any supported input to a 2-D float array (H, W) with NaN for masked cells.

    >>> to_2d([[1, 2], [3, 4]], "WH").tolist()
    [[1.0, 3.0], [2.0, 4.0]]
    """
    arr = to_numpy(values, name)
    arr = _layout_2d(arr, dataformats, name)
    _check_nonempty(arr, name)
    return float_view(arr)


def to_batch(values: Any, dataformats: str = "NHW", name: str = "values") -> list[np.ndarray]:
    """A batch (NHW / NCHW / NHWC array, or a sequence of 2-D arrays) to a list of 2-D arrays.

    >>> [p.shape for p in to_batch(np.zeros((3, 4, 5)))]
    [(4, 5), (4, 5), (4, 5)]
    """
    fmt = _check_dataformats(dataformats)
    if fmt not in _FORMATS_BATCH:
        raise ValueError(
            f"dataformats must be one of 'NHW', 'NCHW' or 'NHWC' (one channel) for a batch; "
            f"got {dataformats!r}"
        )
    panel_fmt = fmt[1:]
    if isinstance(values, (list, tuple)) and not (
        values and all(np.isscalar(v) for v in values)
    ):
        if len(values) == 0:
            raise ValueError(f"{name} must hold at least one panel; got an empty sequence")
        # A sequence of panels, each of its own shape.
        return [
            to_2d(v, panel_fmt, name=f"{name}[{i}]") for i, v in enumerate(values)
        ]
    arr = to_numpy(values, name)
    want = len(fmt)
    if arr.ndim != want:
        raise ValueError(
            f"{name} must be {want}-D for dataformats={dataformats!r}; got shape {arr.shape}"
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one panel; got shape {arr.shape}")
    return [to_2d(arr[i], panel_fmt, name=f"{name}[{i}]") for i in range(arr.shape[0])]
