"""The PNG bytes of many calls, pinned by SHA-256: refactoring must not change a pixel.

Every case writes through a writer's public method into an event file, reads the
encoded image string back with tensorboard's ``EventAccumulator`` and hashes it.
The cases cover both renderers, single pictures and grids, shared and per-panel
scales, every norm, extensions, titles and labels, enlargement and reduction,
every ``dataformats`` form, ``add_figure_png``, background mode and both writer
classes.

Each case gets its own writer and a tag no other call in the process uses, so a
hash never depends on what ran before it.

When a change alters pictures on purpose, regenerate the table with
``python tests/test_hashes.py`` and say in the commit message which hashes
changed and why. The hashes hold for the pinned versions of matplotlib, numpy
and the PNG deflate library this project is tested with.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import sys
import tempfile
import uuid
from typing import Any, Callable

import numpy as np
import pytest
from matplotlib import colormaps
from matplotlib import colors as mcolors

if __package__ in (None, ""):  # run as a script to print the table
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from tests._readback import read_images
    from tests._requires import needs_torch
else:
    from ._readback import read_images
    from ._requires import needs_torch

_RUN = uuid.uuid4().hex  # this process's tags are its own
_COUNTER = itertools.count()

Call = tuple[str, tuple[Any, ...], dict[str, Any]]


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _field(seed: int, shape: tuple[int, ...] = (32, 48)) -> np.ndarray:
    return _rng(seed).normal(size=shape).astype(np.float32)


def _img(values: Any, **kwargs: Any) -> list[Call]:
    return [("add_colormapped_image", (values,), kwargs)]


def _grid(values: Any, **kwargs: Any) -> list[Call]:
    return [("add_colormapped_images", (values,), kwargs)]


def _with_bad() -> np.ndarray:
    a = _field(7, (24, 30)).astype(np.float64)
    a[3, 4] = np.nan
    a[10, 11] = np.inf
    a[12, 2] = -np.inf
    return a


def _masked() -> np.ndarray:
    a = _field(8, (20, 20))
    return np.ma.masked_array(a, mask=a > 1.0)


def _extremes() -> mcolors.Colormap:
    return colormaps["viridis"].with_extremes(under="red", over="blue", bad="0.5")


def _discrete() -> np.ndarray:
    return _rng(9).integers(0, 5, size=(16, 16)).astype(np.float64)


def _bounds() -> mcolors.BoundaryNorm:
    return mcolors.BoundaryNorm([-2, -1, -0.5, 0, 0.5, 1, 2], ncolors=256)


def _figure(seed: int = 0, size: tuple[float, float] = (3, 2), dpi: float = 80) -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=dpi)
    ax = fig.subplots()
    ax.plot(_rng(seed).normal(size=20).cumsum())
    ax.set_title(f"run {seed}")
    return fig


def _fig_call(figure: Any, **kwargs: Any) -> list[Call]:
    return [("add_figure_png", (figure,), kwargs)]


def _panels(n: int = 4, shape: tuple[int, int] = (20, 24), seed: int = 20) -> np.ndarray:
    return np.stack([_field(seed + i, shape) * (i + 1) for i in range(n)])


def _steps() -> list[Call]:
    """One tag, three steps whose ranges differ: the stable canvas across steps."""
    out: list[Call] = []
    for i, scale in enumerate((1.0, 1e4, 3.0)):
        out += _img(_field(30 + i, (24, 24)) * scale, global_step=i)
    return out


def _mpl(**kwargs: Any) -> dict[str, Any]:
    return {"renderer": "matplotlib", **kwargs}


CASES: dict[str, Callable[[], list[Call]]] = {
    # -- fast renderer, one picture ----------------------------------------------------
    "fast/default": lambda: _img(_field(1)),
    "fast/cmap-name": lambda: _img(_field(1), cmap="magma"),
    "fast/cmap-extremes": lambda: _img(_with_bad(), cmap=_extremes(), vmin=-1, vmax=1),
    "fast/cmap-listed": lambda: _img(_discrete(), cmap=mcolors.ListedColormap(
        ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e"])),
    "fast/extend-both": lambda: _img(_field(2), vmin=-1.0, vmax=1.0),
    "fast/extend-min": lambda: _img(_field(2), vmin=-1.0),
    "fast/extend-max": lambda: _img(_field(2), vmax=1.0),
    "fast/robust": lambda: _img(_field(3), robust=True),
    "fast/center": lambda: _img(_field(3) + 0.5, center=0.0),
    "fast/norm-log": lambda: _img(np.exp(_field(4) * 3)),
    "fast/norm-log-str": lambda: _img(np.exp(_field(4) * 3), norm="log"),
    "fast/norm-log-limits": lambda: _img(np.exp(_field(4) * 3), norm="log", vmin=0.1, vmax=10),
    "fast/norm-LogNorm": lambda: _img(np.exp(_field(4)), norm=mcolors.LogNorm(0.5, 5)),
    "fast/norm-symlog": lambda: _img(_field(5) ** 3 * 100, norm="symlog"),
    "fast/norm-SymLogNorm": lambda: _img(
        _field(5) * 10, norm=mcolors.SymLogNorm(linthresh=0.5, vmin=-20, vmax=20)),
    "fast/norm-BoundaryNorm": lambda: _img(_field(6), norm=_bounds()),
    "fast/norm-BoundaryNorm-extend": lambda: _img(
        _field(6) * 3, norm=mcolors.BoundaryNorm([-1, 0, 1], ncolors=256, extend="both")),
    "fast/norm-TwoSlopeNorm": lambda: _img(
        _field(6) + 1, norm=mcolors.TwoSlopeNorm(vcenter=0.5, vmin=-2, vmax=4)),
    "fast/norm-CenteredNorm": lambda: _img(_field(6) + 1, norm=mcolors.CenteredNorm()),
    "fast/norm-PowerNorm": lambda: _img(np.abs(_field(6)), norm=mcolors.PowerNorm(0.5)),
    "fast/norm-Normalize": lambda: _img(_field(6), norm=mcolors.Normalize(-3, 3)),
    "fast/bad-values": lambda: _img(_with_bad()),
    "fast/masked": lambda: _img(_masked()),
    "fast/all-nan": lambda: _img(np.full((8, 8), np.nan)),
    "fast/constant": lambda: _img(np.full((10, 12), 3.0)),
    "fast/bool": lambda: _img(_field(10) > 0),
    "fast/uint8": lambda: _img(_rng(11).integers(0, 256, (30, 30), dtype=np.uint8)),
    "fast/int64-list": lambda: _img([[1, 2, 3], [4, 5, 6]]),
    "fast/large-offset": lambda: _img(1e6 + _field(12)),
    "fast/tiny-values": lambda: _img(1e-7 * _field(12)),
    "fast/title": lambda: _img(_field(13), title="attention, layer 3"),
    "fast/label": lambda: _img(_field(13), label="energy [J]"),
    "fast/title-label": lambda: _img(_field(13), title="depth", label="metres"),
    "fast/one-cell": lambda: _img(np.array([[2.0]])),
    "fast/enlarge-tiny": lambda: _img(_field(14, (4, 6))),
    "fast/enlarge-max-size": lambda: _img(_field(14, (40, 60)), max_size=1024),
    "fast/reduce-default": lambda: _img(_field(15, (1500, 900))),
    "fast/reduce-max-size": lambda: _img(_field(15, (600, 400)), max_size=128),
    "fast/reduce-odd": lambda: _img(_field(15, (1031, 517)), max_size=256),
    "fast/tall": lambda: _img(_field(16, (200, 20))),
    "fast/wide": lambda: _img(_field(16, (20, 200))),
    "fast/dataformats-WH": lambda: _img(_field(17, (12, 30)), dataformats="WH"),
    "fast/dataformats-CHW": lambda: _img(_field(17, (1, 12, 30)), dataformats="CHW"),
    "fast/dataformats-HWC": lambda: _img(_field(17, (12, 30, 1)), dataformats="HWC"),
    "fast/steps": _steps,
    # -- matplotlib renderer, one picture ----------------------------------------------
    "mpl/default": lambda: _img(_field(1), **_mpl()),
    "mpl/title-label": lambda: _img(_field(13), **_mpl(title="depth", label="metres")),
    "mpl/extend-both": lambda: _img(_field(2), **_mpl(vmin=-1.0, vmax=1.0)),
    "mpl/cmap-extremes": lambda: _img(_with_bad(), **_mpl(cmap=_extremes(), vmin=-1, vmax=1)),
    "mpl/center": lambda: _img(_field(3) + 0.5, **_mpl(center=0.0)),
    "mpl/robust": lambda: _img(_field(3), **_mpl(robust=True)),
    "mpl/norm-log": lambda: _img(np.exp(_field(4) * 3), **_mpl(norm="log")),
    "mpl/norm-symlog": lambda: _img(_field(5) ** 3 * 100, **_mpl(norm="symlog")),
    "mpl/norm-BoundaryNorm": lambda: _img(_field(6), **_mpl(norm=_bounds())),
    "mpl/norm-TwoSlopeNorm": lambda: _img(
        _field(6) + 1, **_mpl(norm=mcolors.TwoSlopeNorm(vcenter=0.5, vmin=-2, vmax=4))),
    "mpl/masked": lambda: _img(_masked(), **_mpl()),
    "mpl/enlarge-tiny": lambda: _img(_field(14, (4, 6)), **_mpl()),
    "mpl/reduce": lambda: _img(_field(15, (2100, 1100)), **_mpl()),
    "mpl/dataformats-WH": lambda: _img(_field(17, (12, 30)), dataformats="WH", **_mpl()),
    "mpl/dataformats-CHW": lambda: _img(_field(17, (1, 12, 30)), dataformats="CHW", **_mpl()),
    # -- fast renderer, grids ----------------------------------------------------------
    "fast-grid/shared": lambda: _grid(_panels()),
    "fast-grid/per-panel": lambda: _grid(_panels(), shared_scale=False),
    "fast-grid/ncols-1": lambda: _grid(_panels(3), ncols=1),
    "fast-grid/ncols-3": lambda: _grid(_panels(5), ncols=3),
    "fast-grid/titles": lambda: _grid(_panels(3), titles=["pred", "target", None]),
    "fast-grid/label": lambda: _grid(_panels(2), label="error"),
    "fast-grid/per-panel-titles-label": lambda: _grid(
        _panels(3), shared_scale=False, titles=["a", "b", "c"], label="v"),
    "fast-grid/mixed-shapes": lambda: _grid([_field(40, (10, 30)), _field(41, (30, 10)),
                                             _field(42, (16, 16))]),
    "fast-grid/NCHW": lambda: _grid(_panels(3)[:, None], dataformats="NCHW"),
    "fast-grid/NHWC": lambda: _grid(_panels(3)[..., None], dataformats="NHWC"),
    "fast-grid/list-HW": lambda: _grid([_field(43, (8, 8)), _field(44, (8, 8))]),
    "fast-grid/norm-log": lambda: _grid(np.exp(_panels(3)), norm="log"),
    "fast-grid/norm-BoundaryNorm": lambda: _grid(_panels(3), norm=_bounds()),
    "fast-grid/norm-TwoSlopeNorm-per-panel": lambda: _grid(
        _panels(2), shared_scale=False, norm=mcolors.TwoSlopeNorm(vcenter=0.0)),
    "fast-grid/extend-per-panel": lambda: _grid(_panels(3), shared_scale=False, vmax=1.5),
    "fast-grid/many-panels": lambda: _grid(_panels(20, (12, 12))),
    "fast-grid/reduce": lambda: _grid(_panels(4, (700, 500)), max_size=256),
    "fast-grid/one-panel": lambda: _grid(_panels(1)),
    # -- matplotlib renderer, grids ----------------------------------------------------
    "mpl-grid/shared": lambda: _grid(_panels(), **_mpl()),
    "mpl-grid/per-panel": lambda: _grid(_panels(3), shared_scale=False, **_mpl()),
    "mpl-grid/titles-label": lambda: _grid(_panels(2), titles=["x", "y"], label="v", **_mpl()),
    "mpl-grid/mixed-shapes": lambda: _grid(
        [_field(40, (10, 30)), _field(41, (30, 10))], ncols=1, **_mpl()),
    "mpl-grid/norm-BoundaryNorm": lambda: _grid(_panels(2), norm=_bounds(), **_mpl()),
    # -- picture options (aspect, origin, extent, labels, annot, background, reduce) ----
    "opts/aspect-auto": lambda: _img(_field(50, (20, 300)), aspect="auto"),
    "opts/aspect-number": lambda: _img(_field(50, (30, 30)), aspect=0.5),
    "opts/origin-extent-labels": lambda: _img(
        _field(51, (40, 90)), origin="lower", extent=(0.0, 10.0, 0.0, 8000.0), aspect="auto",
        xlabel="time (s)", ylabel="frequency (Hz)", label="dB"),
    "opts/ticklabels-annot": lambda: _img(
        _rng(52).integers(0, 99, (5, 5)), xticklabels=list("abcde"),
        yticklabels=["v", "w", "x", "y", "z"], annot=True, fmt="d"),
    "opts/ticklabels-thinned": lambda: _img(
        _field(52, (12, 197)), aspect="auto", xticklabels=[f"t{i}" for i in range(197)]),
    "opts/background": lambda: _img(_field(53, (7, 7)), background=_rng(54).random((40, 50)),
                                    alpha=0.4),
    "opts/reduce-mode": lambda: _img(_rng(55).integers(0, 20, (900, 700)), cmap="tab20"),
    "opts/reduce-max": lambda: _img(_field(56, (1200, 800)), reduce="max"),
    "opts/hold-scale": lambda: [
        *_img(_field(57, (16, 16)), global_step=0, hold_scale=True),
        *_img(_field(58, (16, 16)) * 3, global_step=1, hold_scale=True)],
    "opts/grid": lambda: _grid(_panels(2, (6, 6)), xlabel="x", annot=True, fmt=".1f",
                               origin="lower"),
    "mpl-opts/origin-extent-labels": lambda: _img(
        _field(51, (40, 90)), **_mpl(origin="lower", extent=(0.0, 10.0, 0.0, 8000.0),
                                     aspect="auto", xlabel="time (s)", label="dB")),
    "mpl-opts/ticklabels-annot": lambda: _img(
        _rng(52).integers(0, 99, (5, 5)), **_mpl(xticklabels=list("abcde"), annot=True,
                                                 fmt="d")),
    "mpl-opts/background": lambda: _img(
        _field(53, (7, 7)), **_mpl(background=_rng(54).random((40, 50)), alpha=0.4)),
    "mpl-opts/reduce-mode": lambda: _img(_rng(55).integers(0, 20, (1900, 700)),
                                         **_mpl(cmap="tab20")),
    # -- add_figure_png ----------------------------------------------------------------
    "figure/one": lambda: _fig_call(_figure()),
    "figure/dpi": lambda: _fig_call(_figure(1), dpi=50),
    "figure/keep-open": lambda: _fig_call(_figure(2), close=False),
    "figure/list": lambda: _fig_call([_figure(i) for i in range(3)]),
    "figure/list-of-nine": lambda: _fig_call([_figure(i, (1, 1), 40) for i in range(9)]),
}

#: cases also run through a background (thread) writer: the same bytes
ASYNC_CASES = ["fast/title-label", "fast/reduce-default", "fast-grid/per-panel",
               "mpl/default", "mpl-grid/shared", "figure/one", "fast/steps"]
#: cases also run through the torch.utils.tensorboard writer: the same bytes
TORCH_CASES = ["fast/default", "fast/norm-BoundaryNorm", "fast-grid/titles",
               "mpl/title-label", "figure/list"]


def _writer_class(kind: str) -> Any:
    if kind == "torch":
        from figwriter.torch import FigureSummaryWriter
    else:
        from figwriter import FigureSummaryWriter
    return FigureSummaryWriter


def _hashes(case: str, logdir: str, kind: str = "tensorboardX",
            async_render: bool = False) -> list[str]:
    """Write one case with a fresh writer; the SHA-256 of every picture read back."""
    tag = f"hashes-{_RUN}-{next(_COUNTER)}/{case}"
    calls = CASES[case]()
    writer = _writer_class(kind)(logdir, async_render=async_render)
    try:
        for step, (method, args, kwargs) in enumerate(calls):
            kwargs = {"global_step": step, **kwargs}
            getattr(writer, method)(tag, *args, **kwargs)
    finally:
        writer.close()
    events = read_images(logdir)
    (written,) = events.values()
    assert [e.step for e in written] == list(range(len(calls)))
    return [hashlib.sha256(e.png).hexdigest() for e in written]


@pytest.mark.parametrize("case", sorted(CASES))
def test_png_bytes_unchanged(case, tmp_path):
    assert _hashes(case, str(tmp_path / "run")) == EXPECTED[case]


@pytest.mark.parametrize("case", ASYNC_CASES)
def test_background_png_bytes_unchanged(case, tmp_path):
    assert _hashes(case, str(tmp_path / "run"), async_render=True) == EXPECTED[case]


@needs_torch
@pytest.mark.parametrize("case", TORCH_CASES)
def test_torch_writer_png_bytes_unchanged(case, tmp_path):
    assert _hashes(case, str(tmp_path / "run"), kind="torch") == EXPECTED[case]


def test_cases_cover_the_options():
    """At least 60 calls, and every option of the colour-mapped methods exercised."""
    calls = [c for make in CASES.values() for c in make()]
    assert len(calls) >= 60
    used = {k for _, _, kwargs in calls for k in kwargs}
    assert {"cmap", "vmin", "vmax", "robust", "center", "norm", "title", "label", "renderer",
            "max_size", "dataformats", "shared_scale", "ncols", "titles", "dpi",
            "close"} <= used
    assert set(EXPECTED) == set(CASES)


# fmt: off
EXPECTED: dict[str, list[str]] = {
    "fast/default": [
        "d12b1ff64bd5886ba63f616a1cc67783152f1be90bd51d93b301fb1ae43125ba",
    ],
    "fast/cmap-name": [
        "6671aca21c6ae724688209d147405db3ac8e84f4623f98e6730d063cae77bcb8",
    ],
    "fast/cmap-extremes": [
        "c1a566a400e73c1e184d04ab62557427affb66f49703eb2af7ae3efe8a63c69f",
    ],
    "fast/cmap-listed": [
        "12257890253a25eed4cb4bdfd3befbc8b90ae1daa8f2afb1ab57f138d5e07b37",
    ],
    "fast/extend-both": [
        "0cceafac4011ffcf0488bccc601dd7af954cd3a71aedc7a2ba1aa8b09cba9611",
    ],
    "fast/extend-min": [
        "888d8b27530bc9b942b9e16c04daff0e6cbbf70bbeb3687664d7f9befa986ada",
    ],
    "fast/extend-max": [
        "939500e381d382697df7bd0cb6e3548be857a9274bb87369b84b0e8d560c4b7b",
    ],
    "fast/robust": [
        "98b73bd537841e5de8ceab61098783c76a936fecca6baaf514b8e98a9f7a0f5e",
    ],
    "fast/center": [
        "2331be869baa9682a948aed1b8a9035303a5769352346955cac3d5808f2325a8",
    ],
    "fast/norm-log": [
        "bc166ba665dc039dc515c7b9c249a094d72472d5c318d004e005a3ea1df5155e",
    ],
    "fast/norm-log-str": [
        "29c1b100b7ee83b3749d2b509c141afb722baa4b186a3446632669098a64bbd8",
    ],
    "fast/norm-log-limits": [
        "233e37ade28c8dcc48c3a1d471e55bf2011823ff35adc5684871478b91d55063",
    ],
    "fast/norm-LogNorm": [
        "dc1b4e2871f7d8c371f93a3898e4a3848b35322dc864f27915119c5b281c17c9",
    ],
    "fast/norm-symlog": [
        "385af0ec97c70389b1de3830dac0b9c5cb94f2019291c7d747b76ecb6a08067d",
    ],
    "fast/norm-SymLogNorm": [
        "3b4b053874374e35b495b4aa4da9d558e6b6904afad51e8990d2c401f896499f",
    ],
    "fast/norm-BoundaryNorm": [
        "8e065f7afaa71ee88fa290c4fe8647a0396068fe36ca92769a170dacbfe77758",
    ],
    "fast/norm-BoundaryNorm-extend": [
        "3158bd4b3dcde770b0bd38ddde3d536a4578a910fcf40b02f4fc436ade1410d8",
    ],
    "fast/norm-TwoSlopeNorm": [
        "0fe5ff88616ce441170f87e11e5e67eeffef553c4f32175c8af9520f35b359d3",
    ],
    "fast/norm-CenteredNorm": [
        "2eb9ed34f0c8dbc3898132cfd7101d6ac7b1c4bee36690667861f31e4157219d",
    ],
    "fast/norm-PowerNorm": [
        "675720a81d6f38ce213917887ccd6a33d38e5929c3439a2558e645870ad0ad4d",
    ],
    "fast/norm-Normalize": [
        "6f1ce7ceb2412c446e5f04ab3e260ba39f30440186923babdeae9a6b7041d695",
    ],
    "fast/bad-values": [
        "15a79c3596deb0ab19985f4931bd31dc8203417ff7cb3424ac6dd4e56834c1c1",
    ],
    "fast/masked": [
        "5b04d6cdf85ee2a5acb68acfdc5d8cba14b15c2fbe3b2c0292f15a0b30e15643",
    ],
    "fast/all-nan": [
        "e37d8c78addbaa0479cdefd957afca515b80ea98d13526b87281d6cdad84bbdf",
    ],
    "fast/constant": [
        "3ecbe0893c51f9121dad90e3e20d059f351f160c7418d63080147885614e08eb",
    ],
    "fast/bool": [
        "9d9ff518282d526341cbeeb34744cc4e21f293f05f059c0b3d004f52a5c55b1f",
    ],
    "fast/uint8": [
        "6456d66b64492a07dd19d134ba42e6f97fda2ec47c2276cc7e03aa28ac364f3f",
    ],
    "fast/int64-list": [
        "b11c473a1ea00bd1a5a45ec4c1746c52be0bdd4176b10a0ce10ce3848a303b98",
    ],
    "fast/large-offset": [
        "0767ae7ad86e5837772adb68a89ee107d9a8b17c643c6a29012f96046df22fe4",
    ],
    "fast/tiny-values": [
        "d33f55b2a6ff5f639ae88c9a8bc05b7d0aea840d8e86fa6efc282310e7ea5d30",
    ],
    "fast/title": [
        "c772607c557c2650b0bb7c6506bb0dbe4c0572f68f5e3d39cde90c302ff80289",
    ],
    "fast/label": [
        "03af0c327f86b58a88dfaeb4e49ea7e66ef6f8627a569b7a84ca31f5b18f1d02",
    ],
    "fast/title-label": [
        "c8737ce6debe6713e081f41d639575300c5c6cbfd55ae2dc04cdfb9fe6a333fc",
    ],
    "fast/one-cell": [
        "b487cd1e53ad5ad45247ffb4336217d68536444e2ebe023fe05599dff4ac7fb3",
    ],
    "fast/enlarge-tiny": [
        "a4967b6ba4c818142e8a1437525db2140da1f52e176d9390475fe429d82b7e57",
    ],
    "fast/enlarge-max-size": [
        "dc04767834913394ceb2e82c1b838bc0cc1b909c2a09d287e47ffcf085c8b13d",
    ],
    "fast/reduce-default": [
        "5255e4a4a593113b27e2367e60a046e2497f79a803f5557801caa881512bc704",
    ],
    "fast/reduce-max-size": [
        "fd8f18337809cbb20d9b7543d64d96ba93ebf00f1cfe556bdb3922944b9ce584",
    ],
    "fast/reduce-odd": [
        "529338aadcd16752c7785cf9fae69eb852d10b773e51b8b4ab718d91f98232b9",
    ],
    "fast/tall": [
        "72334468086b1464f7d97944daa817a860ed1d9f65e130d39569a3bae75e8438",
    ],
    "fast/wide": [
        "9669ece435bb27ddc0330916f7b47f59741db518e81a3c444376a8918c2c8de2",
    ],
    "fast/dataformats-WH": [
        "645f1a11fdfb3c388f75ff1c800b1f3dcdee099654191556f26db3d3b96566ef",
    ],
    "fast/dataformats-CHW": [
        "2a17abf49e4c016bcd11fca7f04902cb668f96b5b4e1d918b3956aeaba37fecf",
    ],
    "fast/dataformats-HWC": [
        "2a17abf49e4c016bcd11fca7f04902cb668f96b5b4e1d918b3956aeaba37fecf",
    ],
    "fast/steps": [
        "cdeab874e81c06794cc9e1a1e9b00e66582dd34c8b86709605f088815bffe9ef",
        "d87aa7bbe4e8ab4c613d1b018f0d1854510228ca399e46cd3e089b3bb277874b",
        "f2c46553732c3af4671a2130df2d55cbc2f00053c1b5290f13889aa41957982e",
    ],
    "mpl/default": [
        "cca59ecb1abb748d2809d5bc1d4ea15968c15481ae1b7eff42174e092e28bf22",
    ],
    "mpl/title-label": [
        "b62d4d3fa5c1e3c2fe797079064c274a5b6889c87eeedbf910fec3982ffd50ce",
    ],
    "mpl/extend-both": [
        "37c9bdc1e54f6df12757c4be1dd54c63476e174a46b80489d10f3ea1df99f604",
    ],
    "mpl/cmap-extremes": [
        "6b17d7ea4dfab676a1daa9af7ee294c12de431938aa212c004d2ded5bd8e1dce",
    ],
    "mpl/center": [
        "4800b231664ef0adf39a235c545570b9f8a453fc475dfffe5383964bf22ec570",
    ],
    "mpl/robust": [
        "b8916df62800b22b86fe11bae28260ca362130fbeecc4baad518e027de60c9b2",
    ],
    "mpl/norm-log": [
        "fa364a9f1e540a1cd9300efacaafb647add227b583faa695f757e9d134f565d6",
    ],
    "mpl/norm-symlog": [
        "f38c8750e0ac899c16923ec9eacd7de44558d56300069c84f4ef9b93bcd1f5b9",
    ],
    "mpl/norm-BoundaryNorm": [
        "8e065f7afaa71ee88fa290c4fe8647a0396068fe36ca92769a170dacbfe77758",
    ],
    "mpl/norm-TwoSlopeNorm": [
        "e0326eef9fe71a968451c9d700c87936e0ed294a4ed105053e55cb8af1b13807",
    ],
    "mpl/masked": [
        "8385473af057ce10081d64695c3f7410dc2988cb406d33ebe1765fa0bea1497f",
    ],
    "mpl/enlarge-tiny": [
        "14d52b4441b1c0230336eec4e44ac5f2c5085bbccd879415c06aecd62a3f2166",
    ],
    "mpl/reduce": [
        "81e600412272e1c34c0fed3d1f8ab588da6cf42e8947253066aecafb183c97b0",
    ],
    "mpl/dataformats-WH": [
        "9b6c21c7b544b4e5e9ec4bc8e3dd56607fc0969440304aae485aea197d36b3fb",
    ],
    "mpl/dataformats-CHW": [
        "5bf554abf67749419779f6a83f9e1c2db5d76d7e21b8df83908111261a634875",
    ],
    "fast-grid/shared": [
        "c0de01deae5081a4fe341aa79427a3812a5a9577bc759437ca056b87f234f02b",
    ],
    "fast-grid/per-panel": [
        "2ada64899ba882ce47fbed6aaf45a05c3bd6d1ead2e277d7a4971c8f8cc03be8",
    ],
    "fast-grid/ncols-1": [
        "7c5612006ad963df3f48ecbc16b2b3b94b1ea8ac6bbf60caa5f4b7a6301aad7e",
    ],
    "fast-grid/ncols-3": [
        "70b8613fd8923e5649e650e92a6b2c53438298215cdc208cb4b8b8c1741f9575",
    ],
    "fast-grid/titles": [
        "9db723c9010d4e8047bfd861f3970c508bc5f02764cf488ec59de47260839387",
    ],
    "fast-grid/label": [
        "de38eaf3663687397b24e54a31a32a5a203172d3887c082672d7056c43cd8e55",
    ],
    "fast-grid/per-panel-titles-label": [
        "a89e0b0a736d09848c4435095f91636c08b4dac29d391d374c339a74733d6fbd",
    ],
    "fast-grid/mixed-shapes": [
        "65ead70e4b8c6f9b330dc7eecba665847c437748aa9a3aa25db42e0818eaa149",
    ],
    "fast-grid/NCHW": [
        "da67bdc9a97c1aebeec6c06bcb739b793ce1ba4a03cde0302dba06e45ed66177",
    ],
    "fast-grid/NHWC": [
        "da67bdc9a97c1aebeec6c06bcb739b793ce1ba4a03cde0302dba06e45ed66177",
    ],
    "fast-grid/list-HW": [
        "a15804a3b2c927286d2a1b5bb3e568ac10977e22861668eeed6a1ea9073efd46",
    ],
    "fast-grid/norm-log": [
        "3a1a699aea6cbc9c2f1fdc0024527df96d373a71cd1404b5f4fac759927c5e12",
    ],
    "fast-grid/norm-BoundaryNorm": [
        "99ec39492cedba5ca9369f9334346610b48b24806a3aaba1572fdd03566a2f3c",
    ],
    "fast-grid/norm-TwoSlopeNorm-per-panel": [
        "28a6d045efb6380a1d87ea2c43e14c18aac2123e574fcbad00ad22548d252d9b",
    ],
    "fast-grid/extend-per-panel": [
        "55bfbe0784793c0282cbf45eed0ee9adcf9c615ce3d9073d1a30837854507e15",
    ],
    "fast-grid/many-panels": [
        "b9440b522504878b357e0140a36931d782734dc332b24332b37f67a135e7603a",
    ],
    "fast-grid/reduce": [
        "5e5ee206632a7a91eb3735291f62f1303616fa0fd59370335c4dab4d1327ed23",
    ],
    "fast-grid/one-panel": [
        "081568048a375486bdd15bc63acbd8e7ceab94802faee3205319f8c8091eafe2",
    ],
    "mpl-grid/shared": [
        "dbe9514ad419e75b1906f6a8b49cc73d428ca7c6c6fd731e3dc4cd1e387dc947",
    ],
    "mpl-grid/per-panel": [
        "131db524b205b46b7fd5b2f7226075e934b0edb4618fe0f6e8a549adda2e3b98",
    ],
    "mpl-grid/titles-label": [
        "dee8231fe85c89e930964f5a4de08c217d1e56cf975129ddad13cf3186cfcc88",
    ],
    "mpl-grid/mixed-shapes": [
        "ec289bfb19c8550f8136630bc08d2fca6202394330ceccc171395dc9ad650b49",
    ],
    "mpl-grid/norm-BoundaryNorm": [
        "f9269c88e7355c8b122b4dea19e84d533eef5c1ad622a37ee7e3465df36bc28e",
    ],
    "opts/aspect-auto": [
        "10401559c49d283353abb7c932d2a7440da25b9b49ae5110ddc58d948599991e",
    ],
    "opts/aspect-number": [
        "2db38e8fe1ccf611ce6efc07dd56b8c34d70be40b150c46fc199dd7b8cfecfcd",
    ],
    "opts/origin-extent-labels": [
        "b75abfdfbae805fc88b63485fe4bbbec262097ad89c65451910b61f08ff8bed6",
    ],
    "opts/ticklabels-annot": [
        "42a93af12125390977e81abb1ca81e903d57ab57be8dba99f53c3902b65f539d",
    ],
    "opts/ticklabels-thinned": [
        "6da26b5d1ffde6cb0c41d34d4e0aecd8037177b4dbc6fab7d7100f835d52a771",
    ],
    "opts/background": [
        "afc470a6c38402ed0cadc93203df8a9f928ddf2677bc23c64e7cb1ce225a006f",
    ],
    "opts/reduce-mode": [
        "01c543e703c0387f29b6366d40387353c28cd36539fbd7352c795c1f7cad69e3",
    ],
    "opts/reduce-max": [
        "5a7ae9d8982a8f7ab838daaa726c96eae2d923db63c9820958c83dc16baf7102",
    ],
    "opts/hold-scale": [
        "dfb5a99d97803433573640ca8db2cb2a5530f1fdee40e3dea1340cc6d60b8299",
        "9cedd179d2ff4a3c451f164f28894af7e65e4c7bd718a4c355d893e568b59696",
    ],
    "opts/grid": [
        "e52633877402d83ea72a468416756b1a63a4f5f710035f493eea5da374209f41",
    ],
    "mpl-opts/origin-extent-labels": [
        "5899066bda7c9709af3c3ce9618240c1e9c3e9e9f8a42ba4b7d4c015a8dc9a5b",
    ],
    "mpl-opts/ticklabels-annot": [
        "bad8a3b7d497f8f7119a954fba12196b8fd0e6e02cb2e0e91bf4297fbdfb0683",
    ],
    "mpl-opts/background": [
        "19e20a5b7f213989517b7125b33d852fc6cb5f20d3b4e4e25113814e14eab6c1",
    ],
    "mpl-opts/reduce-mode": [
        "5bfeb6572000faf97ecce50954291414a5de3a77b99a97c6f21ed0b011e9f698",
    ],
    "figure/one": [
        "a8a35c3a7c728c6fad5f5aa622ae385f7d6b0b12e22ab7e92273bd5f063c02b1",
    ],
    "figure/dpi": [
        "6acf9051f9f28367b3feb9ff3d7a3c82525aef34cfadc809ade10a04c413b59d",
    ],
    "figure/keep-open": [
        "89b8af0bcb6848ddc169fab3d0bba5ee026aa817805c855989b6638025cc1d3e",
    ],
    "figure/list": [
        "2f5a3ac7e5978f22de02718a4a9ae998d62d068a1d9cdee81d779cbe6c0148dd",
    ],
    "figure/list-of-nine": [
        "131e09f3946d91f086c56a4cb597f9af1a5bf854008a4eee5a0de74245847e5b",
    ],
}
# fmt: on


if __name__ == "__main__":
    import matplotlib

    matplotlib.use("Agg", force=True)
    print("EXPECTED: dict[str, list[str]] = {")
    for name in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            print(f'    "{name}": [')
            for digest in _hashes(name, os.path.join(tmp, "run")):
                print(f'        "{digest}",')
            print("    ],")
    print("}")
