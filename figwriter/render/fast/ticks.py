"""Ticks: the colour bar's and the image axes' ticks, from matplotlib's own locators.

The colour bar's tick values and labels come from the locator and formatter
matplotlib's ``colorbar()`` would use for the norm (the norm's own scale, a
linear scale for ``Normalize``, a function scale for other norms), driven by a
light stand-in for the colour bar's long axis that has its view limits, minimum
positive value and tick space (from the bar's length in pixels at
:data:`~figwriter.render.fast.text.DPI`), so the labels, the offset text
(``1e-5``, ``+1e3``) and the Unicode minus are those ``colorbar()`` prints for a
bar of the same height. The image's rows and columns are ticked like
``imshow``'s axes (whole cells, in the array's own indices).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..._cache import BoundedCache
from .text import DPI

__all__ = ["BarTicks", "bar_ticks", "image_axis_ticks", "font_size", "tick_space"]


def _rc() -> Any:
    """matplotlib's rcParams (read, never written)."""
    import matplotlib

    return matplotlib.rcParams


class _BarAxis:
    """Just enough of a matplotlib ``YAxis`` for locators and formatters.

    Stands for the long axis of a vertical colour bar: its view limits, its
    minimum positive value (``dataLim.minposy``), its tick space (from the bar
    length in pixels, as ``YAxis.get_tick_space`` computes it), its scale.
    """

    __name__ = "colorbar-axis"  # not "yaxis": no Axes to transform through
    axis_name = "y"

    def __init__(self, scale: Any, view: tuple[float, float], minpos: float,
                 tick_space: int) -> None:
        self._scale = scale
        self._view = view
        self._minpos = minpos
        self._tick_space = tick_space
        self.major_locator: Any = None
        self.minor_locator: Any = None
        self.major_formatter: Any = None
        self.minor_formatter: Any = None

    # what ticker.py asks of an axis
    def get_view_interval(self) -> tuple[float, float]:
        return self._view

    def set_view_interval(self, vmin: float, vmax: float, ignore: bool = False) -> None:
        self._view = (vmin, vmax)

    def get_data_interval(self) -> tuple[float, float]:
        return self._view

    def set_data_interval(self, vmin: float, vmax: float, ignore: bool = False) -> None:
        pass

    def get_minpos(self) -> float:
        return self._minpos

    def get_tick_space(self) -> int:
        return self._tick_space

    def get_scale(self) -> str:
        return str(self._scale.name)

    def get_transform(self) -> Any:
        return self._scale.get_transform()

    def get_majorticklocs(self) -> np.ndarray:
        return np.asarray(self.major_locator())

    def _get_shared_axis(self) -> list[_BarAxis]:
        return [self]

    # what scales call to install their defaults
    def set_major_locator(self, locator: Any) -> None:
        locator.set_axis(self)
        self.major_locator = locator

    def set_minor_locator(self, locator: Any) -> None:
        locator.set_axis(self)
        self.minor_locator = locator

    def set_major_formatter(self, formatter: Any) -> None:
        self.major_formatter = self._formatter(formatter)

    def set_minor_formatter(self, formatter: Any) -> None:
        self.minor_formatter = self._formatter(formatter)

    def set(self, **kwargs: Any) -> None:
        for name, value in kwargs.items():
            getattr(self, f"set_{name}")(value)

    def _formatter(self, formatter: Any) -> Any:
        from matplotlib import ticker

        if isinstance(formatter, str):
            formatter = ticker.StrMethodFormatter(formatter)
        elif callable(formatter) and not isinstance(formatter, ticker.TickHelper):
            formatter = ticker.FuncFormatter(formatter)
        formatter.set_axis(self)
        return formatter


