"""Resolve: data to a small immutable colour scale. Pure; nothing is drawn here.

Every colour decision (limits, norm, colormap, which ends of the colour bar get
an extension triangle) is made once, from the data and the options, before any
renderer runs. Both renderers draw exactly what the :class:`ColorScale` says.
Non-finite values (NaN, +-inf, masked cells) are "bad": they never move the
limits and are painted in the colormap's bad colour.
"""

from __future__ import annotations

import copy
import difflib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Union

import numpy as np
from matplotlib import colormaps
from matplotlib import colors as mcolors

__all__ = [
    "ColorScale",
    "ScaleOptions",
    "scale_options",
    "resolve_scale",
    "get_cmap",
    "NormLike",
    "CmapLike",
]

NormLike = Union[str, mcolors.Normalize]
CmapLike = Union[str, mcolors.Colormap, None]
Extend = Literal["neither", "min", "max", "both"]

DEFAULT_CMAP = "viridis"
DEFAULT_DIVERGING_CMAP = "RdBu_r"
ROBUST_PERCENTILES = (2.0, 98.0)
#: symlog's linear range, as a fraction of the largest absolute limit.
SYMLOG_LINTHRESH_FRACTION = 1e-2
_NORM_NAMES = ("linear", "log", "symlog")
#: Limits stay inside these windows: beyond them the colour bar's arithmetic
#: (extension triangles reach a whole range past each limit, tick locators offset
#: and scale the range) overflows float64. Finite data beyond a window counts as
#: at its edge (the bar shows an extension triangle); explicit limits beyond it
#: are refused.
LIMIT_MAX = 1e300
LOG_LIMITS = (1e-100, 1e100)


def _window(is_log: bool) -> tuple[float, float]:
    return LOG_LIMITS if is_log else (-LIMIT_MAX, LIMIT_MAX)


@dataclass(frozen=True)
class ColorScale:
    """Everything a renderer needs to colour data and draw its colour bar.

    Attributes
    ----------
    cmap : matplotlib.colors.Colormap
        The colormap, with its bad, under and over colours.
    norm : matplotlib.colors.Normalize
        A private normalisation whose ``vmin``/``vmax`` equal the fields below.
        Renderers must not modify it.
    vmin, vmax : float
        The resolved limits, already widened when the data is constant.
    extend : {"neither", "min", "max", "both"}
        Which ends of the colour bar show a triangle because finite data was
        clipped there.
    """

    cmap: mcolors.Colormap
    norm: mcolors.Normalize
    vmin: float
    vmax: float
    extend: Extend

    @property
    def norm_name(self) -> str:
        """``"linear"``, ``"log"``, ``"symlog"`` or the norm's class name."""
        if type(self.norm) is mcolors.Normalize:
            return "linear"
        if type(self.norm) is mcolors.LogNorm:
            return "log"
        if type(self.norm) is mcolors.SymLogNorm:
            return "symlog"
        return type(self.norm).__name__


def get_cmap(cmap: CmapLike, *, diverging: bool = False) -> mcolors.Colormap:
    """A Colormap from a name or a Colormap (None picks the default).

    Unknown names raise a ValueError that suggests close registered names.
    """
    if cmap is None:
        return colormaps[DEFAULT_DIVERGING_CMAP if diverging else DEFAULT_CMAP]
    if isinstance(cmap, mcolors.Colormap):
        return cmap
    if isinstance(cmap, str):
        try:
            return colormaps[cmap]
        except KeyError:
            names = list(colormaps)
            close = difflib.get_close_matches(cmap, names, n=3, cutoff=0.5)
            if not close:
                lowered = {n.lower(): n for n in names}
                close = [lowered[n] for n in difflib.get_close_matches(cmap.lower(), lowered)]
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise ValueError(
                f"cmap must be a registered matplotlib colormap name or a Colormap; "
                f"got unknown name {cmap!r}{hint}"
            ) from None
    raise TypeError(
        f"cmap must be a colormap name (str) or a matplotlib.colors.Colormap; "
        f"got {type(cmap).__name__}"
    )


