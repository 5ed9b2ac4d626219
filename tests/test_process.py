"""Process mode (``async_render="process"``): the thread mode's guarantees, across processes.

Jobs are held or made to fail in the worker process by wrapping the job function
the writer sends (``tests._procjobs``): a *gate* directory holds jobs until the
test hands out permits, and a marker value in the first cell of an array makes a
job raise or kill its own process. Every wait has a timeout, so a bug fails
instead of hanging.
"""

from __future__ import annotations

import functools
import gc
import glob
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

import figwriter
from figwriter import _process, _process_io

from . import _procjobs
from ._readback import read_image_protos, read_images
from .test_background import BLOCKED, TIMEOUT, _in_thread, _log_everything, _steps
from .test_batch import RENDERERS

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="process mode is POSIX-only")


def _blocks() -> list[str]:
    """This process's shared-memory blocks (process mode names them fw<pid>_...)."""
    return glob.glob(f"/dev/shm/fw{os.getpid()}_*")


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is gone for our purpose (its parent has not reaped it yet)
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().split()[2] != "Z"
    except OSError:
        return False


class Gate:
    """Hold jobs in the worker processes until permits are handed out."""

    def __init__(self, path: Path) -> None:
        path.mkdir()
        self.path = str(path)
        self._permits = 0

    def release(self, n: int = 1) -> None:
        for _ in range(n):
            open(os.path.join(self.path, f"permit-{self._permits:06d}"), "w").close()
            self._permits += 1

    def open(self) -> None:
        open(os.path.join(self.path, "open"), "w").close()

    @property
    def started(self) -> int:
        return sum(n.startswith("started-") for n in os.listdir(self.path))

    def wait_started(self, n: int) -> None:
        deadline = time.monotonic() + TIMEOUT
        while self.started < n:
            assert time.monotonic() < deadline, f"{n} jobs expected to start, {self.started} did"
            time.sleep(0.01)


@pytest.fixture
def wrap_jobs(monkeypatch):
    """Wrap every job function the writer sends to a worker with the given wrappers."""
    wrappers: list = []
    original = _process._Pool.submit

    def submit(self, fn, *args, **kwargs):
        for wrapper in wrappers:
            fn = functools.partial(*wrapper, fn)
        return original(self, fn, *args, **kwargs)

    monkeypatch.setattr(_process._Pool, "submit", submit)
    return wrappers


@pytest.fixture
def gate(tmp_path, wrap_jobs):
    g = Gate(tmp_path / "gate")
    wrap_jobs.append((_procjobs.gated, g.path))
    yield g
    g.open()


@pytest.fixture
def failing(wrap_jobs):
    wrap_jobs.insert(0, (_procjobs.failing,))


@pytest.fixture
def make_writer(logdir):
    """Process-mode writers, closed at the end."""
    made = []

    def make(path=None, cls=figwriter.FigureSummaryWriter, **kwargs):
        kwargs.setdefault("async_render", "process")
        w = cls(logdir if path is None else str(path), **kwargs)
        made.append(w)
        return w

    yield make
    for w in made:
        try:
            w.close()
        except Exception:  # the test itself reports what matters
            pass


def _image(w, tag, data, step=None, **kwargs):
    w.add_colormapped_image(tag, data, step, renderer="fast", **kwargs)


# -- identical pictures, every step, in call order -------------------------------------------


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("workers", [1, 2])
def test_pictures_are_byte_identical_to_sync(writer_cls, tmp_path, renderer, workers):
    import matplotlib.pyplot as plt

    written = {}
    for mode in (False, "process"):
        logdir = str(tmp_path / str(mode))
        kwargs = {"render_workers": workers} if mode else {}
        with writer_cls(logdir, async_render=mode, **kwargs) as w:
            calls = _log_everything(w, renderer)
        written[mode] = [(tag, step, image.encoded_image_string)
                         for tag, step, _, image in read_image_protos(logdir)]
        assert plt.get_fignums() == [], "close=True must close pyplot figures"
    sync, process = written[False], written["process"]
    assert [(tag, step) for tag, step, _ in sync] == calls
    assert [(tag, step) for tag, step, _ in process] == calls
    for (tag, step, a), (_, _, b) in zip(sync, process):
        assert a == b, f"{tag} step {step}: the worker's PNG differs from the synchronous one"
    assert _blocks() == []


