"""Hypothesis strategies for figwriter's inputs, and the settings profile its tests use.

Arrays are drawn as an :class:`ArraySpec` (shape, dtype, byte order, memory
layout, how the values are made, a mask, a seed) and built with numpy by
:meth:`ArraySpec.build`: drawing the cells one by one through Hypothesis would
make the large and very wide inputs (5000x1, 3000x3000) far too slow, and a
spec prints as a readable recipe when a property fails. Hypothesis draws one
seed per example and the recipe is made from it (see :class:`_Pick`).

Options are drawn as a :class:`Call`: the keyword arguments of one
``add_colormapped_image`` / ``add_colormapped_images`` call, plus ``invalid``,
the arguments that were made invalid on purpose (the call must raise a
``ValueError``/``TypeError`` naming one of them), and ``may_refuse``, arguments
whose combination with the data the library may legitimately refuse (a log norm
over data with no positive value, a ``Normalize`` instance whose own settings
the data cannot satisfy).

The profile ``"figwriter"`` (registered here, applied per test through
:data:`PROFILE`, never loaded globally so other test modules keep their own
settings) is derandomised and database-free, so CI runs are reproducible, and
has no deadline (the first call of a shape builds a matplotlib figure).
``FIGWRITER_HYPOTHESIS_SCALE=10`` multiplies every example budget for a long
local run.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from matplotlib import colormaps
from matplotlib import colors as mcolors

__all__ = [
    "PROFILE",
    "examples",
    "ArraySpec",
    "array_specs",
    "Call",
    "image_calls",
    "batch_calls",
    "NUMERIC_DTYPES",
    "reference_float64",
]

settings.register_profile(
    "figwriter",
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
#: the settings every figwriter property runs under (plus its own max_examples)
PROFILE = settings.get_profile("figwriter")
_SCALE = max(1, int(os.environ.get("FIGWRITER_HYPOTHESIS_SCALE", "1")))


def examples(n: int) -> settings:
    """:data:`PROFILE` with ``max_examples=n`` (times ``FIGWRITER_HYPOTHESIS_SCALE``)."""
    return settings(PROFILE, max_examples=n * _SCALE)


# -- arrays --------------------------------------------------------------------------------
NUMERIC_DTYPES = (
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64",
)
LAYOUTS = ("C", "F", "strided", "reversed", "transposed")
FILLS = ("normal", "full_range", "specials", "constant", "offset", "ramp", "all_bad")
MASKS = ("none", "some", "all", "explicit_false")


@dataclass(frozen=True)
class ArraySpec:
    """A recipe for one 2-D array; :meth:`build` makes it, the same every time."""

    shape: tuple[int, int]
    dtype: str
    byteorder: str  # "<" or ">"
    layout: str  # C, F, strided (a step-2 view), reversed (negative strides), transposed
    fill: str
    scale: float = 1.0
    specials: float = 0.0  # fraction of cells replaced by special values (floats only)
    mask: str = "none"
    seed: int = 0

    def build(self) -> np.ndarray:
        rng = np.random.default_rng(self.seed)
        h, w = self.shape
        base_shape = {
            "strided": (2 * h, 2 * w),
            "transposed": (w, h),
        }.get(self.layout, (h, w))
        base = _fill(rng, base_shape, np.dtype(self.dtype), self.fill, self.scale, self.specials)
        dt = base.dtype
        if dt.itemsize > 1:
            base = base.astype(dt.newbyteorder(self.byteorder))
        if self.layout == "F":
            arr = np.asfortranarray(base)
        elif self.layout == "strided":
            arr = base[1::2, ::2]
        elif self.layout == "reversed":
            arr = base[::-1, ::-1]
        elif self.layout == "transposed":
            arr = base.T
        else:
            arr = base
        assert arr.shape == (h, w), (arr.shape, self)
        if self.mask == "none":
            return arr
        if self.mask == "all":
            mask = np.ones((h, w), bool)
        elif self.mask == "explicit_false":
            mask = np.zeros((h, w), bool)
        else:
            mask = rng.random((h, w)) < 0.2
        return np.ma.masked_array(arr, mask=mask)


def _float_specials(dt: np.dtype) -> np.ndarray:
    fi = np.finfo(dt)
    sub = fi.smallest_subnormal
    return np.array(
        [np.nan, np.inf, -np.inf, -0.0, 0.0, sub, -sub, fi.tiny, fi.max, -fi.max, fi.eps, 1.0],
        dtype=dt,
    )


def _fill(rng: np.random.Generator, shape: tuple[int, int], dt: np.dtype, fill: str,
          scale: float, specials: float) -> np.ndarray:
    if dt.kind == "b":
        if fill in ("constant", "all_bad"):
            return np.full(shape, fill == "constant", dtype=bool)
        return rng.random(shape) < 0.5
    if dt.kind in "iu":
        info = np.iinfo(dt)
        if fill == "full_range":
            out = rng.integers(info.min, info.max, size=shape, dtype=dt, endpoint=True)
        elif fill == "specials":
            pool = np.array(sorted({info.min, info.max, 0, 1, info.max - 1, info.min + 1}), dt)
            out = rng.choice(pool, size=shape)
        elif fill in ("constant", "all_bad"):
            out = np.full(shape, info.max if fill == "all_bad" else info.min, dtype=dt)
        elif fill == "offset":  # a tiny range near the top of the type
            out = rng.integers(info.max - 2, info.max, size=shape, dtype=dt, endpoint=True)
        elif fill == "ramp":
            out = (np.arange(shape[0] * shape[1]) % 251).reshape(shape).astype(dt)
        else:
            x = rng.normal(0, 20 * scale, size=shape)
            out = np.clip(x, info.min, info.max).astype(dt)
        return out
    # floats
    fi = np.finfo(dt)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        if fill == "full_range":
            x = rng.uniform(-1, 1, size=shape) * float(fi.max)
        elif fill == "specials":
            x = rng.choice(_float_specials(dt), size=shape)
        elif fill == "constant":
            x = np.full(shape, scale)
        elif fill == "offset":  # 1e12 + 1e-3 * x: a tiny range around a huge offset
            x = 1e12 * scale + 1e-3 * rng.normal(size=shape)
        elif fill == "ramp":
            x = np.linspace(-scale, scale, shape[0] * shape[1]).reshape(shape)
        elif fill == "all_bad":
            x = rng.choice(np.array([np.nan, np.inf, -np.inf]), size=shape)
        else:
            x = rng.normal(size=shape) * scale
        out = x.astype(dt)
        if specials and fill != "all_bad":
            hit = rng.random(shape) < specials
            out[hit] = rng.choice(_float_specials(dt), size=int(hit.sum()))
    return out


class _Pick:
    """The choices a recipe makes, answered from one seed.

    Hypothesis only draws the seed. Derandomised Hypothesis spends much of a
    small example budget on mutations of a few examples; a seed gives every
    example a fresh recipe, and a failing one prints in full (the recipe is the
    reproduction; it does not shrink).
    """

    def __init__(self, seed: int) -> None:
        self._rng = np.random.default_rng(seed)

    def int(self, lo: int, hi: int) -> int:
        return int(self._rng.integers(lo, hi, endpoint=True))

    def choice(self, options: Sequence[Any]) -> Any:
        return options[int(self._rng.integers(len(options)))]

    def real(self, lo: float, hi: float) -> float:
        return float(self._rng.uniform(lo, hi))


_WIDE_TALL = ((1, 5000), (5000, 1), (2, 3000), (3000, 2), (1, 1), (7, 1200))
_LARGE = ((1500, 1500), (2000, 700), (3000, 3000), (1024, 2048))


def _shape(pick: _Pick, large: bool) -> tuple[int, int]:
    if large:
        return pick.choice(_LARGE)
    kind = pick.int(0, 9)
    if kind == 9:
        return pick.choice(_WIDE_TALL)
    if kind == 8:
        return (pick.int(49, 400), pick.int(49, 400))
    return (pick.int(1, 48), pick.int(1, 48))


def _array_spec(pick: _Pick, large: bool = False,
                dtypes: tuple[str, ...] = NUMERIC_DTYPES) -> ArraySpec:
    shape = _shape(pick, large)
    floats = tuple(d for d in dtypes if np.dtype(d).kind == "f")
    # half floats: NaN, infinities, subnormals and overflow live there
    dtype = pick.choice(floats if floats and pick.int(0, 1) else dtypes)
    is_float = np.dtype(dtype).kind == "f"
    fill = pick.choice(FILLS)
    if large:  # keep the big ones affordable to build: no full-range/specials pools
        fill = pick.choice(("normal", "ramp", "offset", "constant"))
    scale = pick.choice((1.0, 1e-30, 1e30, 1e300, 3.0)) if is_float else 1.0
    specials = pick.choice((0.0, 0.0, 0.01, 0.3)) if is_float else 0.0
    return ArraySpec(
        shape=shape,
        dtype=dtype,
        byteorder=pick.choice("<>"),
        layout=pick.choice(LAYOUTS),
        fill=fill,
        scale=scale,
        specials=specials,
        mask=pick.choice(MASKS),
        seed=pick.int(0, 2**32 - 1),
    )


def _seeded(build: Any) -> st.SearchStrategy[Any]:
    return st.integers(0, 2**63 - 1).map(lambda seed: build(_Pick(seed)))


def image_call_from_seed(seed: int, large: bool = False) -> Call:
    """The call :func:`image_calls` makes from ``seed`` (to reproduce a failure)."""
    return _image_call(_Pick(seed), large)


def batch_call_from_seed(seed: int) -> Call:
    """The call :func:`batch_calls` makes from ``seed``."""
    return _batch_call(_Pick(seed))


def array_specs(*, large: bool = False,
                dtypes: tuple[str, ...] = NUMERIC_DTYPES) -> st.SearchStrategy[ArraySpec]:
    """An :class:`ArraySpec`: small to very wide/tall shapes, or (``large``) big ones."""
    return _seeded(lambda pick: _array_spec(pick, large, dtypes))


def reference_float64(values: np.ndarray) -> np.ndarray:
    """What the data is, independently of figwriter: float64, NaN in masked cells."""
    if isinstance(values, np.ma.MaskedArray):
        return np.ma.filled(values.astype(np.float64), np.nan)
    return np.asarray(values, dtype=np.float64)


# -- options -----------------------------------------------------------------------------
@dataclass
class Call:
    """One call's arguments (``values`` is built from ``spec`` by :meth:`values`)."""

    spec: ArraySpec | list[ArraySpec]
    dataformats: str | object
    kwargs: dict[str, Any]
    invalid: frozenset[str] = frozenset()
    may_refuse: frozenset[str] = frozenset()
    batch_as_list: bool = False
    notes: tuple[str, ...] = field(default=())

    def values(self) -> Any:
        """The ``values`` argument in the layout ``dataformats`` says."""
        fmt = self.dataformats if isinstance(self.dataformats, str) else "HW"
        if isinstance(self.spec, list):
            panels = [s.build() for s in self.spec]
            per = fmt[1:] if fmt.upper() in ("NHW", "NCHW", "NHWC") else "HW"
            laid = [_lay_out(p, per) for p in panels]
            if self.batch_as_list:
                return laid
            stack = np.ma.stack if any(np.ma.isMaskedArray(p) for p in laid) else np.stack
            return stack(laid)
        return _lay_out(self.spec.build(), fmt)

    def panels_hw(self) -> list[np.ndarray]:
        """The data as (H, W) arrays, before any dataformats."""
        specs = self.spec if isinstance(self.spec, list) else [self.spec]
        return [s.build() for s in specs]


