"""Event files under storage faults and across processes.

A full disk (a real 2 MiB tmpfs where the tests run as root, and a file-size
limit everywhere), a removed logdir, fork, spawn and DataLoader workers. Nothing
may hang: every scenario runs under a deadline and fails, instead of hanging the
suite, if a call blocks.
"""

from __future__ import annotations

import copy
import errno
import glob
import json
import multiprocessing
import os
import pickle
import shutil
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

from ._readback import read_images, read_scalars
from ._requires import require

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RENDERER = "fast"
DEADLINE = 120.0  # seconds; far beyond what any scenario needs when nothing blocks
# Python 3.12+ warns of fork in a threaded process, JAX (once used by another test in the
# session) of fork after JAX: forking a writer with threads is the point of these tests
FORK_WARNINGS = [
    pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:os.fork\\(\\) was called:RuntimeWarning"),
]


def bounded(fn, *args, seconds: float = DEADLINE):
    """Run ``fn(*args)``; fail the test if it has not returned after ``seconds``."""
    result: dict = {}

    def run():
        try:
            result["value"] = fn(*args)
        except BaseException as err:  # re-raised on the test's thread
            result["error"] = err

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"{fn.__name__} was still blocked after {seconds:.0f} s")
    if "error" in result:
        raise result["error"]
    return result.get("value")


def events_by_file(logdir: str) -> dict[str, dict[str, list[int]]]:
    """Per event file: tag -> steps, in file order (tensorboard's own loader)."""
    from tensorboard.backend.event_processing.event_file_loader import LegacyEventFileLoader

    out = {}
    for path in sorted(glob.glob(os.path.join(logdir, "*tfevents*"))):
        tags: dict[str, list[int]] = {}
        for event in LegacyEventFileLoader(path).Load():
            for value in event.summary.value:
                tags.setdefault(value.tag, []).append(event.step)
        out[path] = tags
    return out


def steps_in_one_file(per_file, tag: str) -> tuple[str, list[int]]:
    """The single event file holding ``tag``, and the tag's steps there."""
    holders = [path for path, tags in per_file.items() if tag in tags]
    assert len(holders) == 1, f"{tag!r} is in {len(holders)} event files: {holders}"
    return holders[0], per_file[holders[0]][tag]


def _picture(step: int) -> np.ndarray:
    return np.arange(24, dtype=float).reshape(4, 6) + step


# -- storage faults ----------------------------------------------------------------------
def fill_disk(writer_cls, logdir: str, mode: str, steps: int = 60) -> dict:
    """Log a noise picture and a scalar per step, flushing each step, until writes fail.

    Then 30 inherited calls (more than the parent's queue holds) and close().
    """
    writer = writer_cls(logdir, async_render=mode == "async", max_pending=2)
    rng = np.random.default_rng(0)
    out: dict = {"flushed": [], "errors": [], "late_errors": 0, "close_error": None}
    for step in range(steps):
        try:
            writer.add_scalar("loss", float(step), step)
            writer.add_colormapped_image("noise", rng.normal(size=(300, 300)), step,
                                         renderer=RENDERER)
            writer.flush()
            out["flushed"].append(step)
        except OSError as err:
            out["errors"].append([err.errno, err.filename, str(err)])
    for step in range(30):
        try:
            writer.add_scalar("late", float(step), step)
        except OSError:
            out["late_errors"] += 1
    try:
        writer.close()
    except OSError as err:
        out["close_error"] = str(err)
    out["writer"] = writer
    return out


def check_fault(out: dict, logdir: str, code: int) -> None:
    """What every storage fault must give: OSErrors naming the event file, nothing
    reported written that is not, everything flushed before the fault readable."""
    flushed, errors = out["flushed"], out["errors"]
    assert errors, "the event file never failed to write"
    first_code, name, text = errors[0]
    assert first_code == code, text
    assert os.path.dirname(name) == logdir and "tfevents" in os.path.basename(name)
    assert name in text
    assert flushed and flushed == list(range(len(flushed))), flushed
    assert out["late_errors"] == 30  # every later call says so; none blocks
    assert out["close_error"] and "tfevents" in out["close_error"]
    images, scalars = read_images(logdir), read_scalars(logdir)
    steps = [e.step for e in images["noise"]]
    assert steps[: len(flushed)] == flushed  # every flushed picture is there, in order
    for e in images["noise"][: len(flushed)]:
        assert e.pixels.shape == (e.height, e.width, 3)
    assert [s for s, _, _ in scalars["loss"]][: len(flushed)] == flushed