def test_many_tags_on_several_workers_keep_call_order(make_writer, logdir, rng):
    w = make_writer(render_workers=3, max_pending=4)
    calls = []
    for step in range(6):
        for tag in ("a", "b", "c", "d"):
            _image(w, tag, rng.normal(size=(8, 8 + step)), step)
            calls.append((tag, step))
    w.close()
    assert [(tag, step) for tag, step, _, _ in read_image_protos(logdir)] == calls


def test_caller_settings_are_the_workers_settings(make_writer, tmp_path, rng):
    """matplotlib's settings at call time shape the picture, as they do synchronously."""
    import matplotlib

    data = rng.normal(size=(16, 16))
    with matplotlib.rc_context({"font.size": 15, "text.color": "red"}):
        with figwriter.FigureSummaryWriter(str(tmp_path / "sync")) as ref:
            _image(ref, "field", data, 0, title="settings")
        w = make_writer(tmp_path / "process")
        _image(w, "field", data, 0, title="settings")
    # back to the defaults, with step 0 perhaps not drawn yet: it keeps its call's settings
    _image(w, "field", data, 1, title="settings")
    w.close()
    got = [i.encoded_image_string for _, _, _, i in read_image_protos(tmp_path / "process")]
    (want,) = [i.encoded_image_string for _, _, _, i in read_image_protos(tmp_path / "sync")]
    assert got[0] == want
    assert got[1] != want


def test_unpicklable_figure_is_drawn_on_the_caller(make_writer, tmp_path):
    from matplotlib.ticker import FuncFormatter

    fig = Figure(figsize=(2, 1.5), dpi=50)
    ax = fig.subplots()
    ax.plot([0, 1, 2], [2, 0, 1])
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"<{x:g}>"))  # not picklable
    with figwriter.FigureSummaryWriter(str(tmp_path / "sync")) as ref:
        ref.add_figure_png("fig", fig, 0, close=False)
    w = make_writer(tmp_path / "process")
    w.add_figure_png("fig", fig, 0, close=False)
    w.close()
    got = [i.encoded_image_string for _, _, _, i in read_image_protos(tmp_path / "process")]
    want = [i.encoded_image_string for _, _, _, i in read_image_protos(tmp_path / "sync")]
    assert got == want


# -- taken at call time ---------------------------------------------------------------------


def test_metadata_and_arrays_are_taken_at_call_time(make_writer, logdir, gate, rng):
    w = make_writer()
    big = rng.normal(size=(160, 160))  # over the inline limit: copied to shared memory
    small = rng.normal(size=(6, 8))
    original = (big.copy(), small.copy())
    before = time.time()
    _image(w, "big", big, 3)
    w.add_colormapped_images("batch", [small, big], 4)
    after = time.time()
    _image(w, "given", small, 5, walltime=1234.5)
    big[:] = 0.0  # all before the worker has drawn anything
    small *= -7
    time.sleep(0.05)
    released = time.time()
    assert gate.started <= 1
    gate.open()
    w.close()
    events = read_images(logdir)
    for tag, step in (("big", 3), ("batch", 4)):
        (event,) = events[tag]
        assert event.step == step
        assert before <= event.wall_time <= after < released
    (given,) = events["given"]
    assert (given.step, given.wall_time) == (5, 1234.5)
    ref_dir = Path(logdir).parent / "sync"
    with figwriter.FigureSummaryWriter(str(ref_dir)) as ref:
        _image(ref, "big", original[0], 3)
        ref.add_colormapped_images("batch", [original[1], original[0]], 4)
        _image(ref, "given", original[1], 5, walltime=1234.5)
    got = {t: i.encoded_image_string for t, _, _, i in read_image_protos(logdir)}
    want = {t: i.encoded_image_string for t, _, _, i in read_image_protos(ref_dir)}
    assert got == want


