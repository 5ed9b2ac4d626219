"""Background mode (``async_render=True``): read back what the worker wrote.

The worker is made slow on purpose with a *gate*: the matplotlib renderer waits
for a permit before drawing, so a test decides when each picture may be drawn
and can look at the writer while work is pending. Sleeps are short (the longest
waits for tensorboardX's next event-file name, which changes by the second), and
every wait has a timeout so a bug fails instead of hanging.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import tensorboardX
from matplotlib.figure import Figure

import figwriter
from figwriter import _png
from figwriter.render import mpl as _mpl

from ._readback import read_image_protos, read_images
from ._requires import import_torch
from .test_batch import RENDERERS

#: how long any wait may take before the test fails instead of hanging
TIMEOUT = 20.0
#: how long a call is given to show that it is blocked
BLOCKED = 0.1
THREAD_NAME = "figwriter-render"


class Gate:
    """Hold the matplotlib renderers until permits are released."""

    def __init__(self) -> None:
        self._permits = threading.Semaphore(0)
        self._cond = threading.Condition()
        self.started = 0
        self.threads: list[str] = []

    def wrap(self, render):
        def gated_render(*args, **kwargs):
            with self._cond:
                self.started += 1
                self.threads.append(threading.current_thread().name)
                self._cond.notify_all()
            if not self._permits.acquire(timeout=TIMEOUT):
                raise RuntimeError("test gate never opened")
            return render(*args, **kwargs)

        return gated_render

    def release(self, n: int = 1) -> None:
        self._permits.release(n)

    def open(self) -> None:
        self._permits.release(10_000)

    def wait_started(self, n: int) -> None:
        with self._cond:
            assert self._cond.wait_for(lambda: self.started >= n, TIMEOUT), (
                f"{n} renders expected to start, {self.started} did"
            )


_GATES: list[Gate] = []


@pytest.fixture
def gate(monkeypatch):
    g = Gate()
    monkeypatch.setattr(_mpl, "render_matplotlib", g.wrap(_mpl.render_matplotlib))
    monkeypatch.setattr(_mpl, "render_matplotlib_grid", g.wrap(_mpl.render_matplotlib_grid))
    _GATES.append(g)
    yield g
    g.open()
    _GATES.remove(g)


@pytest.fixture
def make_writer(writer_cls, logdir):
    """Background writers, closed at the end (after opening any gate, so none hangs).

    A failure that close() raises fails the test: a test that provokes one must
    have seen it raised already (it is raised once).
    """
    made = []

    def make(path=None, **kwargs):
        kwargs.setdefault("async_render", True)
        w = writer_cls(logdir if path is None else str(path), **kwargs)
        made.append(w)
        return w

    yield make
    for g in _GATES:
        g.open()
    errors = []
    for w in made:
        try:
            w.close()
        except Exception as err:  # every writer is closed before reporting
            errors.append(err)
    if errors:
        raise errors[0]


def _render_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name == THREAD_NAME}


def _steps(logdir) -> dict[str, list[int]]:
    return {tag: [e.step for e in events] for tag, events in read_images(logdir).items()}


def _image(w, tag, data, step=None, **kwargs):
    w.add_colormapped_image(tag, data, step, renderer="matplotlib", **kwargs)


# -- identical output ----------------------------------------------------------------------


def _log_everything(w, renderer: str, rng_seed: int = 3) -> list[tuple[str, int]]:
    """A few steps of every method with limits changing each step; returns the calls."""
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(rng_seed)
    kept = Figure(figsize=(2, 1.5), dpi=60)
    (line,) = kept.subplots().plot([0, 1, 2], [0, 1, 0])
    calls = []
    for step in range(3):
        spread = 10.0 ** step
        field = rng.normal(size=(12, 16)) * spread + step
        batch = rng.normal(size=(3, 6, 8)) * spread
        ragged = [rng.normal(size=(5, 7)) * spread, rng.uniform(0, spread, (7, 5))]
        w.add_colormapped_image("image", field, step, renderer=renderer, title=f"step {step}")
        w.add_colormapped_images("images", batch, step, renderer=renderer, titles=["a", "b", "c"])
        w.add_colormapped_images("per-panel", ragged, step, renderer=renderer,
                                 shared_scale=False)
        closed = plt.figure(figsize=(2, 1.5), dpi=60)  # pyplot-managed: closed by the call
        closed.subplots().imshow(field)
        w.add_figure_png("figure-closed", closed, step, close=True)
        line.set_ydata([0, spread, step])
        w.add_figure_png("figure-kept", kept, step, close=False, dpi=50 + step)
        # the user owns a kept figure and may change it at once
        line.set_ydata([9, 9, 9])
        calls += [(t, step) for t in ("image", "images", "per-panel", "figure-closed",
                                      "figure-kept")]
    return calls


@pytest.mark.parametrize("renderer", RENDERERS)
def test_background_pictures_are_byte_identical_to_sync(writer_cls, tmp_path, renderer):
    import matplotlib.pyplot as plt

    written = {}
    for mode in ("sync", "background"):
        logdir = str(tmp_path / mode)
        with writer_cls(logdir, async_render=(mode == "background")) as w:
            calls = _log_everything(w, renderer)
        written[mode] = [(tag, step, image.encoded_image_string)
                         for tag, step, _, image in read_image_protos(logdir)]
        assert plt.get_fignums() == [], "close=True must close pyplot figures"
    sync, background = written["sync"], written["background"]
    # every call written, in call order, in both modes
    assert [(tag, step) for tag, step, _ in sync] == calls
    assert [(tag, step) for tag, step, _ in background] == calls
    for (tag, step, a), (_, _, b) in zip(sync, background):
        assert a == b, f"{tag} step {step}: background PNG differs from the synchronous one"
    assert len({png for _, _, png in sync}) == len(sync)  # limits really changed every step


@pytest.mark.parametrize("renderer", RENDERERS)
def test_background_pictures_follow_the_rcparams_of_the_call(writer_cls, tmp_path, gate,
                                                              renderer):
    import matplotlib

    values = np.random.default_rng(4).normal(size=(12, 16)) * 1e-3 + 5
    written = {}
    for mode in ("background", "sync"):  # the gate opens before the synchronous round
        logdir = str(tmp_path / mode)
        with writer_cls(logdir, async_render=mode == "background") as w:
            if mode == "background":  # the worker is held until the rc_context has exited
                w.add_colormapped_image("held", np.eye(3), 0, renderer="matplotlib")
                gate.wait_started(1)
            with matplotlib.rc_context({"font.size": 18, "axes.formatter.useoffset": False}):
                w.add_colormapped_image("styled", values, 0, renderer=renderer, title="rc")
            gate.open()
        (written[mode],) = read_images(logdir)["styled"]
    sync, background = written["sync"], written["background"]
    assert (background.width, background.height) == (sync.width, sync.height)
    assert background.png == sync.png
    # the drawing's settings were put back: the process has the caller's again
    assert matplotlib.rcParams["font.size"] == matplotlib.rcParamsDefault["font.size"]


def test_settings_changed_while_a_background_picture_draws_are_kept(writer_cls, logdir,
                                                                    gate):
    import matplotlib

    default = matplotlib.rcParamsDefault
    with matplotlib.rc_context(), writer_cls(logdir, async_render=True) as w:
        with matplotlib.rc_context({"font.size": 18, "axes.titlesize": 20}):
            w.add_colormapped_image("styled", np.eye(3), 0, renderer="matplotlib", title="rc")
        gate.wait_started(1)  # drawing now, with the call's settings
        matplotlib.rcParams["font.size"] = 12  # the caller changes one meanwhile
        gate.open()
        w.flush()
        assert matplotlib.rcParams["font.size"] == 12  # kept
        assert matplotlib.rcParams["axes.titlesize"] == default["axes.titlesize"]  # put back


# -- metadata at call time -----------------------------------------------------------------


def test_walltime_and_step_are_fixed_at_call_time(make_writer, logdir, gate):
    w = make_writer()
    before = time.time()
    _image(w, "now", np.eye(4), 3)
    w.add_colormapped_images("batch", np.ones((2, 3, 3)), 4, renderer="matplotlib")
    after = time.time()
    _image(w, "given", np.eye(4), 5, walltime=1234.5)
    time.sleep(0.05)  # the pictures are written strictly later than `after`
    released = time.time()
    gate.open()
    w.flush()
    events = read_images(logdir)
    for tag, step in (("now", 3), ("batch", 4)):
        (event,) = events[tag]
        assert event.step == step
        assert before <= event.wall_time <= after < released
    (given,) = events["given"]
    assert (given.step, given.wall_time) == (5, 1234.5)
    assert set(gate.threads) == {THREAD_NAME}  # drawn by the worker, not the caller


@pytest.mark.parametrize("writer_cls", ["tensorboardX"], indirect=True)
def test_use_metadata_defaults_hold_after_the_block_exits(make_writer, logdir, gate):
    w = make_writer()
    with w.use_metadata(global_step=7, walltime=1000.0):
        _image(w, "both", np.eye(4))
        w.add_colormapped_images("batch", np.ones((2, 3, 3)), renderer="matplotlib")
        _image(w, "explicit", np.eye(4), 9, walltime=2000.0)  # explicit values win
    before = time.time()
    with w.use_metadata(global_step=8):
        _image(w, "step-only", np.eye(4))
    after = time.time()
    assert gate.started <= 1  # the worker is still held: it writes after the blocks exited
    time.sleep(0.05)
    gate.open()
    w.flush()
    events = read_images(logdir)
    assert [(e.step, e.wall_time) for e in events["both"]] == [(7, 1000.0)]
    assert [(e.step, e.wall_time) for e in events["batch"]] == [(7, 1000.0)]
    assert [(e.step, e.wall_time) for e in events["explicit"]] == [(9, 2000.0)]
    (step_only,) = events["step-only"]
    assert step_only.step == 8 and before <= step_only.wall_time <= after


@pytest.mark.parametrize("writer_cls", ["tensorboardX"], indirect=True)
def test_unset_step_is_not_taken_from_a_later_use_metadata_block(make_writer, logdir, gate):
    w = make_writer()
    _image(w, "no-step", np.eye(4))  # no global_step, no use_metadata: step 0 when read
    with w.use_metadata(global_step=99):
        w.add_scalar("loss", 1.0)
        gate.open()
        w.flush()  # the picture is written now, inside the block
    assert [e.step for e in read_images(logdir)["no-step"]] == [0]


# -- the caller's data is taken at call time -----------------------------------------------


def test_caller_may_change_its_arrays_right_after_the_call(make_writer, gate, tmp_path, rng):
    field = rng.normal(size=(6, 8))
    batch = rng.normal(size=(3, 5, 5))
    masked = np.ma.masked_array(rng.normal(size=(4, 6)), mask=np.eye(4, 6, dtype=bool))
    ragged = [rng.normal(size=(4, 4)), masked]
    originals = (field.copy(), batch.copy(), [ragged[0].copy(), masked.copy()])

    w = make_writer(tmp_path / "background")
    _image(w, "field", field, 0)
    w.add_colormapped_images("batch", batch, 0, renderer="matplotlib")
    w.add_colormapped_images("ragged", ragged, 0, renderer="matplotlib")
    field[:] = 0.0  # all before the worker has drawn anything
    batch[1] = -batch[1]
    ragged[0] *= 100
    masked[0, 1] = 1e9
    masked.mask[:] = False
    assert gate.started <= 1  # the worker has drawn nothing yet
    gate.open()
    w.close()

    with figwriter.FigureSummaryWriter(str(tmp_path / "sync")) as ref:
        ref.add_colormapped_image("field", originals[0], 0, renderer="matplotlib")
        ref.add_colormapped_images("batch", originals[1], 0, renderer="matplotlib")
        ref.add_colormapped_images("ragged", originals[2], 0, renderer="matplotlib")
    got = {tag: image.encoded_image_string
           for tag, _, _, image in read_image_protos(tmp_path / "background")}
    want = {tag: image.encoded_image_string
            for tag, _, _, image in read_image_protos(tmp_path / "sync")}
    assert got == want


def test_torch_tensors_are_converted_on_the_callers_thread(
    make_writer, gate, tmp_path, monkeypatch
):
    torch = import_torch()
    from figwriter import _convert

    converted_on = []
    original = _convert._torch_to_numpy

    def recording(x):
        converted_on.append(threading.current_thread().name)
        return original(x)

    monkeypatch.setattr(_convert, "_torch_to_numpy", recording)
    data = np.arange(48, dtype=np.float32).reshape(6, 8)
    tensor = torch.from_numpy(data.copy()).requires_grad_(True)
    batch = torch.from_numpy(np.stack([data, -data])[:, None].copy())
    w = make_writer(tmp_path / "background")
    _image(w, "tensor", tensor, 0)
    w.add_colormapped_images("batch", batch, 0, dataformats="NCHW", renderer="matplotlib")
    with torch.no_grad():
        tensor.zero_()
        batch.mul_(-5)
    assert gate.started <= 1  # the worker has drawn nothing yet
    gate.open()
    w.close()
    assert converted_on and set(converted_on) == {threading.current_thread().name}

    with figwriter.FigureSummaryWriter(str(tmp_path / "sync")) as ref:
        ref.add_colormapped_image("tensor", data, 0, renderer="matplotlib")
        ref.add_colormapped_images("batch", [data, -data], 0, renderer="matplotlib")
    got = {t: i.encoded_image_string for t, _, _, i in read_image_protos(tmp_path / "background")}
    want = {t: i.encoded_image_string for t, _, _, i in read_image_protos(tmp_path / "sync")}
    assert got == want


# -- failures in the worker ----------------------------------------------------------------


class EncodeFailure(RuntimeError):
    pass


@pytest.fixture
def failing_encode(monkeypatch):
    """Make the PNG encoder fail on the given calls (counted from 0)."""
    state = {"calls": 0, "fail_on": set(), "raised": []}
    original = _png.encode_png

    def injected_encode_failure(pixels, **kwargs):
        call = state["calls"]
        state["calls"] += 1
        if call in state["fail_on"]:
            err = EncodeFailure(f"injected failure on encode call {call}")
            state["raised"].append(err)
            raise err
        return original(pixels, **kwargs)

    monkeypatch.setattr(_png, "encode_png", injected_encode_failure)
    return state


def _assert_from_the_worker(excinfo, state, index=0):
    assert excinfo.value is state["raised"][index], "not the worker's own exception"
    frames = [entry.name for entry in excinfo.traceback]
    assert "injected_encode_failure" in frames, f"original traceback lost: {frames}"


def test_worker_failure_is_raised_at_flush_and_nothing_else_is_lost(
    make_writer, logdir, failing_encode
):
    failing_encode["fail_on"] = {2}
    w = make_writer()
    for step in range(5):
        _image(w, "field", np.eye(4) * step, step)
    with pytest.raises(EncodeFailure, match="injected failure on encode call 2") as excinfo:
        w.flush()
    _assert_from_the_worker(excinfo, failing_encode)
    w.flush()  # reported once
    _image(w, "field", np.eye(4), 5)  # and the writer stays usable
    w.flush()
    assert _steps(logdir) == {"field": [0, 1, 3, 4, 5]}


def test_worker_failure_is_raised_at_the_next_call(make_writer, logdir, gate, failing_encode):
    failing_encode["fail_on"] = {0}
    w = make_writer()
    _image(w, "field", np.eye(4), 0)
    _image(w, "field", np.eye(4) * 2, 1)
    gate.release(1)  # job 0 renders and fails to encode...
    gate.wait_started(2)  # ...and the worker has moved on to job 1
    with pytest.raises(EncodeFailure, match="injected failure on encode call 0") as excinfo:
        _image(w, "field", np.eye(4) * 3, 2)  # refused: this call writes nothing
    _assert_from_the_worker(excinfo, failing_encode)
    gate.open()
    _image(w, "field", np.eye(4) * 4, 3)
    w.flush()
    assert _steps(logdir) == {"field": [1, 3]}


def test_worker_failure_is_raised_at_close_after_everything_is_written(
    make_writer, logdir, failing_encode
):
    failing_encode["fail_on"] = {1}
    before = _render_threads()
    w = make_writer()
    for step in range(3):
        _image(w, "field", np.eye(4) * step, step)
    with pytest.raises(EncodeFailure, match="injected failure on encode call 1") as excinfo:
        w.close()
    _assert_from_the_worker(excinfo, failing_encode)
    assert _steps(logdir) == {"field": [0, 2]}  # closed: on disk without flush
    assert _render_threads() <= before
    w.close()  # reported once


def test_several_failures_raise_the_first_and_count_the_others(
    make_writer, failing_encode
):
    failing_encode["fail_on"] = {0, 1, 2}
    w = make_writer()
    for step in range(3):
        _image(w, "field", np.eye(4), step)
    with pytest.raises(EncodeFailure, match="call 0") as excinfo:
        w.flush()
    _assert_from_the_worker(excinfo, failing_encode)
    assert "2 more background job(s) failed" in " ".join(getattr(excinfo.value, "__notes__", []))
    w.flush()


def test_bad_figure_list_surfaces_from_the_worker(writer_cls, logdir):
    """Figures of different sizes, closed by the call, are drawn (and refused) later."""
    def figures():
        return [Figure(figsize=(2, 2), dpi=40), Figure(figsize=(3, 2), dpi=40)]

    match = r"figure: every figure in a list must draw to the same size; got 80x80, 120x80"
    with writer_cls(logdir) as w:  # synchronous: refused by the call itself
        with pytest.raises(ValueError, match=match):
            w.add_figure_png("figs", figures(), 0)
    with writer_cls(logdir, async_render=True) as w:
        w.add_figure_png("figs", figures(), 1)
        with pytest.raises(ValueError, match=match):
            w.flush()
        w.add_figure_png("figs", figures()[:1], 2)
    assert _steps(logdir) == {"figs": [2]}


# -- back-pressure -------------------------------------------------------------------------


def _in_thread(fn, *args, **kwargs) -> threading.Thread:
    errors = []

    def run():
        try:
            fn(*args, **kwargs)
        except BaseException as err:  # reported by the test
            errors.append(err)

    t = threading.Thread(target=run, daemon=True)
    t.errors = errors  # type: ignore[attr-defined]
    t.start()
    return t


def test_full_queue_blocks_the_caller_until_the_worker_takes_a_job(make_writer, logdir, gate):
    w = make_writer(max_pending=1)
    _image(w, "field", np.eye(4), 0)
    gate.wait_started(1)  # the worker holds job 0
    second = _in_thread(_image, w, "field", np.eye(4) * 2, 1)
    second.join(TIMEOUT)
    assert not second.is_alive(), "one job may wait without blocking the caller"
    third = _in_thread(_image, w, "field", np.eye(4) * 3, 2)
    third.join(BLOCKED)
    assert third.is_alive(), "a full queue must block the caller"
    gate.release(1)  # job 0 done: the worker takes job 1, which frees the queue
    third.join(TIMEOUT)
    assert not third.is_alive(), "the caller must resume once the worker takes a job"
    gate.wait_started(2)
    assert gate.started == 2  # job 1 is still being drawn: only a slot was freed
    gate.open()
    for step in range(3, 8):  # nothing dropped under pressure
        _image(w, "field", np.eye(4) * step, step)
    w.flush()
    assert not second.errors and not third.errors
    assert _steps(logdir) == {"field": list(range(8))}


# -- flush, close, reuse -------------------------------------------------------------------


@pytest.mark.parametrize("method", ["flush", "close"])
def test_flush_and_close_wait_for_pending_pictures(make_writer, logdir, gate, method):
    before = _render_threads()
    w = make_writer()
    for step in range(3):
        _image(w, "field", np.eye(4) * step, step)
    waiting = _in_thread(getattr(w, method))
    waiting.join(BLOCKED)
    assert waiting.is_alive(), f"{method}() returned with pictures pending"
    gate.open()
    waiting.join(TIMEOUT)
    assert not waiting.is_alive() and not waiting.errors
    assert _steps(logdir) == {"field": [0, 1, 2]}
    if method == "close":
        assert _render_threads() <= before, "close() left a render thread behind"


def test_writer_logs_again_after_close(make_writer, writer_cls, logdir, gate):
    gate.open()
    before = _render_threads()
    w = make_writer()
    _image(w, "field", np.eye(4), 0)
    first_thread = w._worker._thread
    w.close()
    assert _render_threads() <= before
    if issubclass(writer_cls, tensorboardX.SummaryWriter):
        # tensorboardX names event files by the second: let the next one get a new name
        time.sleep(1.02 - time.time() % 1)
    _image(w, "field", np.eye(4) * 2, 1)
    w.add_colormapped_images("batch", np.ones((2, 3, 3)), 1, renderer="matplotlib")
    assert w._worker._thread is not first_thread and w._worker._thread.is_alive()
    w.close()
    assert _render_threads() <= before
    assert len(list(Path(logdir).glob("events.out.tfevents.*"))) == 2
    assert _steps(logdir) == {"field": [0, 1], "batch": [1]}


# -- garbage collection and interpreter exit -----------------------------------------------


def test_dropped_writer_still_writes_its_pending_pictures(writer_cls, logdir, gate):
    w = writer_cls(logdir, async_render=True)
    for step in range(3):
        _image(w, "field", np.eye(4) * step, step)
    thread = w._worker._thread
    file_writer = w.file_writer  # the parent's, which outlives the SummaryWriter
    del w
    gc.collect()
    gate.open()
    thread.join(TIMEOUT)
    assert not thread.is_alive(), "the render thread must stop once its writer is gone"
    file_writer.close()  # the parent's file writer flushes on its own schedule
    assert _steps(logdir) == {"field": [0, 1, 2]}


def test_dropped_idle_writer_leaves_no_render_thread(writer_cls, logdir):
    w = writer_cls(logdir, async_render=True)
    _image(w, "field", np.eye(4), 0)
    w.flush()
    thread = w._worker._thread
    assert thread.is_alive()
    file_writer = w.file_writer
    del w
    gc.collect()
    thread.join(TIMEOUT)
    assert not thread.is_alive()
    file_writer.close()
    assert _steps(logdir) == {"field": [0]}


_EXIT_SCRIPT = """
import sys, time
import numpy as np
from matplotlib.figure import Figure
from figwriter.render import mpl as _mpl

