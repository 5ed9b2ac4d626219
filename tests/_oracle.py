"""The colour scale a call should get, worked out without figwriter.

Limits from numpy (``nanmin``/``nanmax`` of the finite values, ``np.percentile``
2 and 98 with ``robust``), centring as seaborn centres, the norm built from
matplotlib's own classes (a ``Normalize`` instance fills its unset limits with
its own ``autoscale_None``, as under ``imshow``), constant data widened by
matplotlib's ``nonsingular`` with the colour bar's expander, and the colormap
from matplotlib's registry. The documented rules figwriter adds are spelled out
here again, from the documentation rather than the code: limits stay within
+-1e300 (1e-100..1e100 for a log norm), and symlog is linear within 1% of the
largest absolute limit.

Property tests compare pictures with this scale, so a mistake in figwriter's
own scale resolution shows up as wrong colours.
"""

from __future__ import annotations

import copy
import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib import colors as mcolors

#: the documented windows for limits (docs/reliability.md)
LIMIT_MAX = 1e300
LOG_LIMITS = (1e-100, 1e100)


@dataclass(frozen=True)
class Scale:
    """What a picture's colours follow: a colormap and a norm with its limits."""

    cmap: mcolors.Colormap
    norm: mcolors.Normalize
    vmin: float
    vmax: float

    @property
    def norm_name(self) -> str:
        return type(self.norm).__name__


def _nonsingular(vmin: float, vmax: float) -> tuple[float, float]:
    """matplotlib's own widening of a range too narrow to draw (expander 0.1)."""
    from matplotlib import transforms

    fn = getattr(transforms, "_nonsingular", None)
    if fn is None:  # pragma: no cover - matplotlib before 3.11
        fn = transforms.nonsingular
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        lo, hi = fn(vmin, vmax, expander=0.1, tiny=1e-15, increasing=True)
    return float(lo), float(hi)


def expected_scale(panels: list[np.ndarray], kw: dict[str, Any]) -> Scale:
    """The scale for ``panels`` (sharing one scale) under the call's options ``kw``."""
    norm_arg = kw.get("norm", "linear")
    instance = isinstance(norm_arg, mcolors.Normalize)
    is_log = norm_arg == "log" or isinstance(norm_arg, mcolors.LogNorm)
    w_lo, w_hi = LOG_LIMITS if is_log else (-LIMIT_MAX, LIMIT_MAX)
    vmin = norm_arg.vmin if instance else kw.get("vmin")
    vmax = norm_arg.vmax if instance else kw.get("vmax")
    vmin = None if vmin is None else float(vmin)
    vmax = None if vmax is None else float(vmax)
    center = kw.get("center")

    values = np.concatenate([np.asarray(p, np.float64).ravel() for p in panels])
    values = values[np.isfinite(values)]
    if is_log:
        values = values[values > 0]
    if values.size:
        # data beyond the window counts as at its edge
        clipped = np.clip(values, w_lo, w_hi)
        lo, hi = float(np.min(clipped)), float(np.max(clipped))
        if kw.get("robust") and (vmin is None or vmax is None):
            lo, hi = (float(v) for v in np.percentile(clipped, [2.0, 98.0]))
    else:  # nothing finite: every cell is bad, any limits do
        lo, hi = (1.0, 10.0) if is_log else (0.0, 1.0)
    if vmin is None:
        vmin = lo if vmax is None or lo <= vmax else vmax
    if vmax is None:
        vmax = hi if hi >= vmin else vmin
    if center is not None:  # seaborn: symmetric around the centre
        half = max(vmax - center, center - vmin)
        vmin, vmax = center - half, center + half

    if instance:
        norm = copy.copy(norm_arg)
        norm.callbacks = type(norm_arg.callbacks)(signals=["changed"])
        norm.autoscale_None(np.array([vmin, vmax]))
        vmin, vmax = float(norm.vmin), float(norm.vmax)

    lo_w, hi_w = _nonsingular(vmin, vmax)
    if is_log and lo_w <= 0:
        lo_w, hi_w = (vmin, vmax) if vmin < vmax else (vmin / 10.0, vmax * 10.0)
    vmin, vmax = min(max(lo_w, w_lo), w_hi), min(max(hi_w, w_lo), w_hi)

    if instance:
        norm.vmin, norm.vmax = vmin, vmax
    elif norm_arg == "log":
        norm = mcolors.LogNorm(vmin=vmin, vmax=vmax)
    elif norm_arg == "symlog":
        linthresh = 0.01 * max(abs(vmin), abs(vmax))
        norm = mcolors.SymLogNorm(linthresh=linthresh or 1.0, vmin=vmin, vmax=vmax, base=10)
    else:
        norm = mcolors.Normalize(vmin=vmin, vmax=vmax)

    cmap = kw.get("cmap")
    if cmap is None:
        cmap = colormaps["RdBu_r" if center is not None else "viridis"]
    elif isinstance(cmap, str):
        cmap = colormaps[cmap]
    assert math.isfinite(vmin) and math.isfinite(vmax)
    return Scale(cmap, norm, vmin, vmax)