def test_hold_scale_is_refused_in_process_mode(make_writer, logdir):
    w = make_writer()
    with pytest.raises(ValueError, match=r"^hold_scale=True keeps limits in the writer, which "
                                         r"a worker process does not share: use "
                                         r"async_render=True"):
        _image(w, "field", np.eye(4), 0, hold_scale=True)
    _image(w, "field", np.eye(4), 1)
    w.close()
    assert _steps(logdir) == {"field": [1]}


def test_process_mode_needs_posix(monkeypatch, logdir):
    from figwriter import _background

    monkeypatch.setattr(_background, "OS_NAME", "nt")
    with pytest.raises(ValueError, match=r"^async_render='process' needs a POSIX system "
                                         r"\(Linux, macOS\); this is 'nt': use "
                                         r"async_render=True \(a worker thread\)$"):
        figwriter.FigureSummaryWriter(logdir, async_render="process")
    assert not Path(logdir).exists()


def test_unpicklable_option_is_refused_at_call_time(make_writer, logdir):
    from matplotlib.colors import FuncNorm

    w = make_writer()
    norm = FuncNorm((lambda x: x**2, lambda x: np.sqrt(x)), vmin=0, vmax=1)
    with pytest.raises(TypeError, match=r"^norm cannot be sent to a render worker process "
                                        r"\(.*\); use async_render='thread'"):
        _image(w, "field", np.eye(4), 0, norm=norm)
    _image(w, "field", np.eye(4), 1)  # the writer stays usable
    w.close()
    assert _steps(logdir) == {"field": [1]}
    with figwriter.FigureSummaryWriter(logdir + "-thread", async_render="thread") as t:
        _image(t, "field", np.eye(4), 0, norm=norm)  # what the message suggests works
    assert _steps(logdir + "-thread") == {"field": [0]}


# -- failures -----------------------------------------------------------------------------


def _assert_from_the_worker(excinfo, what):
    assert "injected failure in process" in str(excinfo.value)
    cause = excinfo.value.__cause__
    assert isinstance(cause, _process_io.RemoteTraceback)
    assert "in failing" in str(cause) and "InjectedFailure" in str(cause)
    notes = " ".join(getattr(excinfo.value, "__notes__", []))
    assert f"while drawing {what}" in notes


def test_failure_is_raised_at_flush_with_the_workers_traceback(make_writer, logdir, failing):
    w = make_writer()
    for step in range(5):
        _image(w, "field", np.full((4, 4), _procjobs.FAIL if step == 2 else step), step)
    with pytest.raises(_procjobs.InjectedFailure) as excinfo:
        w.flush()
    _assert_from_the_worker(excinfo, "tag 'field' step 2")
    w.flush()  # reported once
    _image(w, "field", np.eye(4), 5)
    w.close()
    assert _steps(logdir) == {"field": [0, 1, 3, 4, 5]}


def test_failure_is_raised_at_the_next_call_and_at_close(make_writer, logdir, failing, gate):
    w = make_writer()
    _image(w, "field", np.full((4, 4), _procjobs.FAIL), 0)
    gate.release(1)
    deadline = time.monotonic() + TIMEOUT
    while not w._worker._pool.errors:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    with pytest.raises(_procjobs.InjectedFailure) as excinfo:
        _image(w, "field", np.eye(4), 1)  # refused: writes nothing
    _assert_from_the_worker(excinfo, "tag 'field' step 0")
    _image(w, "field", np.full((4, 4), _procjobs.FAIL), 2)
    _image(w, "field", np.eye(4), 3)
    gate.open()
    with pytest.raises(_procjobs.InjectedFailure):
        w.close()
    assert _steps(logdir) == {"field": [3]}


def test_a_failure_that_cannot_be_pickled_still_brings_its_traceback(
        make_writer, logdir, failing):
    w = make_writer()
    _image(w, "field", np.full((4, 4), _procjobs.UNPICKLABLE), 0)
    _image(w, "field", np.eye(4), 1)
    with pytest.raises(RuntimeError, match=r"^InjectedFailure: an injected failure that "
                                           r"cannot be pickled") as excinfo:
        w.flush()
    assert "in failing" in str(excinfo.value.__cause__)
    w.close()
    assert _steps(logdir) == {"field": [1]}