render = _mpl.render_matplotlib
def slow_render(*args, **kwargs):  # keep work pending when the script ends
    time.sleep(0.04)
    return render(*args, **kwargs)
_mpl.render_matplotlib = slow_render

writers = {}
from figwriter import FigureSummaryWriter
writers["tensorboardX"] = FigureSummaryWriter
if "torch" in sys.argv[2:]:
    from figwriter.torch import FigureSummaryWriter as TorchWriter
    writers["torch"] = TorchWriter
kept = []
for name, cls in writers.items():
    w = cls(sys.argv[1] + "/" + name, async_render=True)
    for step in range(6):
        w.add_colormapped_image("field", np.eye(5) * step, step, renderer="matplotlib")
    w.add_figure_png("figure", Figure(figsize=(1, 1), dpi=30), 0)
    kept.append(w)
    print(name, w._worker._queue.unfinished_tasks, flush=True)
# no close(), no flush(): the interpreter exits with pictures pending
"""


def test_pending_pictures_are_written_at_interpreter_exit(tmp_path):
    names = ["tensorboardX"]
    try:
        import figwriter.torch  # noqa: F401
    except ImportError:
        pass
    else:
        names.append("torch")
    script = tmp_path / "log_and_exit.py"
    script.write_text(textwrap.dedent(_EXIT_SCRIPT))
    env = dict(os.environ, MPLBACKEND="Agg",
               PYTHONPATH=os.pathsep.join([str(Path(__file__).parents[1]),
                                           os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path), *names],
        capture_output=True, text=True, timeout=120, env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "figwriter" not in done.stderr, done.stderr
    pending = dict(line.split() for line in done.stdout.splitlines())
    assert set(pending) == set(names)
    for name in names:
        assert int(pending[name]) > 0, "the script should exit with work pending"
        assert _steps(tmp_path / name) == {"field": list(range(6)), "figure": [0]}, name


# -- many threads --------------------------------------------------------------------------


def test_many_threads_log_to_one_background_writer(writer_cls, tmp_path):
    n_threads, n_steps = 8, 3
    renderer = "fast"  # what is tested is the concurrency: the quicker renderer

    def data(thread: int, step: int) -> np.ndarray:
        return np.arange(16.0).reshape(4, 4) * (step + 1) + thread * np.eye(4)

    background = tmp_path / "background"
    start = threading.Barrier(n_threads)
    with writer_cls(str(background), async_render=True, max_pending=4) as w:

        def log(thread: int) -> None:
            start.wait(TIMEOUT)
            for step in range(n_steps):
                w.add_colormapped_image(f"thread{thread}", data(thread, step), step,
                                        renderer=renderer)

        workers = [_in_thread(log, i) for i in range(n_threads)]
        for t in workers:
            t.join(TIMEOUT)
        assert not any(t.is_alive() for t in workers)
        assert not any(t.errors for t in workers), [t.errors for t in workers]

    with writer_cls(str(tmp_path / "sync")) as ref:
        for thread in range(n_threads):
            for step in range(n_steps):
                ref.add_colormapped_image(f"thread{thread}", data(thread, step), step,
                                          renderer=renderer)
    got = read_images(background)
    want = read_images(tmp_path / "sync")
    assert sorted(got) == sorted(want) == sorted(f"thread{i}" for i in range(n_threads))
    for tag in want:
        assert [e.step for e in got[tag]] == list(range(n_steps)), tag
        assert [e.png for e in got[tag]] == [e.png for e in want[tag]], tag
        assert all(e.pixels.shape == (e.height, e.width, 3) for e in got[tag])


# -- constructor ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"async_render": "yes"}, ValueError,
         r"async_render must be False, True, 'thread' or 'process'; got 'yes'"),
        ({"async_render": 1}, TypeError,
         r"async_render must be False, True, 'thread' or 'process'; got int"),
        ({"async_render": None}, TypeError,
         r"async_render must be False, True, 'thread' or 'process'; got NoneType"),
        ({"async_render": "process", "render_workers": 0}, ValueError,
         r"render_workers must be at least 1; got 0"),
        ({"async_render": "process", "render_workers": 2.0}, TypeError,
         r"render_workers must be an int; got float"),
        ({"async_render": "thread", "render_workers": 2}, ValueError,
         r"render_workers=2 needs async_render='process'"),
        ({"render_workers": 3}, ValueError, r"render_workers=3 needs async_render='process'"),
        ({"max_pending": 0}, ValueError, r"max_pending must be at least 1; got 0"),
        ({"max_pending": -3, "async_render": True}, ValueError,
         r"max_pending must be at least 1; got -3"),
        ({"max_pending": 2.0}, TypeError, r"max_pending must be an int; got float"),
        ({"max_pending": True}, TypeError, r"max_pending must be an int; got bool"),
        ({"max_pending": "4"}, TypeError, r"max_pending must be an int; got str"),
        ({"max_pending": None}, TypeError, r"max_pending must be an int; got NoneType"),
    ],
)
def test_constructor_refuses_bad_background_options(writer_cls, logdir, kwargs, error, match):
    threads = _render_threads()
    with pytest.raises(error, match=match):
        writer_cls(logdir, **kwargs)
    assert not Path(logdir).exists(), "a refused constructor must not create an event file"
    assert _render_threads() <= threads


def test_parent_arguments_work_alongside_background_options(writer_cls, logdir):
    w = writer_cls(logdir, flush_secs=5, filename_suffix=".figs", async_render=np.bool_(True),
                   max_pending=np.int64(2))
    assert w.async_render is True
    assert w._worker.max_pending == 2
    for step in range(4):
        _image(w, "field", np.eye(4) * step, step)
    w.add_scalar("loss", 0.5, 3)
    w.close()
    files = list(Path(logdir).glob("events.out.tfevents.*"))
    assert files and all(f.name.endswith(".figs") for f in files)
    assert _steps(logdir) == {"field": [0, 1, 2, 3]}
    sync = writer_cls(logdir)
    try:
        assert sync.async_render is False
    finally:
        sync.close()


def test_picture_submitted_while_another_thread_closes_is_written(
    writer_cls, logdir, monkeypatch
):
    """close() in one thread must not slip its stop marker ahead of a job that another
    thread is submitting (the job would stay queued, never written)."""
    from figwriter import _background

    ensured, proceed = threading.Event(), threading.Event()
    original = _background.Worker._ensure_thread

    def ensure_then_pause(self):
        original(self)
        if threading.current_thread().name == "submitter":
            ensured.set()
            proceed.wait(TIMEOUT)

    monkeypatch.setattr(_background.Worker, "_ensure_thread", ensure_then_pause)
    w = writer_cls(logdir, async_render=True)
    _image(w, "field", np.eye(4), 0)
    submitter = threading.Thread(
        target=_image, args=(w, "field", np.eye(4) * 2, 1), name="submitter", daemon=True
    )
    submitter.start()
    assert ensured.wait(TIMEOUT)  # the submitter has a running worker, and has not queued yet
    closer = _in_thread(w.close)
    closer.join(BLOCKED)
    proceed.set()
    submitter.join(TIMEOUT)
    closer.join(TIMEOUT)
    assert not submitter.is_alive() and not closer.is_alive() and not closer.errors
    w.close()
    assert _steps(logdir) == {"field": [0, 1]}


def test_dropped_writer_after_a_reported_failure_leaves_no_render_thread(
    writer_cls, logdir, failing_encode
):
    failing_encode["fail_on"] = {0}
    w = writer_cls(logdir, async_render=True)
    _image(w, "field", np.eye(4), 0)
    with pytest.raises(EncodeFailure):
        w.flush()
    _image(w, "field", np.eye(4), 1)
    w.flush()
    thread = w._worker._thread
    file_writer = w.file_writer
    failing_encode["raised"].clear()  # (its traceback holds the writer)
    del w
    gc.collect()
    thread.join(TIMEOUT)
    assert not thread.is_alive(), "the render thread outlived its writer"
    file_writer.close()
    assert _steps(logdir) == {"field": [1]}


def test_failure_of_a_dropped_writer_is_reported_on_stderr(
    writer_cls, logdir, failing_encode, capfd
):
    """Nobody is left to raise to: the failure is said, not lost silently."""
    failing_encode["fail_on"] = {0}
    w = writer_cls(logdir, async_render=True)
    _image(w, "field", np.eye(4), 0)
    thread = w._worker._thread
    del w
    deadline = time.monotonic() + TIMEOUT
    while not failing_encode["raised"] and time.monotonic() < deadline:
        time.sleep(0.01)
    failing_encode["raised"].clear()  # (its traceback holds the writer)
    while thread.is_alive() and time.monotonic() < deadline:
        gc.collect()  # the failure's traceback may hold the writer in a cycle
        thread.join(0.05)
    assert not thread.is_alive()
    assert "injected failure on encode call 0" in capfd.readouterr().err


@pytest.mark.parametrize("writer_cls", ["tensorboardX"], indirect=True)
def test_flush_that_raises_still_puts_the_other_pictures_on_disk(
    make_writer, logdir, failing_encode, monkeypatch
):
    from tensorboardX.event_file_writer import EventsWriter

    write_event = EventsWriter.write_event

    def slow_write_event(self, event):  # a slow disk: events lag behind the worker
        time.sleep(0.05)
        return write_event(self, event)

    monkeypatch.setattr(EventsWriter, "write_event", slow_write_event)
    failing_encode["fail_on"] = {1}
    w = make_writer()
    for step in range(4):
        _image(w, "field", np.eye(4) * step, step)
    with pytest.raises(EncodeFailure):
        w.flush()
    assert _steps(logdir) == {"field": [0, 2, 3]}
