"""The resolve stage by value: limits, norms, colormaps and extensions."""

from __future__ import annotations

import copy
import re
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from matplotlib import colormaps, transforms
from matplotlib import colors as mcolors
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.figure import Figure

from figwriter._scale import (
    ColorScale,
    ScaleOptions,
    get_cmap,
    resolve_scale,
    scale_options,
)

F64_MAX = float(np.finfo(np.float64).max)


def _resolve(data, **kwargs) -> ColorScale:
    return resolve_scale([np.asarray(data, dtype=float)], **kwargs)


def _limits(data, **kwargs) -> tuple[float, float]:
    s = _resolve(data, **kwargs)
    return s.vmin, s.vmax


def _matplotlib_limits(data, **imshow_kwargs) -> tuple[float, float]:
    """The limits a real imshow + colorbar ends up with once drawn."""
    fig = Figure(figsize=(2, 2), dpi=20)
    FigureCanvasAgg(fig)
    im = fig.add_subplot().imshow(np.ma.masked_invalid(np.asarray(data, float)), **imshow_kwargs)
    fig.colorbar(im)
    fig.canvas.draw()
    return float(im.norm.vmin), float(im.norm.vmax)


def _matplotlib_nonsingular(vmin: float, vmax: float) -> tuple[float, float]:
    """matplotlib's own widening, with the colour bar's expander."""
    fn = getattr(transforms, "_nonsingular", None) or transforms.nonsingular
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        lo, hi = fn(vmin, vmax, expander=0.1, tiny=1e-15, increasing=True)
    return float(lo), float(hi)


def _matplotlib_bar_overflows(norm: mcolors.Normalize, extend: str) -> bool:
    """Whether matplotlib's own colour bar for ``norm`` hits a floating-point error."""
    fig = Figure(figsize=(2, 2), dpi=20)
    FigureCanvasAgg(fig)
    mappable = ScalarMappable(norm=copy.deepcopy(norm), cmap="viridis")
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            fig.colorbar(mappable, cax=fig.add_subplot(), extend=extend)
            fig.canvas.draw()
    except FloatingPointError:
        return True
    return False


@pytest.fixture
def data(rng) -> np.ndarray:
    x = rng.normal(loc=3.0, scale=2.0, size=(40, 50))
    x[5, 5] = 40.0  # an outlier robust limits must ignore
    x[6, 6] = -30.0
    return x


# -- limits -----------------------------------------------------------------------------
def test_default_limits_are_finite_min_and_max(data):
    s = _resolve(data)
    assert (s.vmin, s.vmax) == (data.min(), data.max()) == (-30.0, 40.0)
    assert (s.norm.vmin, s.norm.vmax) == (s.vmin, s.vmax)
    assert s.extend == "neither"
    assert type(s.norm) is mcolors.Normalize and s.norm_name == "linear"
    assert s.cmap.name == "viridis"


def test_explicit_limits(data):
    assert _limits(data, vmin=-1, vmax=2) == (-1.0, 2.0)
    assert _limits(data, vmin=np.float32(0.5), vmax=np.array(7)) == (0.5, 7.0)
    assert _limits(data, vmin=-5) == (-5.0, 40.0)
    assert _limits(data, vmax=5) == (-30.0, 5.0)


def test_one_explicit_limit_beyond_the_data_keeps_limits_ordered():
    data = np.array([[1.0, 2.0, 3.0]])
    s = _resolve(data, vmin=10)
    assert s.vmin <= 10.0 < s.vmax and s.extend == "min"
    s = _resolve(data, vmax=-10)
    assert s.vmin < -10.0 <= s.vmax and s.extend == "max"


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_values_never_move_limits(data, bad):
    spoiled = data.copy()
    spoiled[::7, ::3] = bad
    finite = spoiled[np.isfinite(spoiled)]
    assert _limits(spoiled) == (finite.min(), finite.max())
    assert _limits(spoiled, robust=True) == tuple(np.percentile(finite, [2, 98]))
    assert _resolve(spoiled).extend == "neither"


def test_limits_span_every_array_of_a_batch():
    s = resolve_scale([np.array([[0.0, 1.0]]), np.array([[np.nan, 5.0]]), np.array([[-2.0]])])
    assert (s.vmin, s.vmax) == (-2.0, 5.0)


def test_float32_data_gives_exact_float_limits():
    data = np.array([[0.1, 0.7]], np.float32)
    s = resolve_scale([data])
    assert (s.vmin, s.vmax) == (float(np.float32(0.1)), float(np.float32(0.7)))
    assert isinstance(s.vmin, float) and isinstance(s.vmax, float)


def test_an_empty_array_of_a_batch_is_skipped():
    s = resolve_scale([np.empty((0, 3)), np.array([[2.0, 5.0]]), np.empty((2, 0))])
    assert (s.vmin, s.vmax, s.extend) == (2.0, 5.0, "neither")