@pytest.fixture
def small_tmpfs(tmp_path):
    """A real 2 MiB tmpfs (needs root, as in CI), with 512 KiB of ballast on it."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs the tests as root)")
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"this machine cannot mount a tmpfs: {done.stderr.strip()}")
    try:
        (mount / "ballast").write_bytes(b"\0" * (512 << 10))
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_full_disk_raises_oserror_naming_the_event_file_and_nothing_blocks(
        writer_cls, mode, small_tmpfs):
    logdir = str(small_tmpfs / "run")
    out = bounded(fill_disk, writer_cls, logdir, mode)
    check_fault(out, logdir, errno.ENOSPC)
    # with room again, the closed writer logs on into a new event file; the
    # broken file's events stay readable
    (small_tmpfs / "ballast").unlink()
    writer = out["writer"]

    def more():
        writer.add_scalar("after", 1.0, 0)
        writer.add_colormapped_image("after", _picture(0), 0, renderer=RENDERER)
        writer.close()

    bounded(more)
    assert [s for s, _, _ in read_scalars(logdir)["after"]] == [0]
    assert [e.step for e in read_images(logdir)["after"]] == [0]
    flushed = out["flushed"]
    assert [e.step for e in read_images(logdir)["noise"]][: len(flushed)] == flushed


LIMITED_CHILD = textwrap.dedent("""
    import json, resource, signal, sys
    from tests.test_events import fill_disk
    if sys.argv[2] == "torch":
        from figwriter.torch import FigureSummaryWriter
    else:
        from figwriter import FigureSummaryWriter
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (1_500_000, resource.RLIM_INFINITY))
    out = fill_disk(FigureSummaryWriter, sys.argv[1], sys.argv[3])
    del out["writer"]
    print(json.dumps(out))
""")


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="RLIMIT_FSIZE is a POSIX limit")
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_write_limit_raises_oserror_naming_the_event_file_and_nothing_blocks(
        writer_cls, mode, logdir):
    """The same fault everywhere, without root: a file-size limit (EFBIG) in a child."""
    kind = "torch" if writer_cls.__module__ == "figwriter.torch" else "tensorboardX"
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run([sys.executable, "-c", LIMITED_CHILD, logdir, kind, mode],
                          capture_output=True, text=True, timeout=DEADLINE, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    check_fault(json.loads(done.stdout.splitlines()[-1]), logdir, errno.EFBIG)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_removed_logdir_raises_oserror_naming_the_event_file(writer_cls, mode, logdir):
    writer = writer_cls(logdir, async_render=mode == "async")

    def scenario():
        for step in range(3):
            writer.add_scalar("loss", float(step), step)
            writer.add_colormapped_image("img", _picture(step), step, renderer=RENDERER)
        writer.flush()
        shutil.rmtree(logdir)
        # raised by whichever comes first after the failed write: a call or flush()
        with pytest.raises(OSError, match=r"\[Errno 2\] .*tfevents") as info:
            writer.add_scalar("loss", 3.0, 3)
            writer.add_colormapped_image("img", _picture(3), 3, renderer=RENDERER)
            writer.flush()
        assert os.path.dirname(info.value.filename) == logdir
        for step in range(30):  # more than the parent's queue holds: none may block
            with pytest.raises(OSError, match="tfevents"):
                writer.add_scalar("loss", float(step), step)
        with pytest.raises(OSError, match="tfevents"):
            writer.close()
        # the writer starts a new event file (and logdir) at its next call
        writer.add_scalar("after", 1.0, 0)
        writer.close()

    bounded(scenario)
    assert [s for s, _, _ in read_scalars(logdir)["after"]] == [0]


def test_event_files_opened_in_the_same_second_keep_each_other(writer_cls, logdir,
                                                                monkeypatch):
    """tensorboardX names event files by the second: neither a writer used again
    after close() nor another writer may truncate a file opened in that second."""
    monkeypatch.setattr("time.time", lambda: 1_800_000_000.25)  # one second throughout
    writer = writer_cls(logdir)
    writer.add_scalar("first", 1.0, 0)
    writer.close()
    writer.add_scalar("second", 2.0, 0)
    writer.close()
    with writer_cls(logdir) as another:  # another writer on the same logdir
        another.add_scalar("third", 3.0, 0)
    scalars = read_scalars(logdir)
    for tag in ("first", "second", "third"):
        assert [s for s, _, _ in scalars[tag]] == [0], tag


# -- processes ------------------------------------------------------------------------------
def log_in_child(writer, tag: str, steps: int, ending: str) -> None:
    """A child's work: scalars and pictures on the writer it was given."""
    for step in range(steps):
        writer.add_scalar(tag, float(step), step)
        writer.add_colormapped_image(f"{tag}/img", _picture(step), step, renderer=RENDERER)
    if ending == "flush":
        writer.flush()
    elif ending == "close":
        writer.close()


