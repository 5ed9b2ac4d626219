"""Eight threads logging to one writer: every event present, every picture correct.

Each thread logs its own tags (colour-mapped images of changing shapes, batches,
matplotlib figures and scalars) to one shared writer, with either renderer, in
the synchronous and the background mode, over both writer classes. Every
picture must be byte-identical to the one a single-threaded writer produces for
the same inputs in the same per-tag order; every event must be present and
readable.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from matplotlib.figure import Figure

from figwriter import FigureSummaryWriter

from ._readback import read_images, read_scalars
from .test_properties import HAVE_COMPOSE

THREADS = 8
ROUNDS = {"fast": 4, "matplotlib": 2}

Job = Callable[[Any, str], None]


def _figure(i: int, k: int) -> Figure:
    fig = Figure(figsize=(1.6 + 0.1 * i, 1.2), dpi=50)
    ax = fig.subplots()
    ax.plot(np.sin(np.linspace(0, 3 + i, 40) + k), label=f"thread {i}")
    ax.set_title(f"{i}/{k}")
    ax.legend()
    return fig


def thread_jobs(i: int, renderer: str) -> list[Job]:
    """What thread ``i`` logs, in order; each job takes (writer, tag prefix)."""
    rng = np.random.default_rng(1000 + i)
    jobs: list[Job] = []
    for k in range(ROUNDS[renderer]):
        field = rng.normal(size=(12 + 3 * i + k, 20 + 2 * k)).astype(np.float32)
        field[0, 0] = np.nan
        batch = rng.uniform(0.1, 10.0, size=(3, 9, 7 + k))
        opts: dict[str, Any] = {"renderer": renderer}
        if i % 2:
            opts.update(vmin=-1.0, vmax=1.0, cmap="magma", title=f"step {k}")
        jobs.append(lambda w, p, f=field, o=opts, k=k:
                    w.add_colormapped_image(f"{p}/t{i}/image", f, k, **o))
        jobs.append(lambda w, p, b=batch, k=k:
                    w.add_colormapped_images(f"{p}/t{i}/batch", b, k, norm="log",
                                             renderer=renderer, titles=["a", "b", None]))
        jobs.append(lambda w, p, k=k: w.add_figure_png(f"{p}/t{i}/figure", _figure(i, k), k))
        jobs.append(lambda w, p, k=k: w.add_scalar(f"{p}/t{i}/scalar", float(k), k))
    return jobs


_REFERENCE: dict[str, dict[tuple[int, str, int], bytes]] = {}


def reference_pictures(renderer: str, tmp_path_factory: pytest.TempPathFactory
                       ) -> dict[tuple[int, str, int], bytes]:
    """PNG bytes by (thread, kind, step) from one thread doing everyone's work in turn."""
    if renderer not in _REFERENCE:
        logdir = str(tmp_path_factory.mktemp("reference"))
        with FigureSummaryWriter(logdir) as writer:
            for i in range(THREADS):
                for job in thread_jobs(i, renderer):
                    job(writer, f"ref-{renderer}")
        out = {}
        for tag, events in read_images(logdir).items():
            _, thread, kind = tag.split("/")
            for e in events:
                out[(int(thread[1:]), kind, e.step)] = e.png
        _REFERENCE[renderer] = out
    return _REFERENCE[renderer]


def _combos() -> list[Any]:
    out = []
    for renderer in ("fast", "matplotlib"):
        marks = [pytest.mark.skipif(not HAVE_COMPOSE, reason="figwriter.render.fast missing")] \
            if renderer == "fast" else []
        for mode in ("sync", "async"):
            # the torch writer differs only in its emit stage: fast renderer only
            for writer_kind in (("tensorboardX", "torch") if renderer == "fast"
                                else ("tensorboardX",)):
                out.append(pytest.param(renderer, mode, writer_kind, marks=marks,
                                        id=f"{renderer}-{mode}-{writer_kind}"))
    return out


@pytest.mark.slow
@pytest.mark.parametrize(("renderer", "mode", "writer_kind"), _combos())
def test_eight_threads_on_one_writer_lose_nothing_and_draw_what_one_thread_draws(
        renderer, mode, writer_kind, tmp_path, tmp_path_factory, capsys):
    if writer_kind == "torch":
        pytest.importorskip("torch")
        from figwriter.torch import FigureSummaryWriter as Writer
    else:
        Writer = FigureSummaryWriter
    expected = reference_pictures(renderer, tmp_path_factory)
    logdir = str(tmp_path / "run")
    writer = Writer(logdir, async_render=mode == "async", max_pending=4)
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            jobs = thread_jobs(i, renderer)
            start.wait()
            for job in jobs:
                job(writer, "c")
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    writer.close()
    assert errors == []

    images = read_images(logdir)
    got = {}
    for tag, events in images.items():
        _, thread, kind = tag.split("/")
        steps = [e.step for e in events]
        assert steps == sorted(steps) and len(set(steps)) == len(steps), (tag, steps)
        for e in events:
            assert e.pixels.shape == (e.height, e.width, 3)
            got[(int(thread[1:]), kind, e.step)] = e.png
    assert got.keys() == expected.keys()
    different = [key for key in expected if got[key] != expected[key]]
    assert different == [], f"{len(different)} pictures differ from single-threaded ones"
    scalars = read_scalars(logdir)
    assert {t: [s for s, _, _ in v] for t, v in scalars.items()} == {
        f"c/t{i}/scalar": list(range(ROUNDS[renderer])) for i in range(THREADS)
    }
    with capsys.disabled():
        print(f"\n[threads {renderer}/{mode}/{writer_kind}] {THREADS} threads, "
              f"{len(got)} pictures + {sum(len(v) for v in scalars.values())} scalars checked")