@dataclass(frozen=True)
class BarTicks:
    """The colour bar's ticks as ``colorbar()`` would draw them.

    Attributes
    ----------
    major, minor : tuple of (float, str)
        ``(position, label)`` of each visible tick, position 0 at the bar's
        bottom (``vmin``) and 1 at its top (``vmax``); minor labels are often
        empty.
    offset : str
        The axis offset text (``"1e−5"``, ``"+1e3"``) or ``""``.
    view : tuple of float
        The bar's data limits, as matplotlib derives them from the norm.
    tick_space : int
        How many ticks the locator was told fit.
    """

    major: tuple[tuple[float, str], ...]
    minor: tuple[tuple[float, str], ...]
    offset: str
    view: tuple[float, float]
    tick_space: int

    @property
    def labels(self) -> list[str]:
        """Every non-empty label, major then minor, bottom to top."""
        return [s for _, s in self.major if s] + [s for _, s in self.minor if s]


def _axis_scale(norm: Any) -> Any:
    """The long axis scale ``Colorbar._reset_locator_formatter_scale`` sets."""
    from matplotlib import colors, scale

    own = getattr(norm, "_scale", None)
    if own:
        return own
    if type(norm) is colors.Normalize:
        return scale.LinearScale(None)
    return scale.FuncScale(None, functions=(norm, norm.inverse))


def _bar_view(norm: Any, n: int, extend: str) -> tuple[float, float]:
    """``Colorbar._process_values`` + ``_draw_all``: the bar's data limits."""
    from matplotlib import colors

    if type(norm) is colors.Normalize:
        # Normalize.inverse is vmin + val * (vmax - vmin), elementwise
        vmin, vmax = np.float64(norm.vmin), np.float64(norm.vmax)
        return float(vmin + np.float64(0.0) * (vmax - vmin)), float(vmin + (vmax - vmin))
    b = np.linspace(0.0, 1.0, n + 1)
    lower, upper = extend in ("min", "both"), extend in ("max", "both")
    if lower:
        b = np.hstack((b[0] - 1, b))
    if upper:
        b = np.hstack((b, b[-1] + 1))
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        b = np.asarray(norm.inverse(b), dtype=float)
    inside = b[int(lower):len(b) - int(upper)]
    return float(inside[0]), float(inside[-1])


#: font sizes in points, by (rcParam, its value, font.size)
_SIZES: BoundedCache[float] = BoundedCache("render.fast.ticks.font_sizes", 256)


def font_size(rc_key: str) -> float:
    """A font size rcParam in points (cached by the rcParams it depends on)."""
    rcParams = _rc()

    value, base = rcParams[rc_key], rcParams["font.size"]
    key = (rc_key, value, base)
    size = _SIZES.get(key)
    if size is None:
        from matplotlib.font_manager import FontProperties

        size = _SIZES.put(key, float(FontProperties(size=value).get_size_in_points()))
    return size


def _tick_label_size() -> float:
    return font_size("ytick.labelsize")


def tick_space(length_px: float, label_size: float, factor: float = 2.0) -> int:
    """``YAxis.get_tick_space`` (factor 2) / ``XAxis`` (factor 3) for a length in pixels."""
    length = length_px / DPI * 72
    size = label_size * factor
    return int(np.floor(length / size)) if size > 0 else 2**31 - 1


_RC_TICK_KEYS = (
    "axes.formatter.limits", "axes.formatter.use_locale", "axes.formatter.use_mathtext",
    "axes.formatter.min_exponent", "axes.formatter.useoffset",
    "axes.formatter.offset_threshold", "axes.unicode_minus", "axes.autolimit_mode",
    "ytick.minor.visible", "ytick.minor.ndivs", "text.usetex", "_internal.classic_mode",
    "ytick.labelsize", "font.size",
)


def _rc_snapshot() -> tuple[Hashable, ...]:
    rcParams = _rc()

    out = []
    for k in _RC_TICK_KEYS:
        v = rcParams.get(k)
        out.append(tuple(v) if isinstance(v, list) else v)
    return tuple(out)


def _norm_params(norm: Any) -> Hashable | None:
    """What besides its limits decides a known norm's ticks (None: unknown norm)."""
    from matplotlib import colors

    kind = type(norm)
    if kind is colors.Normalize:
        return (kind,)
    if kind is colors.LogNorm:
        return (kind, norm._scale.base)
    if kind is colors.SymLogNorm:
        return (kind, norm.linthresh, norm._scale.linscale, norm._scale.base)
    return None