def parent_goes_on(writer, first: int) -> None:
    """The parent logs more than its queue holds, flushes and closes."""
    for step in range(first, first + 30):
        writer.add_scalar("parent", float(step), step)
    writer.add_colormapped_image("parent/img", _picture(1), 1, renderer=RENDERER)
    writer.flush()
    writer.close()


def check_parent_and_child(logdir: str, child_steps: int = 5) -> None:
    per_file = events_by_file(logdir)
    parent_file, steps = steps_in_one_file(per_file, "parent")
    assert steps == list(range(35))
    assert steps_in_one_file(per_file, "parent/img") == (parent_file, [0, 1])
    child_file, steps = steps_in_one_file(per_file, "child")
    assert child_file != parent_file  # the child wrote its own event file
    assert steps == list(range(child_steps))
    assert steps_in_one_file(per_file, "child/img") == (child_file, list(range(child_steps)))


@pytest.mark.slow
@FORK_WARNINGS[0]
@FORK_WARNINGS[1]
@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                    reason="this platform has no fork")
@pytest.mark.parametrize("ending", ["flush", "close", "nothing"])
@pytest.mark.parametrize("mode", ["sync", "async", "process"])
def test_a_writer_used_in_a_forked_child_never_affects_the_parent(
        writer_cls, mode, ending, logdir):
    writer = writer_cls(logdir, async_render=ASYNC_RENDER[mode])
    for step in range(5):
        writer.add_scalar("parent", float(step), step)
    writer.add_colormapped_image("parent/img", _picture(0), 0, renderer=RENDERER)
    child = multiprocessing.get_context("fork").Process(
        target=log_in_child, args=(writer, "child", 5, ending))
    child.start()
    child.join(DEADLINE)
    assert child.exitcode == 0
    bounded(parent_goes_on, writer, 5)
    check_parent_and_child(logdir)


ASYNC_RENDER = {"sync": False, "async": True, "process": "process"}

BARE_FORK = textwrap.dedent("""
    import os, sys
    import numpy as np
    if sys.argv[2] == "torch":
        from figwriter.torch import FigureSummaryWriter
    else:
        from figwriter import FigureSummaryWriter
    from tests.test_events import log_in_child, parent_goes_on
    writer = FigureSummaryWriter(sys.argv[1], async_render=sys.argv[3] == "async")
    for step in range(5):
        writer.add_scalar("parent", float(step), step)
    writer.add_colormapped_image("parent/img", np.eye(4), 0)
    pid = os.fork()
    if pid == 0:  # the child logs more than a queue holds and exits normally
        log_in_child(writer, "child", 20, "nothing")
        sys.exit(0)
    _, status = os.waitpid(pid, 0)
    assert status == 0, status
    parent_goes_on(writer, 5)
    print("parent done")
""")


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="this platform has no fork")
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_bare_forked_child_that_exits_normally_leaves_the_parent_writing(
        writer_cls, mode, logdir):
    """os.fork, then the child's normal exit (atexit hooks run): the parent's logger
    thread lives on, and the child's events, never flushed by it, are in its own file."""
    kind = "torch" if writer_cls.__module__ == "figwriter.torch" else "tensorboardX"
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "PYTHONWARNINGS": "ignore::DeprecationWarning"}
    done = subprocess.run([sys.executable, "-c", BARE_FORK, logdir, kind, mode],
                          capture_output=True, text=True, timeout=DEADLINE, env=env, cwd=ROOT)
    assert done.returncode == 0 and "parent done" in done.stdout, done.stderr
    check_parent_and_child(logdir, child_steps=20)


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_writer_sent_to_a_spawned_process_writes_its_own_event_file(
        writer_cls, mode, logdir):
    writer = writer_cls(logdir, async_render=mode == "async")
    for step in range(5):
        writer.add_scalar("parent", float(step), step)
    writer.add_colormapped_image("parent/img", _picture(0), 0, renderer=RENDERER)
    child = multiprocessing.get_context("spawn").Process(
        target=log_in_child, args=(writer, "child", 5, "nothing"))
    child.start()
    child.join(DEADLINE)
    assert child.exitcode == 0
    bounded(parent_goes_on, writer, 5)
    check_parent_and_child(logdir)


def test_pickling_a_writer_outside_a_spawn_is_refused(writer):
    with pytest.raises(TypeError, match="cannot be pickled or copied: it owns an open event"):
        pickle.dumps(writer)
    with pytest.raises(TypeError, match="cannot be pickled or copied"):
        copy.copy(writer)