def test_short_shared_memory_sends_arrays_in_the_message(make_writer, logdir, monkeypatch,
                                                          rng):
    """A container's small /dev/shm: no SIGBUS, the array travels in the message."""
    import errno

    def no_space(fd, offset, length):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "posix_fallocate", no_space)
    data = rng.normal(size=(300, 300))
    w = make_writer()
    _image(w, "field", data, 0)
    assert _blocks() == []
    w.close()
    with figwriter.FigureSummaryWriter(logdir + "-sync") as ref:
        _image(ref, "field", data, 0)
    got = [i.encoded_image_string for _, _, _, i in read_image_protos(logdir)]
    want = [i.encoded_image_string for _, _, _, i in read_image_protos(logdir + "-sync")]
    assert got == want


@pytest.mark.parametrize("how", ["SIGKILL", "SIGSEGV", "exit"])
def test_a_dead_worker_is_reported_with_what_was_lost(make_writer, logdir, failing, gate, how):
    w = make_writer()
    _image(w, "field", np.eye(4), 0)
    gate.release(1)
    w.flush()
    (pid,) = w._worker.pids
    _image(w, "field", np.full((4, 4), _procjobs.EXIT if how == "exit" else 1.0), 1)
    _image(w, "field", np.eye(4) * 2, 2)
    gate.wait_started(2)  # the worker holds step 1; step 2 waits in its pipe
    if how == "exit":
        gate.release(1)  # step 1 ends the process with status 3
        ended = "exited with status 3"
    else:
        # a crash in native code looks the same from outside: the process just ends
        os.kill(pid, getattr(signal, how))
        ended = f"was killed by {how}"
    with pytest.raises(_process.WorkerProcessError,
                       match=rf"^the figwriter render worker process \(pid {pid}\) {ended}; "
                             r"2 picture\(s\) were lost: tag 'field' step 1, "
                             r"tag 'field' step 2$"):
        w.flush()
    assert not _running(pid)
    gate.open()
    _image(w, "field", np.eye(4) * 3, 3)  # a new worker takes over
    w.close()
    assert _steps(logdir) == {"field": [0, 3]}
    assert _blocks() == []


def test_a_worker_that_dies_under_back_pressure_never_hangs_the_caller(
        make_writer, logdir, failing):
    w = make_writer(max_pending=1)
    _image(w, "field", np.full((4, 4), _procjobs.DIE), 0)  # kills its worker
    second = _in_thread(_image, w, "field", np.eye(4), 1)
    second.join(TIMEOUT)
    assert not second.is_alive(), "a dead worker's slot must be given back"
    errors = list(second.errors)
    try:
        w.close()
    except _process.WorkerProcessError as err:
        errors.append(err)
    assert len(errors) == 1 and "tag 'field' step 0" in str(errors[0])
    assert "killed by SIGKILL" in str(errors[0])


# -- back-pressure, flush, close, exit ------------------------------------------------------


def test_full_pipeline_blocks_the_caller_until_a_picture_is_written(make_writer, logdir, gate):
    w = make_writer(max_pending=2)
    _image(w, "field", np.eye(4), 0)
    _image(w, "field", np.eye(4) * 2, 1)  # two in flight: the limit
    gate.wait_started(1)
    third = _in_thread(_image, w, "field", np.eye(4) * 3, 2)
    third.join(BLOCKED)
    assert third.is_alive(), "a call beyond max_pending must block"
    gate.release(1)  # picture 0 written: one slot free
    third.join(TIMEOUT)
    assert not third.is_alive() and not third.errors
    gate.open()
    for step in range(3, 9):  # nothing dropped under pressure
        _image(w, "field", np.eye(4) * step, step)
    w.flush()
    assert _steps(logdir) == {"field": list(range(9))}


