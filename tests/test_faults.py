"""Faults: SIGKILL after flush(), close() in background mode, failures inside the
renderer or the encoder, and a logdir that cannot be written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from figwriter import FigureSummaryWriter

from ._readback import read_images, read_scalars
from ._requires import import_torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CHILD = textwrap.dedent("""
    import sys, time
    import numpy as np
    if sys.argv[2] == "torch":
        from figwriter.torch import FigureSummaryWriter
    else:
        from figwriter import FigureSummaryWriter
    from matplotlib.figure import Figure

    n = int(sys.argv[3])
    writer = FigureSummaryWriter(sys.argv[1], async_render=sys.argv[4] == "async")
    rng = np.random.default_rng(0)
    for step in range(n):
        renderer = "matplotlib" if step % 5 == 4 else sys.argv[5]
        writer.add_colormapped_image("image", rng.normal(size=(20 + step, 30)), step,
                                     renderer=renderer)
        writer.add_colormapped_images("batch", rng.normal(size=(2, 8, 8)), step)
        fig = Figure(figsize=(2, 1), dpi=40)
        fig.subplots().plot([step, 1, 2])
        writer.add_figure_png("figure", fig, step)
        writer.add_scalar("loss", 1.0 / (step + 1), step)
    writer.flush()
    print("flushed", flush=True)
    # logging goes on after the flush; a kill may land at any point of this
    for step in range(n, 10 * n):
        writer.add_colormapped_image("image", rng.normal(size=(20, 30)), step)
    time.sleep(600)
