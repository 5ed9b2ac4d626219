"""Eight threads logging to one writer: every event present, every picture correct.

Each thread logs its own tags (colour-mapped images of changing shapes, batches,
matplotlib figures and scalars) to one shared writer, with either renderer, in
the synchronous and the background mode, over both writer classes. Every
picture must be byte-identical to the one a single-threaded writer produces for
the same inputs in the same per-tag order; every event must be present and
readable.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from matplotlib.figure import Figure

from figwriter import FigureSummaryWriter

from ._readback import read_images, read_scalars
from ._requires import import_torch

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
        for mode in ("sync", "async"):
            # the torch writer differs only in its emit stage: fast renderer only
            for writer_kind in (("tensorboardX", "torch") if renderer == "fast"
                                else ("tensorboardX",)):
                out.append(pytest.param(renderer, mode, writer_kind,
                                        id=f"{renderer}-{mode}-{writer_kind}"))
    return out


@pytest.mark.slow
@pytest.mark.parametrize(("renderer", "mode", "writer_kind"), _combos())
def test_eight_threads_on_one_writer_lose_nothing_and_draw_what_one_thread_draws(
        renderer, mode, writer_kind, tmp_path, tmp_path_factory, capsys):
    if writer_kind == "torch":
        import_torch()
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
    assert different == [], (
        f"{len(different)} pictures differ from single-threaded ones: "
        + "; ".join(f"{key}: {_where_they_differ([_decoded(expected[key]), _decoded(got[key])])}"
                    for key in different))
    scalars = read_scalars(logdir)
    assert {t: [s for s, _, _ in v] for t, v in scalars.items()} == {
        f"c/t{i}/scalar": list(range(ROUNDS[renderer])) for i in range(THREADS)
    }
    with capsys.disabled():
        print(f"\n[threads {renderer}/{mode}/{writer_kind}] {THREADS} threads, "
              f"{len(got)} pictures + {sum(len(v) for v in scalars.values())} scalars checked")



# -- many writers on the same tags: no picture depends on another writer -------------------
#: writers logging the same tags at once, half synchronous and half in the background
WRITERS = 6
#: each round starts fresh writers, after the previous round's have drawn everything
STREAM_ROUNDS = {"fast": 3, "matplotlib": 2}


def _stream_step(step: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One step of a stream: a field and a batch. Step 1's limits are so close together
    that its colour-bar labels ("−0.00073143") are wider than any other step's."""
    field = rng.normal(size=(10, 14))
    batch = rng.normal(size=(3, 6, 5))
    if step == 1:
        return -0.0007314 + field * 1e-8, -0.0007314 + batch * 1e-8
    return field * 10.0 ** step, batch * 10.0 ** step


def _log_stream(writer: Any, prefix: str, renderer: str) -> None:
    rng = np.random.default_rng(17)  # every writer logs the same stream
    kept = Figure(figsize=(1.5, 1.0), dpi=40)
    (line,) = kept.subplots().plot([0, 1, 2])
    for step in range(4):
        field, batch = _stream_step(step, rng)
        writer.add_colormapped_image(f"{prefix}/field", field, step, renderer=renderer,
                                     title=f"step {step}", label="value")
        writer.add_colormapped_images(f"{prefix}/batch", batch, step, renderer=renderer,
                                      titles=["a", "b", "c"])
        writer.add_colormapped_images(f"{prefix}/panels", list(batch), step, renderer=renderer,
                                      shared_scale=False)
        line.set_ydata([0, step, 1])
        writer.add_figure_png(f"{prefix}/figure", kept, step, close=False)


def _decoded(png: bytes) -> np.ndarray:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        return np.asarray(im.convert("RGB"))


def _where_they_differ(pictures: list[np.ndarray]) -> str:
    """Where the first picture differs from the others: the box of differing pixels."""
    first, *rest = pictures
    if any(p.shape != first.shape for p in rest):
        return f"sizes {[p.shape for p in pictures]}"
    diff = np.zeros(first.shape[:2], bool)
    for p in rest:
        diff |= (p != first).any(axis=2)
    rows, cols = np.nonzero(diff)
    if not diff.any():
        return "the same pixels, encoded differently"
    return (f"{diff.sum()} pixels differ, rows {rows.min()}..{rows.max()}, "
            f"columns {cols.min()}..{cols.max()} of {first.shape[1]}x{first.shape[0]}")


def _writers_at_once(logdirs: list[str], prefix: str, renderer: str) -> None:
    """One writer per logdir, each in its own thread, started together; odd ones in
    the background."""
    start = threading.Barrier(len(logdirs))
    errors: list[BaseException] = []

    def work(i: int, logdir: str) -> None:
        try:
            start.wait()
            with FigureSummaryWriter(logdir, async_render=i % 2 == 1, max_pending=2) as writer:
                _log_stream(writer, prefix, renderer)
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(i, d)) for i, d in enumerate(logdirs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


@pytest.mark.parametrize("renderer", [
    "fast", pytest.param("matplotlib", marks=pytest.mark.slow)])
def test_writers_logging_the_same_tags_at_once_draw_the_same_pictures(renderer, tmp_path):
    """Pictures depend on a writer's own calls only: never on what other writers (in
    this thread or another, drawing now or before) logged under the same tags."""
    prefix = f"same-{renderer}-{tmp_path.name}"  # tags no other test has used
    written: dict[tuple[str, int], dict[bytes, list[str]]] = {}
    pixels: dict[bytes, np.ndarray] = {}
    for round_ in range(STREAM_ROUNDS[renderer]):
        logdirs = [str(tmp_path / f"r{round_}w{i}") for i in range(WRITERS)]
        _writers_at_once(logdirs, prefix, renderer)
        for i, logdir in enumerate(logdirs):
            who = f"round {round_} writer {i} ({'background' if i % 2 else 'sync'})"
            for tag, events in read_images(logdir).items():
                assert [e.step for e in events] == [0, 1, 2, 3], tag
                for e in events:
                    written.setdefault((tag, e.step), {}).setdefault(e.png, []).append(who)
                    pixels.setdefault(e.png, e.pixels)
    assert len(written) == 4 * 4
    differing = {
        key: [f"{len(png)} bytes {{{', '.join(who)}}}" for png, who in variants.items()]
        + [_where_they_differ([pixels[png] for png in variants])]
        for key, variants in written.items() if len(variants) > 1
    }
    assert not differing, (
        "pictures of the same calls differ between writers:\n"
        + "\n".join(f"{tag} step {step}: {v}" for (tag, step), v in differing.items())
    )