@pytest.mark.parametrize("method", ["flush", "close"])
def test_flush_and_close_wait_and_close_leaves_nothing(make_writer, logdir, gate, method, rng):
    w = make_writer(render_workers=2)
    for step in range(3):
        _image(w, "a", rng.normal(size=(200, 200)), step)  # in shared memory
        _image(w, "b", np.eye(4) * step, step)
    pids = w._worker.pids
    assert len(pids) == 2 and _blocks()
    waiting = _in_thread(getattr(w, method))
    waiting.join(BLOCKED)
    assert waiting.is_alive(), f"{method}() returned with pictures pending"
    gate.open()
    waiting.join(TIMEOUT)
    assert not waiting.is_alive() and not waiting.errors
    assert _steps(logdir) == {"a": [0, 1, 2], "b": [0, 1, 2]}
    if method == "close":
        assert not any(_running(p) for p in pids), "close() left a worker process behind"
        assert _blocks() == [], "close() left shared memory behind"
        assert w._worker.pids == []
        assert not any(t.name == "figwriter-results" for t in threading.enumerate())


def test_dropped_writer_stops_its_workers(logdir):
    w = figwriter.FigureSummaryWriter(logdir, async_render="process")
    _image(w, "field", np.ones((200, 200)), 0)
    w.flush()
    (pid,) = w._worker.pids
    file_writer = w.file_writer
    del w
    gc.collect()
    deadline = time.monotonic() + TIMEOUT
    while _running(pid) or _blocks():
        assert time.monotonic() < deadline, "a dropped writer left its worker or memory"
        time.sleep(0.02)
    file_writer.close()
    assert _steps(logdir) == {"field": [0]}


_EXIT_SCRIPT = """
import glob, os, sys
import numpy as np
from figwriter import FigureSummaryWriter

w = FigureSummaryWriter(sys.argv[1], async_render="process", render_workers=2)
for step in range(6):
    w.add_colormapped_image("field", np.ones((300, 300)) * step, step)
    w.add_colormapped_image("other", np.eye(5) * step, step)
print(os.getpid(), *w._worker.pids, flush=True)
# no close(), no flush(), no main guard: the interpreter exits with pictures pending
"""