#: colour-bar ticks of the common norms, by norm parameters, limits, length, rcParams
_TICKS: BoundedCache[BarTicks] = BoundedCache("render.fast.ticks.bar_ticks", 1024)
#: stand-in axes with their scale's locators and formatters installed (creating a
#: ScalarFormatter costs a font lookup), by (norm parameters, rcParams); an axis
#: is lent to one render at a time
_KITS: BoundedCache[_BarAxis] = BoundedCache("render.fast.ticks.axes", 16)


def _nonsingular(vmin: float, vmax: float, expander: float) -> tuple[float, float]:
    from matplotlib import transforms

    # matplotlib 3.11 deprecated the public name in favour of a private one
    fn = getattr(transforms, "_nonsingular", None) or transforms.nonsingular
    lo, hi = fn(vmin, vmax, expander=expander)
    return float(lo), float(hi)


def _borrow_axis(norm: Any, key: Hashable | None) -> _BarAxis:
    """A stand-in axis with the scale's default locators and formatters."""
    axis = _KITS.pop(key) if key is not None else None
    if axis is None:
        scale = _axis_scale(norm)
        axis = _BarAxis(scale, (0.0, 1.0), math.inf, 9)
        scale.set_default_locators_and_formatters(axis)
    return axis


def bar_ticks(norm: Any, length_px: int, *, n: int = 256, extend: str = "neither",
              label_size: float | None = None) -> BarTicks:
    """Ticks of a vertical colour bar ``length_px`` pixels long (its interior).

    Mirrors ``Colorbar._reset_locator_formatter_scale``, ``_draw_all`` (view
    limits), ``update_ticks`` and ``Axis._update_ticks`` (which ticks are
    drawn, minor ticks that duplicate major ones removed, the offset text).
    Results for the common norms are cached by limits and bar length.

    Examples
    --------
    >>> from matplotlib.colors import Normalize
    >>> ticks = bar_ticks(Normalize(0.0, 1.0), 256)
    >>> [label for _, label in ticks.major]
    ['0.0', '0.2', '0.4', '0.6', '0.8', '1.0']
    >>> bar_ticks(Normalize(1e-5, 3e-5), 256).offset
    '1e−5'
    """
    with np.errstate(all="ignore"):  # extreme limits: matplotlib's own arithmetic
        return _bar_ticks(norm, length_px, n, extend, label_size)


def _bar_ticks(norm: Any, length_px: int, n: int, extend: str,
               label_size: float | None) -> BarTicks:
    size = _tick_label_size() if label_size is None else float(label_size)
    params = _norm_params(norm)
    rc = _rc_snapshot()
    vmin, vmax = float(norm.vmin), float(norm.vmax)
    cache_key = None
    if params is not None:
        cache_key = (params, vmin, vmax, bool(norm.clip), int(length_px), int(n), extend,
                     size, rc)
        hit = _TICKS.get(cache_key)
        if hit is not None:
            return hit
    lo, hi = _nonsingular(vmin, vmax, expander=0.1)
    if (lo, hi) != (vmin, vmax):  # Colorbar._process_values widens the norm itself
        norm = copy.copy(norm)
        norm.callbacks = type(norm.callbacks)(signals=["changed"])
        norm.vmin, norm.vmax = lo, hi
    view = _bar_view(norm, n, extend)
    space = tick_space(length_px, size)
    kit_key = (params, rc) if params is not None else None
    axis = _borrow_axis(norm, kit_key)
    try:
        ticks = _ticks_on(axis, view, space)
    finally:
        if kit_key is not None:
            _KITS.set(kit_key, axis)
    if cache_key is not None:
        _TICKS.put(cache_key, ticks)
    return ticks