def _lay_out(a: np.ndarray, fmt: str) -> np.ndarray:
    fmt = fmt.upper()
    if fmt == "WH":
        return a.T
    if fmt == "CHW":
        return a[None]
    if fmt == "HWC":
        return a[..., None]
    return a


_CMAP_NAMES = ("viridis", "magma", "gray", "RdBu_r", "tab10", "jet", "Greys", "twilight",
               "coolwarm_r")


def _cmap_instances() -> list[mcolors.Colormap]:
    return [
        colormaps["plasma"].with_extremes(bad="red", under="blue", over="magenta"),
        mcolors.ListedColormap(["#102030", "#f0e0d0", "#30a050"], name="three"),
        mcolors.LinearSegmentedColormap.from_list("two", ["black", "orange"], N=7),
        colormaps["cividis"].resampled(5),
    ]


def _norms() -> list[mcolors.Normalize]:
    return [
        mcolors.Normalize(),
        mcolors.Normalize(vmin=-1.0, vmax=1.0),
        mcolors.LogNorm(),
        mcolors.LogNorm(vmin=1e-3, vmax=1e3),
        mcolors.SymLogNorm(linthresh=0.1),
        mcolors.PowerNorm(gamma=0.5),
        mcolors.CenteredNorm(),
        mcolors.TwoSlopeNorm(vcenter=0.0),
        mcolors.AsinhNorm(),
    ]