def test_pending_pictures_are_written_at_exit_and_nothing_is_left(tmp_path):
    script = tmp_path / "log_and_exit.py"
    script.write_text(textwrap.dedent(_EXIT_SCRIPT))
    env = dict(os.environ, MPLBACKEND="Agg",
               PYTHONPATH=os.pathsep.join([str(Path(__file__).parents[1]),
                                           os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, str(script), str(tmp_path / "run")],
                          capture_output=True, text=True, timeout=180, env=env)
    assert done.returncode == 0, done.stderr
    assert "figwriter" not in done.stderr and "leaked" not in done.stderr, done.stderr
    parent, *pids = (int(p) for p in done.stdout.split())
    assert len(pids) == 2
    assert glob.glob(f"/dev/shm/fw{parent}_*") == [], "shared memory left behind at exit"
    assert _steps(tmp_path / "run") == {"field": list(range(6)), "other": list(range(6))}
    deadline = time.monotonic() + TIMEOUT
    while any(_running(p) for p in pids):
        assert time.monotonic() < deadline, "worker processes outlived their program"
        time.sleep(0.02)


# -- what keeps the caller's cost down (Linux) -------------------------------------------------
@pytest.mark.skipif(not hasattr(os, "SCHED_BATCH"), reason="scheduling policies are Linux's")
def test_workers_run_as_batch_processes_and_leave_the_caller_its_core(make_writer):
    w = make_writer()
    _image(w, "field", np.eye(4), 0)
    w.flush()
    (pid,) = w._worker.pids
    assert os.sched_getscheduler(pid) == os.SCHED_BATCH
    assert os.sched_getscheduler(0) != os.SCHED_BATCH  # the caller's own policy is untouched


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pipe sizes are Linux's")
def test_a_picture_crosses_the_pipe_in_one_read(make_writer):
    import fcntl

    w = make_writer()
    _image(w, "field", np.eye(4), 0)
    w.flush()
    (proc,) = [p for p in w._worker._pool.procs if p is not None]
    limit = int(Path("/proc/sys/fs/pipe-max-size").read_text())
    want = min(_process_io.PIPE_BYTES, limit)
    for conn in (proc.requests, proc.results):
        assert fcntl.fcntl(conn.fileno(), fcntl.F_GETPIPE_SZ) >= want


# -- what the caller's matplotlib knows, and what the worker's says ---------------------------


def _renamed_serif(path: Path, family: str) -> str:
    """DejaVu Serif saved under a family name that only this process will know."""
    import matplotlib
    from fontTools.ttLib import TTFont

    font = TTFont(os.path.join(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSerif.ttf"))
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):  # family, full name, typographic family
            record.string = family
        elif record.nameID == 6:  # PostScript name
            record.string = family.replace(" ", "")
    font.save(str(path))
    return str(path)


def test_fonts_added_at_run_time_reach_the_workers(make_writer, tmp_path):
    import matplotlib
    from matplotlib import font_manager

    family = "Figwriter Test Serif"
    data, title = np.arange(64.0).reshape(8, 8), "Serif 123"
    manager = font_manager.fontManager
    before = len(manager.ttflist)
    w = make_writer(tmp_path / "process")
    _image(w, "field", data, 0, title=title)  # the worker starts before the font exists
    try:
        manager.addfont(_renamed_serif(tmp_path / "serif.ttf", family))
        with matplotlib.rc_context({"font.family": family}):
            _image(w, "field", data, 1, title=title)
            w.close()
            with figwriter.FigureSummaryWriter(str(tmp_path / "sync")) as ref:
                _image(ref, "field", data, 1, title=title)
    finally:
        del manager.ttflist[before:]
        manager._findfont_cached.cache_clear()
        figwriter.clear_caches()
    default, serif = [i.encoded_image_string
                      for _, _, _, i in read_image_protos(tmp_path / "process")]
    (want,) = [i.encoded_image_string for _, _, _, i in read_image_protos(tmp_path / "sync")]
    assert serif == want
    assert default != want  # the font shows in the picture


def test_worker_warnings_are_raised_in_the_caller_once_per_tag(make_writer, logdir):
    from figwriter import AnnotationWarning

    w = make_writer()
    small = np.random.default_rng(3).random((200, 200))
    with pytest.warns(AnnotationWarning, match=r"annot: 40000 cells of 'small' are too small"):
        w.add_colormapped_image("small", small, 0, annot=True)
        w.flush()
    with pytest.warns(UserWarning, match=r"Glyph 129514 \(\\N\{TEST TUBE\}\) missing"):
        _image(w, "glyph", np.eye(4), 0, title="\N{TEST TUBE}")
        w.flush()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # neither tag warns again
        w.add_colormapped_image("small", small, 1, annot=True)
        _image(w, "glyph", np.eye(4), 1, title="\N{TEST TUBE}")
        w.flush()
    assert [len(read_images(logdir)[tag]) for tag in ("small", "glyph")] == [2, 2]


@pytest.mark.parametrize("mode", [True, "process"])
def test_a_warning_the_callers_filters_make_an_error_fails_that_picture(logdir, mode):
    with figwriter.FigureSummaryWriter(logdir, async_render=mode) as w:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            _image(w, "glyph", np.eye(4), 0, title="\N{TEST TUBE}")
            with pytest.raises(UserWarning, match="missing from font"):
                w.flush()
        _image(w, "glyph", np.eye(4), 1)
    assert [e.step for e in read_images(logdir)["glyph"]] == [1]


def test_a_list_setting_changed_in_place_reaches_the_worker(make_writer, tmp_path):
    import matplotlib

    data, title = np.arange(64.0).reshape(8, 8), "Serif 123"
    families = matplotlib.rcParams["font.sans-serif"]
    w = make_writer(tmp_path / "process")
    _image(w, "field", data, 0, title=title)
    families.insert(0, "DejaVu Serif")  # changed in place, not assigned
    try:
        _image(w, "field", data, 1, title=title)
        w.close()
        with figwriter.FigureSummaryWriter(str(tmp_path / "sync")) as ref:
            _image(ref, "field", data, 1, title=title)
    finally:
        families.remove("DejaVu Serif")
        figwriter.clear_caches()
    default, serif = [i.encoded_image_string
                      for _, _, _, i in read_image_protos(tmp_path / "process")]
    (want,) = [i.encoded_image_string for _, _, _, i in read_image_protos(tmp_path / "sync")]
    assert serif == want and default != want