def test_limits_at_the_window_edges_are_accepted():
    """The documented windows are closed: +-1e300, and 1e-100 to 1e100 for a log norm."""
    s = _resolve([[0.0, 1.0]], vmin=-1e300, vmax=1e300)
    assert (s.vmin, s.vmax, s.extend) == (-1e300, 1e300, "neither")
    s = _resolve([[0.5, 2.0]], norm="log", vmin=1e-100, vmax=1e100)
    assert (s.vmin, s.vmax, s.extend) == (1e-100, 1e100, "neither")
    s = _resolve([[0.0, 1.0]], center=1e300)  # 1e300 +- 1e300, the top kept at the edge
    assert (s.vmin, s.vmax) == (0.0, 1e300)


# -- robust -----------------------------------------------------------------------------
def test_robust_takes_2nd_and_98th_percentiles(data):
    s = _resolve(data, robust=True)
    assert s.vmin == np.percentile(data, 2)
    assert s.vmax == np.percentile(data, 98)
    assert s.extend == "both"


def test_robust_with_one_explicit_limit(data):
    assert _limits(data, robust=True, vmin=-1) == (-1.0, np.percentile(data, 98))
    assert _limits(data, robust=True, vmax=9) == (np.percentile(data, 2), 9.0)
    assert _limits(data, robust=True, vmin=-1, vmax=9) == (-1.0, 9.0)


def test_robust_ignores_non_finite_values(data):
    spoiled = data.copy()
    spoiled[:3] = np.nan
    spoiled[3, :] = np.inf
    finite = spoiled[np.isfinite(spoiled)]
    assert _limits(spoiled, robust=True) == tuple(np.percentile(finite, [2, 98]))