_SPECIAL_LIMITS = (0.0, -0.0, 1.0, -1.0, 1e-300, 5e-324, 1e300, -1e300, 1e12)


def _finite(pick: _Pick) -> float:
    if pick.int(0, 2) == 0:
        return float(pick.choice(_SPECIAL_LIMITS))
    return pick.real(-1e6, 1e6)


def _options(pick: _Pick, *, batch: bool,
             bad: bool) -> tuple[dict[str, Any], set[str], set[str]]:
    """Keyword options; returns (kwargs, invalid on purpose, may refuse).

    Only when ``bad`` is each argument made invalid, with a small chance each.
    """
    kw: dict[str, Any] = {}
    invalid: set[str] = set()
    may: set[str] = set()

    def spoil(name: str, chance: int = 6) -> bool:
        if bad and pick.int(1, chance) == 1:
            invalid.add(name)
            return True
        return False

    if spoil("cmap"):
        kw["cmap"] = pick.choice(["viridiss", "not_a_colormap", "", 3, ["viridis"], object()])
    else:
        c = pick.int(0, 2)
        if c == 1:
            kw["cmap"] = pick.choice(_CMAP_NAMES)
        elif c == 2:
            kw["cmap"] = pick.choice(_cmap_instances())

    norm: Any = "linear"
    if spoil("norm"):
        kw["norm"] = pick.choice(["logg", "Linear", "lin", 5, None, 1.0])
    else:
        n = pick.int(0, 6)
        if 1 <= n <= 3:
            norm = kw["norm"] = pick.choice(["linear", "log", "symlog"])
        elif n >= 4:
            norm = kw["norm"] = pick.choice(_norms())
    is_instance = isinstance(norm, mcolors.Normalize)
    is_log = norm == "log" or isinstance(norm, mcolors.LogNorm)
    lo, hi = (1e-100, 1e100) if is_log else (-1e300, 1e300)

    for name in ("vmin", "vmax"):
        if spoil(name, 10):
            kw[name] = pick.choice([float("nan"), float("inf"), -float("inf"), "1", b"0", [1.0],
                                    True, 1e301 if not is_log else 1e-101])
        elif is_instance and spoil(name, 4):
            kw[name] = _finite(pick)  # limits belong on the Normalize instance
        elif not is_instance and pick.int(0, 2) == 0:
            v = _finite(pick)
            kw[name] = abs(v) if is_log and v <= 0 and pick.int(0, 3) else v
    vmin, vmax = kw.get("vmin"), kw.get("vmax")
    if isinstance(vmin, float) and isinstance(vmax, float) and vmin > vmax:
        if not bad:
            kw["vmin"], kw["vmax"] = vmax, vmin
        elif math.isfinite(vmin) and math.isfinite(vmax):
            invalid |= {"vmin", "vmax"}
    for name in ("vmin", "vmax"):
        v = kw.get(name)
        if is_log and isinstance(v, float) and math.isfinite(v) and not lo <= v <= hi:
            invalid.add(name)  # a log scale shows positive limits, 100 decades each way
    if is_log:
        # a log norm over data with no positive value cannot pick limits
        may.add("values")

    if spoil("robust", 10):
        kw["robust"] = pick.choice(["yes", 1, None])
    elif pick.int(0, 3) == 0:
        kw["robust"] = pick.choice([True, np.bool_(True), False])

    if spoil("center", 10):
        kw["center"] = pick.choice([float("nan"), 1e301])
    elif pick.int(0, 4) == 0:
        if is_instance or is_log:
            if spoil("center", 2):
                kw["center"] = _finite(pick)
        else:
            kw["center"] = _finite(pick)

    if spoil("renderer", 10):
        kw["renderer"] = pick.choice(["agg", "Fast", None])
    else:
        kw["renderer"] = pick.choice(["fast", "matplotlib"])

    name = "label" if batch else pick.choice(["title", "label"])
    if spoil(name, 10):
        kw[name] = 7
    elif pick.int(0, 2) == 0:
        kw["label"] = pick.choice(["", "m/s", "tempér ature °C", "x" * 80])
        if not batch:
            kw["title"] = pick.choice([None, "", "step", "a long title " * 6])

    if is_instance:
        # a norm's own settings that the data cannot satisfy are the norm's fault
        may.add("norm")
    return kw, invalid, may