@pytest.mark.slow
@FORK_WARNINGS[0]
@FORK_WARNINGS[1]
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_dataloader_workers_logging_on_a_writer_made_before_them(writer_cls, mode, logdir):
    torch = require("torch")

    class Logging(torch.utils.data.Dataset):
        def __init__(self, writer, n):
            self.writer, self.n = writer, n

        def __len__(self):
            return self.n

        def __getitem__(self, i):
            self.writer.add_scalar("worker", float(i), i)
            self.writer.add_colormapped_image("worker/img", _picture(i), i,
                                              renderer=RENDERER)
            return i

    writer = writer_cls(logdir, async_render=mode == "async")
    loader = torch.utils.data.DataLoader(Logging(writer, 16), batch_size=2, num_workers=2)

    def train():
        seen = []
        for step, batch in enumerate(loader):
            seen += batch.tolist()
            writer.add_scalar("parent", float(step), step)
            writer.flush()
        writer.close()
        return seen

    assert sorted(bounded(train)) == list(range(16))
    per_file = events_by_file(logdir)
    parent_file, steps = steps_in_one_file(per_file, "parent")
    assert steps == list(range(8))
    worker_files = [p for p, tags in per_file.items() if "worker" in tags]
    assert parent_file not in worker_files and 1 <= len(worker_files) <= 2
    for tag in ("worker", "worker/img"):
        steps = sorted(s for p in worker_files for s in per_file[p].get(tag, []))
        assert steps == list(range(16)), tag  # every item's events, once each


# -- how pictures reach tensorboardX's event file ------------------------------------------
def _watch_queue(writer) -> list[str]:
    """The tags of the events that go through tensorboardX's queue, as they are put."""
    queue = writer._get_file_writer().event_writer._event_queue
    queued: list[str] = []
    real_put = queue.put

    def put(item, *args, **kwargs):
        if hasattr(item, "summary"):  # (not the thread's stop marker)
            queued.extend(v.tag for v in item.summary.value)
        return real_put(item, *args, **kwargs)

    queue.put = put
    return queued


@pytest.mark.parametrize("mode", [False, True, "process"])
def test_tensorboardx_pictures_are_written_past_its_process_queue(mode, logdir):
    """tensorboardX pickles every queued event through a pipe: with nothing else
    queued, a picture is written by the emitting thread, under the file's own lock."""
    from matplotlib.figure import Figure

    from figwriter import FigureSummaryWriter

    writer = FigureSummaryWriter(logdir, async_render=mode)
    queued = _watch_queue(writer)
    figure = Figure(figsize=(1, 1), dpi=20)
    for step in range(3):
        writer.add_colormapped_image("field", _picture(step), step, renderer=RENDERER)
        writer.add_colormapped_images("batch", np.stack([_picture(step)] * 2), step)
        writer.add_figure_png("figure", figure, step, close=False)
    writer.flush()
    writer.add_scalar("loss", 1.0, 0)
    writer.close()
    assert queued == ["loss"]
    images = read_images(logdir)
    assert {tag: [e.step for e in events] for tag, events in images.items()} == {
        tag: [0, 1, 2] for tag in ("field", "batch", "figure")}
    assert [s for s, _, _ in read_scalars(logdir)["loss"]] == [0]


@pytest.mark.parametrize("mode", [False, True, "process"])
def test_a_picture_waits_behind_events_still_queued(mode, logdir):
    """While an earlier event waits in tensorboardX's queue, a picture is queued behind
    it: file order is call order (TensorBoard drops a tag's later steps when an
    earlier step of the same tag follows them)."""
    from figwriter import FigureSummaryWriter

    writer = FigureSummaryWriter(logdir, async_render=mode)
    ev = writer._get_file_writer().event_writer._ev_writer
    release, holding = threading.Event(), threading.Event()
    guarded_write = ev.write_event

    def held_write(event):  # the logger thread waits here until released
        holding.set()
        release.wait(DEADLINE)
        guarded_write(event)

    ev.write_event = held_write
    queued = _watch_queue(writer)
    writer.add_image("map", np.zeros((1, 4, 4)), 0)  # the parent's: queued, then held
    assert holding.wait(DEADLINE)
    writer.add_colormapped_image("map", _picture(1), 1, renderer=RENDERER)
    if mode:  # the background picture is emitted while the logger thread is held
        deadline = time.monotonic() + DEADLINE
        while queued == ["map"] and time.monotonic() < deadline:
            time.sleep(0.01)
    release.set()
    writer.close()
    assert queued == ["map", "map"]
    assert [e.step for e in read_images(logdir)["map"]] == [0, 1]