def test_robust_float32_data_gives_exact_percentiles_without_warnings():
    data = np.linspace(-3.0, 7.0, 101, dtype=np.float32).reshape(1, -1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow from the float64 window
        s = resolve_scale([data], robust=True)
    assert (s.vmin, s.vmax) == tuple(float(v) for v in np.percentile(data, [2.0, 98.0]))
    assert s.extend == "both"


# -- center -----------------------------------------------------------------------------
def test_center_makes_limits_symmetric_and_picks_a_diverging_map():
    s = _resolve([[-1.0, 3.0]], center=0)
    assert (s.vmin, s.vmax) == (-3.0, 3.0)
    assert s.cmap.name == "RdBu_r"
    s = _resolve([[1.0, 3.0]], center=0)  # all on one side of the center
    assert (s.vmin, s.vmax) == (-3.0, 3.0)
    s = _resolve([[4.0, 10.0]], center=5)
    assert (s.vmin, s.vmax) == (0.0, 10.0)


def test_center_keeps_a_given_cmap():
    assert _resolve([[-1.0, 3.0]], center=0, cmap="magma").cmap.name == "magma"
    cm = mcolors.ListedColormap(["red", "blue"], name="mine")
    assert _resolve([[-1.0, 3.0]], center=0, cmap=cm).cmap is cm


def test_center_with_explicit_and_robust_limits(data):
    assert _limits(data, center=1, vmin=-2, vmax=2) == (-2.0, 4.0)
    lo, hi = np.percentile(data, [2, 98])
    r = max(hi - 1, 1 - lo)
    assert _limits(data, center=1, robust=True) == (1 - r, 1 + r)


def test_center_symlog():
    s = _resolve([[-100.0, 5.0]], center=0, norm="symlog")
    assert (s.vmin, s.vmax) == (-100.0, 100.0)
    assert isinstance(s.norm, mcolors.SymLogNorm)


# -- norms ------------------------------------------------------------------------------
def test_log_norm_from_positive_values_only():
    s = _resolve([[-5.0, 0.0, 0.01, 10.0, np.nan]], norm="log")
    assert isinstance(s.norm, mcolors.LogNorm) and s.norm_name == "log"
    assert (s.vmin, s.vmax) == (0.01, 10.0)
    assert (s.norm.vmin, s.norm.vmax) == (0.01, 10.0)
    # values <= 0 are bad under a log norm, not clipped: no extension for them
    assert s.extend == "neither"


def test_log_norm_robust_uses_positive_percentiles():
    values = np.concatenate([np.linspace(1, 1000, 500), -np.ones(500)])
    positive = values[values > 0]
    assert _limits(values[None], norm="log", robust=True) == tuple(
        np.percentile(positive, [2, 98])
    )


def test_log_norm_robust_ignores_infinities_and_zeros():
    positive = np.linspace(1.0, 100.0, 50)
    expected = tuple(np.percentile(positive, [2.0, 98.0]))
    with_inf = np.concatenate([positive, np.full(5, np.inf), [np.nan, -np.inf, -2.0]])
    assert _limits(with_inf[None], norm="log", robust=True) == expected
    with_zeros = np.concatenate([positive, np.zeros(10)])
    assert _limits(with_zeros[None], norm="log", robust=True) == expected


def test_log_norm_robust_percentiles_of_values_clipped_into_the_log_window():
    """Beyond 1e100, a positive value counts as at the edge before percentiles are taken."""
    values = np.array([[1.0] * 49 + [1e200]])
    lo, hi = _limits(values, norm="log", robust=True)
    assert lo == 1.0
    # between the two highest values: 1 and the clipped 1e100, 2% of the way up
    assert hi == pytest.approx(1.0 + 0.02 * (1e100 - 1.0), rel=1e-12) == pytest.approx(2e98)
    assert (lo, hi) == tuple(np.percentile(np.clip(values, 1e-100, 1e100), [2.0, 98.0]))


def test_log_norm_with_explicit_limits_and_no_positive_data():
    assert _limits([[-1.0, 0.0]], norm="log", vmin=1, vmax=100) == (1.0, 100.0)


def test_symlog_norm_linthresh_is_a_fraction_of_the_largest_limit():
    s = _resolve([[-50.0, 200.0]], norm="symlog")
    assert isinstance(s.norm, mcolors.SymLogNorm) and s.norm_name == "symlog"
    assert (s.vmin, s.vmax) == (-50.0, 200.0)
    assert s.norm.linthresh == pytest.approx(2.0)
    assert s.norm(np.array([-50.0, 0.0, 200.0])).tolist() == pytest.approx(
        mcolors.SymLogNorm(2.0, vmin=-50, vmax=200, base=10)(np.array([-50.0, 0.0, 200.0]))
        .tolist()
    )


def test_normalize_instance_is_copied_never_modified():
    user = mcolors.PowerNorm(gamma=0.5)
    before = {k: len(v) for k, v in user.callbacks.callbacks.items()}
    s = _resolve([[1.0, 4.0, 9.0]], norm=user)
    assert s.norm is not user
    assert isinstance(s.norm, mcolors.PowerNorm) and s.norm_name == "PowerNorm"
    assert (s.vmin, s.vmax) == (1.0, 9.0)
    assert user.vmin is None and user.vmax is None
    assert {k: len(v) for k, v in user.callbacks.callbacks.items()} == before
    # the copy is not wired to the user's callbacks either
    seen = []
    user.callbacks.connect("changed", lambda: seen.append(1))
    s.norm.vmin = 0.0
    assert seen == [] and user.vmin is None


def test_normalize_instance_limits_are_used():
    user = mcolors.Normalize(vmin=-1, vmax=1)
    s = _resolve([[-5.0, 5.0]], norm=user)
    assert (s.vmin, s.vmax, s.extend) == (-1.0, 1.0, "both")
    assert (user.vmin, user.vmax) == (-1, 1)
    half = mcolors.Normalize(vmin=0)
    assert _limits([[-5.0, 5.0]], norm=half) == (0.0, 5.0)
    assert half.vmax is None


def test_lognorm_instance_counts_as_log():
    s = _resolve([[-1.0, 0.5, 50.0]], norm=mcolors.LogNorm())
    assert (s.vmin, s.vmax) == (0.5, 50.0)
    with pytest.raises(ValueError, match="at least one positive finite value"):
        _resolve([[-1.0, 0.0]], norm=mcolors.LogNorm())


def test_normalize_instance_with_equal_limits_is_widened_like_matplotlib():
    user = mcolors.Normalize(vmin=1, vmax=1)
    s = _resolve([[0.5, 1.5]], norm=user)
    expected = _matplotlib_limits([[0.5, 1.5]], norm=mcolors.Normalize(vmin=1, vmax=1))
    assert expected == pytest.approx((0.9, 1.1))
    assert (s.vmin, s.vmax) == expected
    assert (s.norm.vmin, s.norm.vmax) == expected
    assert s.extend == "both"
    assert (user.vmin, user.vmax) == (1, 1)


def test_boundary_norm_instance_is_accepted_with_its_own_limits():
    """A BoundaryNorm has no inverse; its bar is drawn from its boundaries."""
    make = lambda: mcolors.BoundaryNorm([0.0, 1.0, 2.0], 256)  # noqa: E731
    s = _resolve([[0.5, 1.5]], norm=make())
    assert (s.vmin, s.vmax, s.extend) == (0.0, 2.0, "neither")
    assert (s.vmin, s.vmax) == _matplotlib_limits([[0.5, 1.5]], norm=make())
    assert type(s.norm) is mcolors.BoundaryNorm


@pytest.mark.parametrize(("vcenter", "value"), [(1e305, 1e300), (-1e305, -1e300)],
                         ids=["top", "bottom"])
def test_a_centre_beyond_the_window_is_refused(vcenter, value):
    """A TwoSlopeNorm centred far out would stretch both limits past one edge."""
    data = np.full((2, 2), value)
    with pytest.raises(ValueError, match=r"^norm\.vcenter must be between -1e\+300 and "
                                         r"1e\+300 .*; got norm\.vcenter="
                                         + re.escape(f"{vcenter:g}") + "$"):
        resolve_scale([data], norm=mcolors.TwoSlopeNorm(vcenter=vcenter))


@pytest.mark.parametrize(
    "make_norm",
    [
        lambda: mcolors.Normalize(),
        lambda: mcolors.LogNorm(),
        lambda: mcolors.PowerNorm(0.5),
        lambda: mcolors.CenteredNorm(),
        lambda: mcolors.CenteredNorm(vcenter=1.0),
        lambda: mcolors.TwoSlopeNorm(vcenter=0.0),
        lambda: mcolors.AsinhNorm(),
    ],
    ids=["Normalize", "LogNorm", "PowerNorm", "CenteredNorm", "CenteredNorm1", "TwoSlopeNorm",
         "AsinhNorm"],
)
@pytest.mark.parametrize(
    "values",
    [[[-3.0, 0.5, 2.0]], [[0.5, 1.0, 3.0]], [[-4.0, -1.0, np.nan]]],
    ids=["straddling", "positive", "negative"],
)
def test_normalize_instances_autoscale_like_imshow(make_norm, values):
    """A norm with unset limits gets the limits imshow + colorbar would give it."""
    if isinstance(make_norm(), mcolors.LogNorm) and np.nanmax(values) <= 0:
        with pytest.raises(ValueError, match=r"at least one positive finite value for "
                                             r"norm='log' \(finite values range from -4 to -1\)"):
            _resolve(values, norm=make_norm())
        return
    if isinstance(make_norm(), mcolors.TwoSlopeNorm) and np.nanmax(values) <= 0:
        # matplotlib refuses vmax <= vcenter; the scale keeps the centre inside its limits
        s = _resolve(values, norm=make_norm())
        assert s.vmin == np.nanmin(values) and s.vmax > s.norm.vcenter
        return
    expected = _matplotlib_limits(values, norm=make_norm())
    s = _resolve(values, norm=make_norm())
    assert (s.vmin, s.vmax) == pytest.approx(expected)
    assert (s.norm.vmin, s.norm.vmax) == (s.vmin, s.vmax)
    finite = np.asarray(values, float)
    finite = finite[np.isfinite(finite)]
    np.testing.assert_allclose(s.norm(finite), make_norm_like(make_norm, expected)(finite))


def make_norm_like(make_norm, limits):
    norm = make_norm()
    norm.vmin, norm.vmax = limits
    return norm


# -- constant and empty data -------------------------------------------------------------
@pytest.mark.parametrize("value", [5.0, 0.0, -3.0, 1e-300, 1e200, 0.1])
def test_constant_arrays_widened_like_matplotlib(value):
    data = np.full((3, 4), value)
    s = _resolve(data)
    assert (s.vmin, s.vmax) == _matplotlib_limits(data)
    assert s.vmin < s.vmax


def test_nearly_constant_arrays_widened_like_matplotlib():
    data = np.array([[1.0, np.nextafter(1.0, 2.0)]])
    assert _limits(data) == _matplotlib_limits(data)


def test_equal_explicit_limits_widened_like_matplotlib(data):
    assert _limits(data, vmin=2, vmax=2) == _matplotlib_limits(data, vmin=2, vmax=2)


def test_constant_array_under_log_and_symlog_norms_like_matplotlib():
    data = np.full((2, 2), 5.0)
    assert _limits(data, norm="log") == pytest.approx(
        _matplotlib_limits(data, norm=mcolors.LogNorm())
    )
    assert _limits(data, norm="symlog") == pytest.approx(
        _matplotlib_limits(data, norm=mcolors.SymLogNorm(0.05))
    )


def test_constant_array_with_center():
    assert _limits(np.zeros((2, 2)), center=0) == (-0.1, 0.1)
    lo, hi = _limits(np.full((2, 2), 2.0), center=2)
    assert (lo, hi) == pytest.approx((1.8, 2.2)) and lo < 2 < hi


@pytest.mark.parametrize("fill", [np.nan, np.inf, -np.inf])
def test_no_finite_value_gives_valid_default_limits(fill):
    data = np.full((3, 3), fill)
    s = _resolve(data)
    assert (s.vmin, s.vmax, s.extend) == (0.0, 1.0, "neither")
    s = _resolve(data, norm="log")
    assert 0 < s.vmin < s.vmax
    s = _resolve(data, center=0)
    assert s.vmin == -s.vmax and s.vmax > 0
    assert _limits(data, robust=True) == (0.0, 1.0)
    assert _limits(data, vmin=-2) == (-2.0, 1.0)


@pytest.mark.parametrize(
    "value",
    [
        (1e6 / 1e-15) * float(np.finfo(float).tiny),  # exactly matplotlib's "near zero" bound
        (1e6 / 1e-15) * float(np.finfo(float).tiny) * (1 + 5e-7),  # just above it
    ],
    ids=["at-bound", "above-bound"],
)
def test_constant_arrays_at_matplotlibs_near_zero_bound(value):
    data = np.full((2, 2), value)
    expected = _matplotlib_limits(data)
    assert expected == pytest.approx((0.9 * value, 1.1 * value), rel=1e-12)
    assert _limits(data) == expected == _matplotlib_nonsingular(value, value)


def test_limits_exactly_tiny_apart_are_widened_like_matplotlib():
    """A spread of exactly 1e-15 times the larger limit still counts as singular."""
    lo, hi = 0.13877787807814443, 0.13877787807814457
    assert hi - lo == hi * 1e-15
    expected = _matplotlib_limits([[0.1, 0.2]], vmin=lo, vmax=hi)
    assert expected == _matplotlib_nonsingular(lo, hi)
    assert expected == pytest.approx((0.9 * lo, 1.1 * hi), rel=1e-12)
    assert _limits([[0.1, 0.2]], vmin=lo, vmax=hi) == expected


@pytest.mark.parametrize(
    ("value", "limits"),
    [(0.5, None), (1e100, (9e99, 1e100)), (F64_MAX, (9e99, 1e100)),
     (1e-100, (1e-100, 1.1e-100))],
    ids=["half", "top", "beyond-top", "bottom"],
)
def test_constant_arrays_under_a_log_norm_stay_in_the_log_window(value, limits):
    """Widened as matplotlib widens, then kept within 1e-100..1e100."""
    data = np.full((2, 2), value)
    s = _resolve(data, norm="log")
    if limits is None:
        assert (s.vmin, s.vmax) == _matplotlib_limits(data, norm=mcolors.LogNorm())
        assert (s.vmin, s.vmax) == pytest.approx((0.45, 0.55))
    else:
        wide = _matplotlib_nonsingular(min(value, 1e100), min(value, 1e100))
        assert (s.vmin, s.vmax) == (max(wide[0], 1e-100), min(wide[1], 1e100))
        assert (s.vmin, s.vmax) == pytest.approx(limits)
    assert (s.norm.vmin, s.norm.vmax) == (s.vmin, s.vmax)


@pytest.mark.parametrize("fill", [np.nan, np.inf, -np.inf])
def test_no_finite_value_under_a_log_norm_gives_one_to_ten(fill):
    s = _resolve(np.full((2, 2), fill), norm="log")
    assert (s.vmin, s.vmax, s.extend) == (1.0, 10.0, "neither")
    assert isinstance(s.norm, mcolors.LogNorm) and (s.norm.vmin, s.norm.vmax) == (1.0, 10.0)


# -- extension triangles ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "extend"),
    [
        ({}, "neither"),
        ({"vmin": 0}, "min"),
        ({"vmax": 5}, "max"),
        ({"vmin": 0, "vmax": 5}, "both"),
        ({"vmin": -10, "vmax": 10}, "neither"),
        ({"vmin": -1, "vmax": 9}, "neither"),  # equal to the data's extremes: not clipped
    ],
)
def test_extend_detects_clipped_finite_data(kwargs, extend):
    data = np.array([[-1.0, 2.0, 9.0, np.nan, np.inf, -np.inf]])
    assert _resolve(data, **kwargs).extend == extend