def _ticks_on(axis: _BarAxis, view: tuple[float, float], space: int) -> BarTicks:
    """The visible ticks of ``axis`` over ``view`` with room for ``space`` labels."""
    minpos = min((v for v in view if v > 0), default=math.inf)
    scale = axis._scale
    axis._view, axis._minpos, axis._tick_space = view, minpos, space
    # Axis._set_lim: the major locator's nonsingular, then the scale's range
    v0, v1 = axis.major_locator.nonsingular(*view)
    v0, v1 = scale.limit_range_for_scale(v0, v1, minpos)
    v0, v1 = sorted([v0, v1], reverse=view[0] > view[1])
    axis.set_view_interval(v0, v1)
    trf = scale.get_transform()
    major_locs = np.asarray(axis.major_locator(), dtype=float)
    major_labels = axis.major_formatter.format_ticks(major_locs)
    minor_locs = np.asarray(axis.minor_locator(), dtype=float)
    if minor_locs.size and major_locs.size:
        t_lo, t_hi = sorted(np.asarray(trf.transform([v0, v1]), dtype=float))
        tol = (t_hi - t_lo) * 1e-5
        t_minor = np.asarray(trf.transform(minor_locs), dtype=float)
        t_major = np.asarray(trf.transform(major_locs), dtype=float)
        dup = np.isclose(t_minor[:, None], t_major[None, :], atol=tol, rtol=0).any(axis=1)
        minor_locs = minor_locs[~dup]
    minor_labels = axis.minor_formatter.format_ticks(minor_locs)
    major = _visible(trf, (v0, v1), major_locs, major_labels)
    minor = _visible(trf, (v0, v1), minor_locs, minor_labels)
    offset = axis.major_formatter.get_offset() if major_locs.size else ""
    return BarTicks(major, minor, str(offset), (float(v0), float(v1)), space)


def _visible(trf: Any, interval: tuple[float, float], locs: np.ndarray,
             labels: Sequence[str]) -> tuple[tuple[float, str], ...]:
    """``(position, label)`` of the ticks inside ``interval``, position 0..1 along it."""
    if not len(locs):
        return ()
    interval_t = np.asarray(trf.transform(list(interval)), dtype=float)
    t0, t1 = float(interval_t[0]), float(interval_t[1])
    # transforms._interval_contains_close: inclusive, 1e-10 of the interval
    lo_t, hi_t = min(t0, t1), max(t0, t1)
    tol_t = (hi_t - lo_t) * 1e-10
    t = np.asarray(trf.transform(locs), dtype=float).reshape(-1)
    out = []
    for loc_t, label in zip(t, labels):
        if math.isfinite(loc_t) and lo_t - tol_t <= loc_t <= hi_t + tol_t:
            pos = (loc_t - t0) / (t1 - t0) if t1 != t0 else 0.5
            out.append((float(pos), str(label)))
    return tuple(out)


def image_axis_ticks(n_cells: int, length_px: int, axis_name: str,
                      size: float) -> tuple[tuple[int, str], ...]:
    """Ticks of an image axis over cells ``0 .. n_cells - 1``: (pixel offset, label)."""
    from matplotlib import scale, ticker

    view = (-0.5, n_cells - 0.5)
    space = tick_space(length_px, size, 2.0 if axis_name == "y" else 3.0)
    axis = _BarAxis(scale.LinearScale(None), view, math.inf, space)
    axis.axis_name = axis_name
    # imshow's AutoLocator, restricted to whole cells
    locator = ticker.MaxNLocator("auto", steps=[1, 2, 2.5, 5, 10], integer=True)
    axis.set_major_locator(locator)
    formatter = ticker.ScalarFormatter(useOffset=False)
    formatter.set_scientific(False)
    axis.set_major_formatter(formatter)
    locs = [float(v) for v in locator() if view[0] <= v <= view[1] and v == round(v)]
    labels = formatter.format_ticks(locs)
    out = []
    px_per_cell = length_px / n_cells
    for loc, label in zip(locs, labels):
        px = min(length_px - 1, max(0, int(math.floor((loc + 0.5) * px_per_cell))))
        out.append((px, str(label)))
    return tuple(out)