def _dataformats(pick: _Pick, batch: bool, bad: bool) -> tuple[Any, set[str]]:
    if bad and pick.int(0, 9) == 0:
        return pick.choice(["HW", "NWH", 3] if batch else ["NHW", "XY", 3, None]), {"dataformats"}
    return pick.choice(["NHW", "NCHW", "NHWC", "nhw"] if batch
                       else ["HW", "WH", "CHW", "HWC", "hw"]), set()


def _image_call(pick: _Pick, large: bool) -> Call:
    spec = _array_spec(pick, large)
    bad = pick.int(0, 3) == 0  # a quarter of the calls get invalid arguments
    fmt, bad_fmt = _dataformats(pick, batch=False, bad=bad)
    kw, invalid, may = _options(pick, batch=False, bad=bad)
    return Call(spec, fmt, kw, frozenset(invalid | bad_fmt), frozenset(may))


def image_calls(*, large: bool = False) -> st.SearchStrategy[Call]:
    """Arguments of one ``add_colormapped_image`` call."""
    return _seeded(lambda pick: _image_call(pick, large))


def _batch_call(pick: _Pick) -> Call:
    n = pick.int(1, 9)
    same = pick.int(0, 1) == 1
    first = _array_spec(pick)
    if first.shape[0] * first.shape[1] > 20000:  # keep batches small
        first = replace(first, shape=(first.shape[0] % 64 + 1, 33))
    specs = [first]
    for _ in range(n - 1):
        other = _array_spec(pick)
        shape = first.shape if same else (other.shape[0] % 40 + 1, other.shape[1] % 40 + 1)
        specs.append(replace(other, shape=shape))
    as_list = not same or pick.int(0, 1) == 1
    bad = pick.int(0, 3) == 0
    fmt, bad_fmt = _dataformats(pick, batch=True, bad=bad)
    kw, invalid, may = _options(pick, batch=True, bad=bad)
    invalid |= bad_fmt
    if bad and pick.int(0, 9) == 0:
        kw["shared_scale"] = "no"
        invalid.add("shared_scale")
    elif pick.int(0, 1):
        kw["shared_scale"] = pick.choice([True, False])
    if bad and pick.int(0, 9) == 0:
        kw["ncols"] = pick.choice([0, -1, 2.5])
        invalid.add("ncols")
    elif pick.int(0, 1):
        kw["ncols"] = pick.int(1, 12)
    if bad and pick.int(0, 9) == 0:
        kw["titles"] = pick.choice([["only one"] * (n + 1), "abc", [1] * n])
        invalid.add("titles")
    elif pick.int(0, 2) == 0:
        kw["titles"] = [f"panel {i}" if i % 3 else None for i in range(n)]
    return Call(specs, fmt, kw, frozenset(invalid), frozenset(may), batch_as_list=as_list)


def batch_calls() -> st.SearchStrategy[Call]:
    """Arguments of one ``add_colormapped_images`` call (panels of one or several shapes)."""
    return _seeded(_batch_call)