def test_extend_with_robust_and_center(data):
    assert _resolve(data, robust=True).extend == "both"
    assert _resolve([[-1.0, 3.0]], center=0).extend == "neither"
    assert _resolve([[-1.0, 3.0]], center=0, vmax=2).extend == "max"


def _symlog(vmin, vmax):
    return lambda: mcolors.SymLogNorm(0.1, vmin=vmin, vmax=vmax)


def _sqrt_norm():
    return mcolors.FuncNorm((np.square, np.sqrt), vmin=0.0, vmax=4.0)


def _log_of_exp_norm():
    # exp(0) = 1 and exp(ln 2) = 2: one range below the bar is log(0)
    return mcolors.FuncNorm((np.exp, np.log), vmin=0.0, vmax=float(np.log(2.0)))


@pytest.mark.parametrize(
    ("make_norm", "values", "extend", "refused"),
    [
        # symlog down to -1e300: its inverse overflows one range below the bar
        (_symlog(-1e300, 1.0), [-1e300, 1.0], "neither", False),
        (_symlog(-1e300, 1.0), [-F64_MAX, 0.5], "min", True),
        (_symlog(-1e300, 1.0), [-1e300, 5.0], "max", False),
        (_symlog(-1e300, 1.0), [-F64_MAX, 5.0], "both", True),
        # symlog up to 1e300: it overflows one range above the bar
        (_symlog(-1.0, 1e300), [-1.0, 1e300], "neither", False),
        (_symlog(-1.0, 1e300), [-5.0, 1e300], "min", False),
        (_symlog(-1.0, 1e300), [0.5, F64_MAX], "max", True),
        (_symlog(-1.0, 1e300), [-5.0, F64_MAX], "both", True),
        # one range beyond is finite here, two or more would overflow
        (_symlog(-1e120, 1.0), [-1e130, 0.5], "min", False),
        (_symlog(-1.0, 1e120), [0.5, 1e130], "max", False),
        (lambda: mcolors.LogNorm(1e-100, 1e100), [1.0, 1e200], "max", False),
        # an invalid operation (sqrt of a negative) below the bar
        (_sqrt_norm, [-1.0, 2.0], "min", True),
        (_sqrt_norm, [1.0, 5.0], "max", False),
        # a division by zero (log of 0) below the bar
        (_log_of_exp_norm, [-1.0, 0.5], "min", True),
        (_log_of_exp_norm, [0.1, 2.0], "max", False),
    ],
)
def test_a_norm_instance_is_refused_when_matplotlibs_own_bar_fails(make_norm, values, extend,
                                                                  refused):
    """Refused exactly when matplotlib's colour bar with that extension hits a float error."""
    assert _matplotlib_bar_overflows(make_norm(), extend) is refused
    if refused:
        with pytest.raises(ValueError, match=rf"^norm={type(make_norm()).__name__} cannot draw "
                                             r"a colour bar from .* \(its arithmetic overflows"):
            _resolve([values], norm=make_norm())
    else:
        s = _resolve([values], norm=make_norm())
        assert s.extend == extend
        assert (s.vmin, s.vmax) == (make_norm().vmin, make_norm().vmax)


