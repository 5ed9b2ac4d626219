"""The resolve stage by value: limits, norms, colormaps and extensions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from matplotlib import colormaps
from matplotlib import colors as mcolors
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from figwriter._scale import (
    ColorScale,
    ScaleOptions,
    get_cmap,
    resolve_scale,
    scale_options,
)


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
        ({"norm": mcolors.LogNorm(vmin=-1)}, ValueError, r"vmin must be positive for a log norm"),
        ({"norm": mcolors.Normalize(vmin=2, vmax=1)}, ValueError,
         r"norm.vmin must be less than or equal to norm.vmax; got vmin=2.0, vmax=1.0"),
        ({"cmap": "nope_not_a_map"}, ValueError, r"cmap must be a registered"),
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
