"""Long runs: thousands of calls with changing shapes, tags and options leak nothing.

2,000 calls of each method (``add_colormapped_image``, ``add_colormapped_images``,
``add_figure_png``), mostly with the fast renderer (the matplotlib renderer on
every 40th image and every 80th batch: 50 + 25 calls, each changing shape and so
building figures), leave pyplot's figure list as it was, a bounded number of
live matplotlib ``Figure`` objects, every cache within its size, and a bounded
growth of the process's resident memory after a warm-up.
"""

from __future__ import annotations

import gc
import sys

import numpy as np
import pytest
from matplotlib.figure import Figure

from figwriter import FigureSummaryWriter
from figwriter.render import mpl as _mpl

from ._readback import read_images

CALLS = 2000
WARMUP = 100
RSS_GROWTH_LIMIT_MB = 150

_SHAPES = [(8, 8), (16, 9), (31, 17), (64, 64), (5, 120), (120, 5), (40, 33), (1, 1),
           (2, 300), (300, 2), (100, 80), (12, 48), (7, 7), (50, 51), (3, 9), (128, 128),
           (33, 65), (90, 10), (11, 13), (600, 40), (24, 24), (9, 200), (70, 70)]
_CMAPS = ["viridis", "magma", "gray", "RdBu_r", "tab10", None]


def _image_call(writer: FigureSummaryWriter, i: int, rng: np.random.Generator,
                fast: str) -> None:
    shape = _SHAPES[i % len(_SHAPES)]
    values = rng.normal(size=shape).astype(np.float32 if i % 2 else np.float64)
    if i % 4 == 0:
        values[rng.random(shape) < 0.1] = np.nan
    kw: dict = {"cmap": _CMAPS[i % len(_CMAPS)]}
    if i % 3 == 0:
        kw.update(vmin=-1.0, vmax=1.0)
    elif i % 5 == 0:
        values = np.abs(values) + 0.01
        kw["norm"] = "log"
    elif i % 7 == 0:
        kw["center"] = 0.0
    if i % 11 == 0:
        kw["title"] = f"step {i}"
    if i % 13 == 0:
        kw["label"] = "units"
    renderer = "matplotlib" if i % 40 == 0 else fast
    writer.add_colormapped_image(f"image/{i % 37}", values, i, renderer=renderer, **kw)


def _batch_call(writer: FigureSummaryWriter, i: int, rng: np.random.Generator,
                fast: str) -> None:
    n = 1 + i % 4
    shape = _SHAPES[(3 * i) % len(_SHAPES)]
    shape = (min(shape[0], 64), min(shape[1], 64))
    panels = rng.normal(size=(n, *shape))
    renderer = "matplotlib" if i % 80 == 0 else fast
    writer.add_colormapped_images(
        f"batch/{i % 13}", panels, i, shared_scale=bool(i % 2), renderer=renderer,
        titles=[f"p{j}" for j in range(n)] if i % 3 == 0 else None,
        cmap=_CMAPS[i % len(_CMAPS)])


def _figure_call(writer: FigureSummaryWriter, i: int, rng: np.random.Generator) -> None:
    import matplotlib.pyplot as plt

    def make() -> Figure:
        if i % 10 == 0:  # pyplot-managed: add_figure_png closes it
            fig = plt.figure(figsize=(1.5, 1.0), dpi=30)
        else:
            fig = Figure(figsize=(1.5 + 0.1 * (i % 3), 1.0), dpi=30)
        ax = fig.subplots()
        ax.plot(rng.normal(size=10))
        ax.set_axis_off()  # no tick text: the run is about leaks, not drawing speed
        return fig

    figure = [make(), make()] if i % 50 == 0 else make()
    writer.add_figure_png(f"figure/{i % 17}", figure, i)


def _rss_mb() -> float:
    import psutil  # the test extra installs it
    return psutil.Process().memory_info().rss / 2**20


def _live_figures() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if type(o) is Figure)  # no __class__ lookups


def _cache_sizes() -> dict[str, tuple[int, int]]:
    sizes = {"_mpl._CACHE": (len(_mpl._CACHE), _mpl._CACHE.maxsize)}
    import figwriter.render.fast  # noqa: F401  (registers the fast renderer's caches)
    from figwriter._cache import registered
    from figwriter.render.fast import text

    for cache in registered():
        sizes[cache.name] = (len(cache), cache.maxsize)
    sizes["text._CACHE"] = (len(text._CACHE), text.CACHE_SIZE)
    sizes["text._GLYPHS"] = (len(text._GLYPHS), text.CACHE_SIZE)
    return sizes


@pytest.mark.slow
def test_thousands_of_calls_leave_no_figure_a_bounded_cache_and_bounded_memory(
        logdir, capsys):
    import matplotlib.pyplot as plt

    fast = "fast"
    rng = np.random.default_rng(5)
    fignums = plt.get_fignums()
    writer = FigureSummaryWriter(logdir)
    for i in range(WARMUP):
        _image_call(writer, i, rng, fast)
        _batch_call(writer, i, rng, fast)
        _figure_call(writer, i, rng)
    writer.flush()
    gc.collect()
    rss_before = _rss_mb()
    figures_before = _live_figures()
    rss_half = rss_before
    for i in range(WARMUP, WARMUP + CALLS):
        _image_call(writer, i, rng, fast)
        _batch_call(writer, i, rng, fast)
        _figure_call(writer, i, rng)
        if i % 250 == 0:
            writer.flush()
        if i == WARMUP + CALLS // 2:
            gc.collect()
            rss_half = _rss_mb()
    writer.close()
    gc.collect()
    rss_after = _rss_mb()
    figures_after = _live_figures()

    assert plt.get_fignums() == fignums
    # the matplotlib renderer keeps at most its cache's figures alive
    assert figures_after <= _mpl._CACHE.maxsize + 2, (figures_before, figures_after)
    for name, (size, maxsize) in _cache_sizes().items():
        assert size <= maxsize, name
    growth = rss_after - rss_before
    with capsys.disabled():
        print(f"\n[long run] {CALLS} calls of each method after {WARMUP} warm-up calls: "
              f"RSS {rss_before:.0f} -> {rss_half:.0f} (half way) -> {rss_after:.0f} MiB "
              f"(growth {growth:+.1f} MiB, second half {rss_after - rss_half:+.1f} MiB), "
              f"live Figures {figures_before} -> {figures_after}, caches {_cache_sizes()}")
    # the caches fill up to their bounds (templates are whole canvases); after that,
    # nothing should grow
    assert growth < RSS_GROWTH_LIMIT_MB
    assert rss_after - rss_half < RSS_GROWTH_LIMIT_MB / 3
    images = read_images(logdir)
    total = sum(len(v) for v in images.values())
    assert total == 3 * (WARMUP + CALLS)
    assert "matplotlib.pyplot" in sys.modules  # the test did exercise pyplot figures