# -- colormaps --------------------------------------------------------------------------
def test_get_cmap():
    assert get_cmap(None).name == "viridis"
    assert get_cmap(None, diverging=True).name == "RdBu_r"
    assert get_cmap("magma_r").name == "magma_r"
    cm = colormaps["plasma"].with_extremes(bad="red")
    assert get_cmap(cm) is cm
    assert _resolve([[0.0, 1.0]], cmap=cm).cmap is cm


def test_registered_colormap_is_not_modified():
    before = colormaps["viridis"].get_bad().tolist()
    s = _resolve([[0.0, np.nan]], cmap="viridis")
    assert s.cmap.get_bad().tolist() == before == colormaps["viridis"].get_bad().tolist()


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [("viridiss", "'viridis'"), ("Viridis", "'viridis'"), ("rdbu_r", "'RdBu_r'"),
     ("magam", "'magma'")],
)
def test_unknown_cmap_suggests_close_names(name, suggestion):
    with pytest.raises(
        ValueError,
        match=rf"cmap must be a registered matplotlib colormap name or a Colormap; "
        rf"got unknown name '{name}'; did you mean .*{suggestion}",
    ):
        _resolve([[0.0, 1.0]], cmap=name)


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        # difflib's three closest registered names, cutoff 0.5
        ("Blue", "'Blues', 'Blues_r', 'RdBu'"),
        ("magam", "'magma', 'magma_r', 'managua'"),
        ("RDBU_R", "'RdBu_r'"),  # a ratio of exactly 0.5 still counts
        # nothing that close: the same search ignoring case
        ("VIRIDIS", "'viridis', 'viridis_r', 'cividis'"),
        ("GREYS", "'Greys', 'grey', 'Greys_r'"),
    ],
)
def test_unknown_cmap_hint_lists_the_close_names(name, hint):
    with pytest.raises(ValueError) as info:
        get_cmap(name)
    assert str(info.value) == (
        "cmap must be a registered matplotlib colormap name or a Colormap; "
        f"got unknown name {name!r}; did you mean {hint}?"
    )