""")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("writer_kind", "mode"),
    [("tensorboardX", "sync"), ("tensorboardX", "async"), ("torch", "async")],
)
def test_sigkill_after_flush_leaves_every_flushed_picture_readable(writer_kind, mode, logdir):
    if writer_kind == "torch":
        import_torch()
    n = 12
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    renderer = "fast"
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, logdir, writer_kind, str(n), mode, renderer],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    ) as child:
        try:
            line = child.stdout.readline()
            if line.strip() != "flushed":
                child.kill()
                pytest.fail(f"the child did not flush: {line!r} {child.stderr.read()}")
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    images = read_images(logdir)
    for tag in ("image", "batch", "figure"):
        steps = [e.step for e in images[tag]]
        assert steps[:n] == list(range(n)), tag  # everything flushed, in order
        for e in images[tag][:n]:
            assert e.pixels.shape == (e.height, e.width, 3)
    assert [s for s, _, _ in read_scalars(logdir)["loss"]] == list(range(n))


@pytest.mark.parametrize("max_pending", [1, 3, 64])
def test_background_mode_writes_everything_submitted_before_close_returns(
        writer_cls, max_pending, logdir, rng):
    writer = writer_cls(logdir, async_render=True, max_pending=max_pending)
    n = 30
    for step in range(n):
        values = rng.normal(size=(16, 8 + step % 4))
        writer.add_colormapped_image("a", values, step,
                                     renderer="matplotlib" if step % 10 == 0 else "fast")
        values[:] = np.nan  # the caller may reuse its buffer at once
        writer.add_colormapped_images("b", [values, values + 1], step, renderer="fast")
    writer.close()
    images = read_images(logdir)
    assert [e.step for e in images["a"]] == list(range(n))
    assert [e.step for e in images["b"]] == list(range(n))
    # the buffer was overwritten with NaN after each call: the pictures are not all bad
    first = images["a"][1].pixels
    assert len(np.unique(first.reshape(-1, 3), axis=0)) > 20


# -- failures inside the pipeline ----------------------------------------------------------
class Boom(RuntimeError):
    pass


def _patch_failure(monkeypatch: pytest.MonkeyPatch, where: str, fail_on: set[int]) -> None:
    """Make the ``where`` stage raise Boom on the given (0-based) calls."""
    import figwriter._png as png_module

    if where == "encoder":
        module, name = png_module, "encode_png"
    elif where == "fast":
        import figwriter.render.fast as module  # type: ignore[no-redef]

        name = "render"
    else:
        import figwriter.render.mpl as module  # type: ignore[no-redef]

        name = "render_matplotlib"
    real = getattr(module, name)
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        i = calls["n"]
        calls["n"] += 1
        if i in fail_on:
            raise Boom(f"injected failure in {where} on call {i}")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, flaky)


def _stages() -> list:
    return [
        "fast",
        "matplotlib",
        "encoder",
    ]


@pytest.mark.parametrize("where", _stages())
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_failure_inside_the_pipeline_reaches_the_caller_and_loses_nothing_else(
        writer_cls, where, mode, monkeypatch, logdir, rng):
    renderer = "matplotlib" if where == "matplotlib" else "fast"
    _patch_failure(monkeypatch, where, fail_on={2, 3})
    writer = writer_cls(logdir, async_render=mode == "async")
    raised = []
    logged = []
    for step in range(8):
        try:
            writer.add_scalar("s", step, step)
            writer.add_colormapped_image("img", rng.normal(size=(10, 10)), step,
                                         renderer=renderer)
            logged.append(step)
            if mode == "async" and step in (2, 3):
                writer.flush()  # the failure surfaces here at the latest
        except Boom as err:
            raised.append((step, str(err)))
    try:
        writer.close()
    except Boom as err:  # pragma: no cover - reported by flush() above
        raised.append(("close", str(err)))
    if mode == "sync":
        # the failing calls raised themselves; the others were written
        assert [s for s, _ in raised] == [2, 3]
        assert logged == [0, 1, 4, 5, 6, 7]
    else:
        # each background failure is raised once, by the flush after it
        assert len(raised) == 2 and all("injected failure" in m for _, m in raised)
    images = read_images(logdir)
    assert [e.step for e in images["img"]] == [0, 1, 4, 5, 6, 7]
    assert [s for s, _, _ in read_scalars(logdir)["s"]] == list(range(8))


def test_a_failure_in_one_tag_leaves_the_next_call_of_that_tag_correct(monkeypatch, tmp_path,
                                                                       rng):
    """After a failed encode the reused caches (figures, layouts) are still usable."""
    values = [rng.normal(size=(12, 12)) for _ in range(3)]
    ref_dir, logdir = str(tmp_path / "ref"), str(tmp_path / "run")
    with FigureSummaryWriter(ref_dir) as reference:
        for step, v in enumerate(values):
            reference.add_colormapped_image("ref", v, step, renderer="matplotlib")
    _patch_failure(monkeypatch, "encoder", fail_on={1})
    with FigureSummaryWriter(logdir) as writer:
        writer.add_colormapped_image("tag", values[0], 0, renderer="matplotlib")
        with pytest.raises(Boom):
            writer.add_colormapped_image("tag", values[1], 1, renderer="matplotlib")
        writer.add_colormapped_image("tag", values[1], 1, renderer="matplotlib")
        writer.add_colormapped_image("tag", values[2], 2, renderer="matplotlib")
    got, expected = read_images(logdir)["tag"], read_images(ref_dir)["ref"]
    assert [e.png for e in got] == [e.png for e in expected]


# -- a logdir that cannot be written -----------------------------------------------------
@pytest.fixture
def regular_file(tmp_path):
    path = tmp_path / "not-a-directory"
    path.write_text("a regular file")
    return path


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_logdir_under_a_regular_file_fails_at_construction_naming_the_path(
        writer_cls, mode, regular_file):
    """What users see: NotADirectoryError (an OSError) naming the path, from the constructor.

    Tests run as root, so a read-only directory would still be writable: a path whose
    parent is a regular file cannot be created by anyone.
    """
    logdir = str(regular_file / "run")
    with pytest.raises(NotADirectoryError, match=r"Not a directory: .*not-a-directory/run"):
        writer_cls(logdir, async_render=mode == "async")


def test_a_logdir_that_is_a_regular_file_fails_at_construction(writer_cls, regular_file):
    """tensorboardX: NotADirectoryError naming the event file; torch: FileExistsError."""
    with pytest.raises(OSError, match=r"(Not a directory|File exists): .*not-a-directory"):
        writer_cls(str(regular_file))