def _check_limit(value: object, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a real number or None; got {type(value).__name__}")
    if not isinstance(value, (int, float, np.number)):
        # 0-d arrays and tensors with __float__ are fine.
        if not hasattr(value, "__float__") or isinstance(value, (str, bytes)):
            raise TypeError(f"{name} must be a real number or None; got {type(value).__name__}")
    try:
        f = float(value)  # type: ignore[arg-type,unused-ignore]
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a real number or None; got {value!r}") from err
    if not math.isfinite(f):
        raise ValueError(f"{name} must be finite; got {f}")
    return f


@dataclass(frozen=True)
class _Stats:
    """Finite min/max over all arrays, and whether any value is finite."""

    lo: float
    hi: float
    any_finite: bool


def _finite_minmax(arrays: Sequence[np.ndarray], positive: bool = False) -> _Stats:
    lo, hi = math.inf, -math.inf
    for a in arrays:
        if a.size == 0:
            continue
        if not positive:
            # fmin/fmax ignore NaN and are one fast pass each; only when an
            # infinity shows up do we pay for a finite mask.
            amin = float(np.fmin.reduce(a, axis=None))
            amax = float(np.fmax.reduce(a, axis=None))
            if math.isfinite(amin) and math.isfinite(amax):
                lo, hi = min(lo, amin), max(hi, amax)
                continue
        finite = a[np.isfinite(a)]
        if positive:
            finite = finite[finite > 0]
        if finite.size:
            lo, hi = min(lo, float(finite.min())), max(hi, float(finite.max()))
    return _Stats(lo, hi, math.isfinite(lo))


def _finite_values(arrays: Sequence[np.ndarray], positive: bool) -> np.ndarray:
    parts = []
    for a in arrays:
        flat = a.ravel()
        keep = np.isfinite(flat)
        if positive:
            keep &= flat > 0
        parts.append(flat[keep])
    return np.concatenate(parts) if parts else np.empty(0)


def _nonsingular(vmin: float, vmax: float, expander: float = 0.1,
                 tiny: float = 1e-15) -> tuple[float, float]:
    """Widen a range too narrow to draw, by the rule matplotlib's colorbar applies.

    The same arithmetic as ``matplotlib.transforms.nonsingular`` with the
    colorbar's ``expander=0.1`` (that function is deprecated from Matplotlib 3.11
    on, so it is not called): limits whose spread is within ``tiny`` of their
    magnitude move apart by ``expander`` times their own size, and limits that
    are both zero or nearly so become ``(-expander, expander)``.
    """
    maxabs = max(abs(vmin), abs(vmax))
    if maxabs < (1e6 / tiny) * np.finfo(float).tiny:
        return -expander, expander
    if vmax - vmin <= maxabs * tiny:
        if vmin == 0 and vmax == 0:
            return -expander, expander
        return vmin - expander * abs(vmin), vmax + expander * abs(vmax)
    return vmin, vmax


def _drawable(norm: mcolors.Normalize, extend: Extend) -> bool:
    """Whether a colour bar can map its ends (and extension triangles) back to data."""
    probe = [0.0, 1.0]
    if extend in ("min", "both"):
        probe.append(-1.0)
    if extend in ("max", "both"):
        probe.append(2.0)
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            ends = np.ma.filled(np.ma.asarray(norm.inverse(np.array(probe))), np.nan)
    except ArithmeticError:
        return False
    except ValueError:  # not invertible (BoundaryNorm): its bar is drawn another way
        return True
    # the bar's own ends must map to finite data; beyond them, an infinite inverse
    # is some norms' design (TwoSlopeNorm extrapolates to -inf/+inf) and draws fine
    return bool(np.all(np.isfinite(ends[:2])))


def _make_norm(norm: NormLike, vmin: float, vmax: float) -> mcolors.Normalize:
    if norm == "linear":
        return mcolors.Normalize(vmin=vmin, vmax=vmax)
    if norm == "log":
        return mcolors.LogNorm(vmin=vmin, vmax=vmax)
    if norm == "symlog":
        linthresh = SYMLOG_LINTHRESH_FRACTION * max(abs(vmin), abs(vmax))
        return mcolors.SymLogNorm(linthresh=linthresh or 1.0, vmin=vmin, vmax=vmax, base=10)
    raise AssertionError(norm)  # pragma: no cover - checked by the caller


@dataclass(frozen=True)
class ScaleOptions:
    """The user's colour options, validated; no data seen yet.

    Built by :func:`scale_options`, which raises for every bad option before any
    data is touched (so a background writer can refuse a call on the caller's
    thread).
    """

    cmap: mcolors.Colormap
    vmin: float | None
    vmax: float | None
    robust: bool
    center: float | None
    norm: NormLike
    is_log: bool


def scale_options(
    *,
    cmap: CmapLike = None,
    vmin: float | None = None,
    vmax: float | None = None,
    robust: bool = False,
    center: float | None = None,
    norm: NormLike = "linear",
) -> ScaleOptions:
    """Validate colour options; see :func:`resolve_scale` for their meaning."""
    vmin = _check_limit(vmin, "vmin")
    vmax = _check_limit(vmax, "vmax")
    center = _check_limit(center, "center")
    if not isinstance(robust, (bool, np.bool_)):
        raise TypeError(f"robust must be True or False; got {type(robust).__name__}")
    if vmin is not None and vmax is not None and vmin > vmax:
        raise ValueError(f"vmin must be less than or equal to vmax; got vmin={vmin}, vmax={vmax}")
    if isinstance(norm, mcolors.Normalize):
        vmin, vmax = _check_norm_instance(norm, vmin, vmax, center)
        is_log = isinstance(norm, mcolors.LogNorm)
    elif isinstance(norm, str):
        is_log = _check_norm_name(norm, center)
    else:
        raise TypeError(
            f"norm must be 'linear', 'log', 'symlog' or a matplotlib.colors.Normalize; "
            f"got {type(norm).__name__}"
        )
    _check_in_window(norm, vmin, vmax, center, is_log)
    if isinstance(norm, mcolors.Normalize):
        # a private copy with its own callbacks: nothing we do reaches the user's
        norm = copy.copy(norm)
        norm.callbacks = type(norm.callbacks)(signals=["changed"])
    return ScaleOptions(
        cmap=get_cmap(cmap, diverging=center is not None),
        vmin=vmin,
        vmax=vmax,
        robust=bool(robust),
        center=center,
        norm=norm,
        is_log=is_log,
    )


def _check_norm_instance(norm: mcolors.Normalize, vmin: float | None, vmax: float | None,
                         center: float | None) -> tuple[float | None, float | None]:
    """A Normalize's own limits, when no other limit is given."""
    if vmin is not None or vmax is not None:
        raise ValueError(
            "vmin/vmax cannot be combined with a Normalize instance; "
            "set the limits on the norm itself"
        )
    if center is not None:
        raise ValueError(
            "center cannot be combined with a Normalize instance; "
            "use matplotlib.colors.TwoSlopeNorm or CenteredNorm as norm instead"
        )
    vmin = _check_limit(norm.vmin, "norm.vmin")
    vmax = _check_limit(norm.vmax, "norm.vmax")
    if vmin is not None and vmax is not None and vmin > vmax:
        raise ValueError(
            f"norm.vmin must be less than or equal to norm.vmax; got vmin={vmin}, vmax={vmax}"
        )
    return vmin, vmax


def _check_norm_name(norm: str, center: float | None) -> bool:
    """Whether the named norm is a log norm (unknown names are refused)."""
    if norm not in _NORM_NAMES:
        close = difflib.get_close_matches(norm, _NORM_NAMES, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ValueError(
            f"norm must be 'linear', 'log', 'symlog' or a matplotlib.colors.Normalize; "
            f"got {norm!r}{hint}"
        )
    is_log = norm == "log"
    if is_log and center is not None:
        raise ValueError("center cannot be combined with norm='log'")
    return is_log


def _check_in_window(norm: NormLike, vmin: float | None, vmax: float | None,
                     center: float | None, is_log: bool) -> None:
    """Limits a colour bar can be drawn with: positive for log, inside the window."""
    if is_log and vmin is not None and vmin <= 0:
        raise ValueError(f"vmin must be positive for a log norm; got vmin={vmin}")
    if is_log and vmax is not None and vmax <= 0:
        raise ValueError(f"vmax must be positive for a log norm; got vmax={vmax}")
    w_lo, w_hi = _window(is_log)
    prefix = "norm." if isinstance(norm, mcolors.Normalize) else ""
    # a TwoSlopeNorm's or CenteredNorm's centre is a limit of its own
    vcenter = _check_limit(getattr(norm, "vcenter", None), "norm.vcenter")
    for name, value in ((prefix + "vmin", vmin), (prefix + "vmax", vmax), ("center", center),
                        ("norm.vcenter", vcenter)):
        if value is not None and not w_lo <= value <= w_hi:
            raise ValueError(
                f"{name} must be between {w_lo:g} and {w_hi:g}"
                + (" for a log norm" if is_log else "")
                + f" (a colour bar cannot be drawn beyond); got {name}={value:g}"
            )


def resolve_scale(arrays: Sequence[np.ndarray], options: ScaleOptions | None = None,
                  **kwargs: object) -> ColorScale:
    """Resolve one colour scale for one or more float arrays (NaN = bad).

    Parameters
    ----------
    arrays
        The data, as returned by the convert stage. Limits are taken over all of
        them together (a batch shares one scale).
    options
        Validated options from :func:`scale_options`; or pass the same keywords
        here instead:

        cmap
            Colormap name or instance. ``None`` is ``"viridis"``, or ``"RdBu_r"``
            when ``center`` is given.
        vmin, vmax
            Explicit limits. Missing ones come from the finite data: its minimum
            and maximum, or its 2nd and 98th percentiles with ``robust=True``.
        center
            Makes the limits symmetric around this value (a diverging scale).
        norm
            ``"linear"``, ``"log"``, ``"symlog"`` or a ``matplotlib.colors.Normalize``
            (copied, never modified; its own limits are used where set).

    Examples
    --------
    >>> s = resolve_scale([np.array([[0.0, np.nan], [2.0, np.inf]])])
    >>> (s.vmin, s.vmax, s.extend)
    (0.0, 2.0, 'neither')
    >>> resolve_scale([np.array([[-1.0, 3.0]])], center=0).vmin
    -3.0
    """
    if options is None:
        options = scale_options(**kwargs)  # type: ignore[arg-type,unused-ignore]
    elif kwargs:
        raise TypeError("pass either options or keywords, not both")
    pos_stats, lo, hi = _data_range(arrays, options)
    vmin, vmax, center = options.vmin, options.vmax, options.center
    if vmin is None:
        vmin = lo if vmax is None or lo <= vmax else vmax
    if vmax is None:
        vmax = hi if hi >= vmin else vmin
    if center is not None:
        vrange = max(vmax - center, center - vmin)
        vmin, vmax = center - vrange, center + vrange
    the_norm = None
    if isinstance(options.norm, mcolors.Normalize):
        the_norm, vmin, vmax = _own_norm(options.norm, vmin, vmax)
    vmin, vmax = _drawable_limits(float(vmin), float(vmax), options.is_log)
    # under a log norm, values <= 0 are bad (matplotlib masks them), not clipped
    extend: Extend = "neither"
    if pos_stats.any_finite:
        below = pos_stats.lo < vmin
        above = pos_stats.hi > vmax
        extend = "both" if below and above else "min" if below else "max" if above else "neither"
    the_norm = _final_norm(options.norm, the_norm, vmin, vmax, extend)
    return ColorScale(
        cmap=options.cmap, norm=the_norm, vmin=float(vmin), vmax=float(vmax), extend=extend
    )


def _data_range(arrays: Sequence[np.ndarray],
                options: ScaleOptions) -> tuple[_Stats, float, float]:
    """The finite data's statistics and the limits it suggests (percentiles if robust)."""
    vmin, vmax, is_log = options.vmin, options.vmax, options.is_log
    stats = _finite_minmax(arrays)
    pos_stats = _finite_minmax(arrays, positive=True) if is_log else stats
    if is_log and not pos_stats.any_finite and stats.any_finite and (vmin is None or vmax is None):
        raise ValueError(
            "values must contain at least one positive finite value for norm='log' "
            f"(finite values range from {stats.lo:g} to {stats.hi:g}); "
            "pass vmin and vmax, or use norm='symlog'"
        )
    w_lo, w_hi = _window(is_log)
    lo, hi = min(max(pos_stats.lo, w_lo), w_hi), min(max(pos_stats.hi, w_lo), w_hi)
    if options.robust and pos_stats.any_finite and (vmin is None or vmax is None):
        finite = _finite_values(arrays, positive=is_log)
        if finite.dtype.itemsize > 4:  # float32 data lies inside the window
            # clipped into the window first: percentiles of +-1.8e308 overflow
            finite = np.clip(finite, w_lo, w_hi)
        plo, phi = np.percentile(finite, ROBUST_PERCENTILES)
        lo, hi = float(plo), float(phi)
    if not pos_stats.any_finite:
        # nothing finite to scale by: all cells are bad, any valid limits do
        lo, hi = (1.0, 10.0) if is_log else (0.0, 1.0)
    return pos_stats, lo, hi


def _own_norm(norm: mcolors.Normalize, vmin: float,
              vmax: float) -> tuple[mcolors.Normalize, float, float]:
    """A copy of the user's norm, its unset limits filled as ``imshow`` fills them."""
    the_norm = copy.copy(norm)
    the_norm.callbacks = type(norm.callbacks)(signals=["changed"])
    # the norm fills the limits it leaves unset itself, as it does under
    # imshow: a CenteredNorm stays symmetric, a TwoSlopeNorm keeps vcenter inside
    the_norm.autoscale_None(np.array([vmin, vmax], dtype=float))
    lo, hi = float(the_norm.vmin), float(the_norm.vmax)  # type: ignore[arg-type]
    w_lo, w_hi = _window(False)  # (a log norm's own limits were checked already)
    if not w_lo <= lo <= hi <= w_hi:  # centred on the norm's vcenter, past the window
        raise ValueError(
            f"norm={type(norm).__name__} centred at {getattr(norm, 'vcenter', 0.0):g} needs "
            f"limits from {lo:g} to {hi:g} for these values, beyond what a colour bar can "
            f"draw ({w_lo:g} to {w_hi:g}); set vmin and vmax (or halfrange) on the norm, or "
            "clip the values"
        )
    return the_norm, lo, hi


def _drawable_limits(vmin: float, vmax: float, is_log: bool) -> tuple[float, float]:
    """Limits widened as matplotlib's colour bar widens them, kept inside the window."""
    w_lo, w_hi = _window(is_log)
    # constant data, or limits too close to tell apart: widen as matplotlib's colorbar does
    wide_lo, wide_hi = _nonsingular(vmin, vmax)
    if is_log and wide_lo <= 0:
        # only for limits within ~1e-287 of zero, which a log scale cannot show
        wide_lo, wide_hi = (vmin, vmax) if vmin < vmax else (vmin / 10.0, vmax * 10.0)
    # centring or widening may have pushed a limit out of the drawable window; both
    # never land on one edge (limits start inside it, and widening moves them apart)
    return min(max(wide_lo, w_lo), w_hi), min(max(wide_hi, w_lo), w_hi)


def _final_norm(norm: NormLike, the_norm: mcolors.Normalize | None, vmin: float, vmax: float,
                extend: Extend) -> mcolors.Normalize:
    """The scale's norm: made from its name, or the user's copy set to the limits."""
    if the_norm is None:
        return _make_norm(norm, vmin, vmax)
    if (the_norm.vmin, the_norm.vmax) != (vmin, vmax):
        the_norm.vmin, the_norm.vmax = vmin, vmax
    if not _drawable(the_norm, extend):
        raise ValueError(
            f"norm={type(the_norm).__name__} cannot draw a colour bar from {vmin:g} to "
            f"{vmax:g} (its arithmetic overflows float64); set narrower vmin and vmax "
            f"on the norm, or clip the values"
        )
    return the_norm