def test_unknown_cmap_without_close_names():
    with pytest.raises(ValueError, match=r"got unknown name 'zzzzqqqq'$"):
        get_cmap("zzzzqqqq")


@pytest.mark.parametrize("cmap", [3, ["red", "blue"], b"viridis", mcolors.Normalize()])
def test_cmap_of_wrong_type(cmap):
    with pytest.raises(TypeError, match=r"cmap must be a colormap name \(str\) or a "
                                        r"matplotlib.colors.Colormap; got "):
        _resolve([[0.0, 1.0]], cmap=cmap)


# -- errors -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"vmin": 2, "vmax": 1}, ValueError,
         r"vmin must be less than or equal to vmax; got vmin=2.0, vmax=1.0"),
        ({"vmin": np.nan}, ValueError, r"vmin must be finite; got nan"),
        ({"vmax": np.inf}, ValueError, r"vmax must be finite; got inf"),
        ({"vmin": -np.inf}, ValueError, r"vmin must be finite; got -inf"),
        ({"center": np.nan}, ValueError, r"center must be finite; got nan"),
        ({"vmin": "0"}, TypeError, r"vmin must be a real number or None; got str"),
        ({"vmax": [1.0]}, TypeError, r"vmax must be a real number or None; got list"),
        ({"vmin": True}, TypeError, r"vmin must be a real number or None; got bool"),
        ({"center": 1j}, TypeError, r"center must be a real number or None"),
        ({"vmin": np.array([1.0, 2.0])}, TypeError, r"vmin must be a real number or None"),
        ({"robust": "yes"}, TypeError, r"robust must be True or False; got str"),
        ({"robust": 1}, TypeError, r"robust must be True or False; got int"),
        ({"norm": "lgo"}, ValueError,
         r"norm must be 'linear', 'log', 'symlog' or a matplotlib.colors.Normalize; "
         r"got 'lgo'; did you mean 'log'\?"),
        ({"norm": "power"}, ValueError, r"norm must be 'linear', 'log', 'symlog' .*got 'power'$"),
        ({"norm": 3}, TypeError, r"norm must be 'linear', 'log', 'symlog' or a "
                                 r"matplotlib.colors.Normalize; got int"),
        ({"norm": None}, TypeError, r"norm must be .* got NoneType"),
        ({"norm": "log", "vmin": 0}, ValueError,
         r"vmin must be positive for a log norm; got vmin=0.0"),
        ({"norm": "log", "vmin": -1, "vmax": 10}, ValueError, r"vmin must be positive for a log"),
        ({"norm": "log", "center": 1}, ValueError, r"center cannot be combined with norm='log'"),
        ({"norm": mcolors.Normalize(), "vmin": 0}, ValueError,
         r"vmin/vmax cannot be combined with a Normalize instance"),
        ({"norm": mcolors.Normalize(), "vmax": 0}, ValueError,
         r"vmin/vmax cannot be combined with a Normalize instance"),
        ({"norm": mcolors.Normalize(), "center": 0}, ValueError,
         r"center cannot be combined with a Normalize instance; use .*TwoSlopeNorm or "
         r"CenteredNorm"),
        ({"norm": mcolors.Normalize(vmin=np.nan)}, ValueError, r"norm.vmin must be finite"),
        ({"norm": mcolors.Normalize(vmax=np.inf)}, ValueError,
         r"^norm\.vmax must be finite; got inf$"),
        ({"norm": mcolors.Normalize(vmin=1e301)}, ValueError,
         r"^norm\.vmin must be between -1e\+300 and 1e\+300 \(a colour bar cannot be drawn "
         r"beyond\); got norm\.vmin=1e\+301$"),
        ({"norm": mcolors.LogNorm(vmax=1e101)}, ValueError,
         r"^norm\.vmax must be between 1e-100 and 1e\+100 for a log norm \(a colour bar cannot "
         r"be drawn beyond\); got norm\.vmax=1e\+101$"),
        ({"vmax": -1e301}, ValueError,
         r"^vmax must be between -1e\+300 and 1e\+300 \(a colour bar cannot be drawn beyond\); "
         r"got vmax=-1e\+301$"),
        ({"norm": "log", "vmax": 0}, ValueError,
         r"^vmax must be positive for a log norm; got vmax=0\.0$"),
        ({"norm": mcolors.LogNorm(vmin=-1)}, ValueError, r"vmin must be positive for a log norm"),
        ({"norm": mcolors.Normalize(vmin=2, vmax=1)}, ValueError,
         r"norm.vmin must be less than or equal to norm.vmax; got vmin=2.0, vmax=1.0"),
        ({"cmap": "nope_not_a_map"}, ValueError, r"cmap must be a registered"),
        ({"norm": mcolors.TwoSlopeNorm(vcenter=1e305)}, ValueError,
         r"^norm\.vcenter must be between -1e\+300 and 1e\+300 \(a colour bar cannot be "
         r"drawn beyond\); got norm\.vcenter=1e\+305$"),
        ({"norm": mcolors.CenteredNorm(vcenter=np.inf)}, ValueError,
         r"^norm\.vcenter must be finite; got inf$"),
        ({"norm": mcolors.CenteredNorm(vcenter=-1e301)}, ValueError,
         r"^norm\.vcenter must be between .* got norm\.vcenter=-1e\+301$"),
    ],
)
def test_option_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        scale_options(**kwargs)
    with pytest.raises(error, match=match):
        _resolve([[1.0, 2.0]], **kwargs)


def test_log_norm_with_no_positive_value():
    with pytest.raises(
        ValueError,
        match=r"values must contain at least one positive finite value for norm='log' "
        r"\(finite values range from -3 to 0\); pass vmin and vmax, or use norm='symlog'",
    ):
        _resolve([[-3.0, 0.0, np.nan]], norm="log")
    # one limit given: the other must still come from positive data
    for limit in ({"vmin": 1.0}, {"vmax": 10.0}):
        with pytest.raises(ValueError, match=r"at least one positive finite value for "
                                             r"norm='log' \(finite values range from -3 to 0\)"):
            _resolve([[-3.0, 0.0, np.nan]], norm="log", **limit)


def test_options_and_keywords_not_both():
    with pytest.raises(TypeError, match="pass either options or keywords, not both"):
        resolve_scale([np.zeros((1, 1))], scale_options(), vmin=0)


def test_options_are_validated_before_any_data():
    opts = scale_options(cmap="magma", vmin=0, robust=True)
    assert isinstance(opts, ScaleOptions)
    assert (opts.vmin, opts.vmax, opts.robust, opts.cmap.name) == (0.0, None, True, "magma")
    s = resolve_scale([np.array([[1.0, 2.0]])], opts)
    assert (s.vmin, s.vmax, s.cmap.name) == (0.0, np.percentile([1.0, 2.0], 98), "magma")


def test_color_scale_is_immutable():
    s = _resolve([[0.0, 1.0]])
    with pytest.raises(AttributeError):
        s.vmin = 3.0  # type: ignore[misc]


# -- properties -------------------------------------------------------------------------
_finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)
_arrays = hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, max_side=8),
                     elements=_finite)
_bad = st.sampled_from([np.nan, np.inf, -np.inf])


@settings(max_examples=80, deadline=None)
@given(arr=_arrays, bad=_bad, holes=st.integers(0, 10), robust=st.booleans())
def test_bad_values_never_move_limits(arr, bad, holes, robust):
    spoiled = arr.copy()
    spoiled.flat[: min(holes, arr.size - 1)] = bad
    finite = spoiled[np.isfinite(spoiled)]
    s = resolve_scale([spoiled], robust=robust)
    assert np.isfinite(s.vmin) and np.isfinite(s.vmax) and s.vmin < s.vmax
    assert (s.norm.vmin, s.norm.vmax) == (s.vmin, s.vmax)
    same = resolve_scale([finite[None]], robust=robust)
    assert (s.vmin, s.vmax, s.extend) == (same.vmin, same.vmax, same.extend)
    if not robust:
        assert s.extend == "neither"
        assert s.vmin <= finite.min() and s.vmax >= finite.max()
        lo, hi = finite.min(), finite.max()
        maxabs = max(abs(lo), abs(hi))
        if hi - lo > 1e-15 * maxabs and maxabs > 1e-280:  # not singular for matplotlib
            assert (s.vmin, s.vmax) == (lo, hi)


@settings(max_examples=60, deadline=None)
@given(arr=_arrays, center=_finite)
def test_center_is_always_the_middle(arr, center):
    assume(np.ptp(arr) > 0 or arr.flat[0] != center)
    s = resolve_scale([arr], center=center)
    assert s.vmin < s.vmax
    assert (s.vmin + s.vmax) / 2 == pytest.approx(center, rel=1e-9, abs=1e-9 * max(
        1.0, abs(s.vmin), abs(s.vmax)))
    slack = 1e-12 * max(abs(s.vmin), abs(s.vmax))  # center +- range rounds
    assert s.vmin <= arr.min() + slack and s.vmax >= arr.max() - slack


def test_clipped_two_slope_norm_is_drawn_as_matplotlib_draws_it():
    """TwoSlopeNorm's inverse is -inf/+inf beyond its ends by design: not an overflow."""
    data = np.linspace(-2.0, 2.0, 100).reshape(10, 10)
    scale = resolve_scale([data], norm=mcolors.TwoSlopeNorm(0.0, -1.0, 1.0))
    assert (scale.vmin, scale.vmax, scale.extend) == (-1.0, 1.0, "both")


@pytest.mark.parametrize("norm", [mcolors.CenteredNorm(vcenter=9e299),
                                  mcolors.TwoSlopeNorm(vcenter=6e299),
                                  mcolors.TwoSlopeNorm(vcenter=-6e299)])
def test_a_centred_norm_whose_limits_pass_the_window_is_refused(norm):
    # matplotlib widens the limits to keep the centre in the middle, as under imshow;
    # past +-1e300 the colour bar's arithmetic overflows
    values = [0.0, 1.0]
    filled = copy.copy(norm)
    filled.autoscale_None(np.array(values))
    assert not -1e300 <= filled.vmin <= filled.vmax <= 1e300
    message = (f"norm={type(norm).__name__} centred at {norm.vcenter:g} needs limits from "
               f"{filled.vmin:g} to {filled.vmax:g} for these values, beyond what a colour "
               "bar can draw (-1e+300 to 1e+300)")
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        _resolve([values], norm=norm)
