"""The training-loop tables: what logging a field every step adds to a loop.

Three loops of about ``STEP_MS`` per step (calibrated on this machine before the
run): one waits (``time.sleep``, like a GPU step), one runs interpreted Python
holding the GIL (an RL environment, a Python data pipeline), one runs numpy
matrix products on one BLAS thread. Each logs one ``SIDE`` x ``SIDE`` float32
field per step with ``add_colormapped_image`` (limits changing every step), in
each mode: synchronous, ``async_render=True`` (a thread) and
``async_render="process"``. Every (loop, mode) run does ``WARMUP_STEPS`` untimed
steps, then ``STEPS`` timed ones, then a flush (untimed); the loop without any
logging runs the same way. *ms added per step* is the median over interleaved
rounds of (mean step time with logging - mean step time without).

A second table times back-to-back calls (no work between them) in the two
background modes, on the caller's thread: while the worker is busy but the
queue still has room, and once the queue is full (each call then waits for a
picture to be written: the worker's throughput). Two bursts run; the table
shows the second, and the first's queue-filling time beside it (the first
burst also makes the buffers a full queue holds).
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Any, Callable, TextIO

import numpy as np

from benchmarks.common import call_factor, make_field, say

#: the loops' step length, the field's side, steps per run, rounds
STEP_MS = 25.0
SIDE = 1024
WARMUP_STEPS, STEPS, ROUNDS = 4, 24, 3
QUICK_WARMUP_STEPS, QUICK_STEPS, QUICK_ROUNDS = 2, 6, 1
#: back-to-back calls per background mode
BURST, QUICK_BURST = 100, 24
#: loop name -> label, in table order
LOOPS: dict[str, str] = {
    "wait": "waits (time.sleep)",
    "python": "runs Python (GIL held)",
    "numpy": "runs numpy (1 BLAS thread)",
}
#: mode name -> (label, the writer's async_render)
MODES: dict[str, tuple[str, Any]] = {
    "sync": ("sync", False),
    "thread": ("async_render=True", True),
    "process": ("async_render='process'", "process"),
}


# -- the loops' work -------------------------------------------------------------------
def _python_work(n: int) -> int:
    total = 0
    for i in range(n):
        total += (i * i) % 7
    return total


def _calibrated(run: Callable[[int], Any], start: int, target_s: float) -> int:
    """The argument for which ``run`` takes about ``target_s``.

    Scaled from the fastest of five runs (the least disturbed by other load).
    """
    n = start
    for _ in range(3):
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            run(n)
            times.append(time.perf_counter() - t0)
        n = max(1, round(n * target_s / max(min(times), 1e-6)))
    return n


def make_work(step_ms: float = STEP_MS) -> dict[str, Callable[[], None]]:
    """The three loops' step functions, each calibrated to about ``step_ms``."""
    target = step_ms / 1e3
    n_py = _calibrated(_python_work, 20_000, target)
    a = np.random.default_rng(0).standard_normal((192, 192))

    def matmuls(n: int) -> None:
        b = a
        for _ in range(n):
            b = np.tanh(a @ b)

    n_np = _calibrated(matmuls, 4, target)

    def python_step() -> None:
        _python_work(n_py)

    return {
        "wait": lambda: time.sleep(target),
        "python": python_step,
        "numpy": lambda: matmuls(n_np),
    }


def blas_threads() -> str:
    """What limits BLAS to one thread here (set before numpy is imported)."""
    names = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
    return ", ".join(f"{k}={os.environ.get(k)}" for k in names if os.environ.get(k))


# -- measuring --------------------------------------------------------------------------
def _per_step(work: Callable[[], None], log: Callable[[int], None] | None, first: int,
              warmup: int, steps: int) -> float:
    """Mean seconds per timed step (after ``warmup`` untimed ones)."""
    for k in range(first, first + warmup):
        work()
        if log is not None:
            log(k)
    t0 = time.perf_counter()
    for k in range(first + warmup, first + warmup + steps):
        work()
        if log is not None:
            log(k)
    return (time.perf_counter() - t0) / steps


def _burst(writer: Any, tag: str, inputs: list[np.ndarray], max_pending: int) -> dict[str, Any]:
    """Back-to-back calls' caller times: queue filling (worker busy) and queue full."""
    writer.flush()
    times = []
    for k, x in enumerate(inputs):
        t0 = time.perf_counter()
        writer.add_colormapped_image(tag, x, k)
        times.append(time.perf_counter() - t0)
    writer.flush()
    filling, full = times[1:max_pending], times[max_pending + 1:]
    return {
        "calls": len(times),
        "filling_ms": 1e3 * statistics.median(filling) if filling else None,
        "full_ms": 1e3 * statistics.median(full) if full else None,
        "times_ms": [round(1e3 * t, 4) for t in times],
    }


def run_training(root: str, *, quick: bool, repeats: int | None, side: int = SIDE,
                 seed: int = 0, rng: np.random.Generator,
                 progress: TextIO | None = None) -> dict[str, Any]:
    """Both training-loop tables; ``root`` is a directory for the writers' logdirs."""
    from figwriter import FigureSummaryWriter

    warmup = QUICK_WARMUP_STEPS if quick else WARMUP_STEPS
    steps = QUICK_STEPS if quick else STEPS
    rounds = repeats or (QUICK_ROUNDS if quick else ROUNDS)
    say(progress, f"training loops: calibrating {STEP_MS:g} ms steps")
    work = make_work()
    base = make_field(side, seed)
    inputs = [base * np.float32(call_factor(k)) for k in range(1, 9)]
    writers = {mode: FigureSummaryWriter(os.path.join(root, f"training-{mode}"),
                                         async_render=setting)
               for mode, (_, setting) in MODES.items()}
    try:
        for w in writers.values():  # start the workers, warm the caches
            w.add_colormapped_image("warm-up", inputs[0], 0)
            w.flush()
        times: dict[tuple[str, str], list[float]] = {}
        for r in range(rounds):
            say(progress, f"training loops: round {r + 1} of {rounds}")
            for loop in LOOPS:
                order = ["none", *MODES]
                for i in rng.permutation(len(order)):
                    mode = order[int(i)]
                    log = None if mode == "none" else _logger(writers[mode], loop, inputs)
                    t = _per_step(work[loop], log, r * (warmup + steps), warmup, steps)
                    if mode != "none":
                        writers[mode].flush()
                    times.setdefault((loop, mode), []).append(t)
        say(progress, "training loops: back-to-back calls")
        burst_inputs = [inputs[k % len(inputs)] for k in range(QUICK_BURST if quick else BURST)]
        bursts = {}
        for mode in ("thread", "process"):
            pending = writers[mode]._worker.max_pending
            # the first burst also makes the buffers (shared-memory blocks) that a
            # full queue holds, which the loops above never needed; later ones reuse them
            first = _burst(writers[mode], "burst", burst_inputs, pending)
            bursts[mode] = _burst(writers[mode], "burst", burst_inputs, pending)
            bursts[mode]["first_filling_ms"] = first["filling_ms"]
    finally:
        for w in writers.values():
            w.close()
    return _summary(times, bursts, side=side, warmup=warmup, steps=steps, rounds=rounds)


def _logger(writer: Any, loop: str, inputs: list[np.ndarray]) -> Callable[[int], None]:
    def log(k: int) -> None:
        writer.add_colormapped_image(f"loop/{loop}", inputs[k % len(inputs)], k)

    return log


def _summary(times: dict[tuple[str, str], list[float]], bursts: dict[str, Any], *,
             side: int, warmup: int, steps: int, rounds: int) -> dict[str, Any]:
    loops: dict[str, Any] = {}
    for loop, label in LOOPS.items():
        bare = times[loop, "none"]
        cell: dict[str, Any] = {"label": label,
                                "step_ms": 1e3 * statistics.median(bare), "added_ms": {}}
        for mode in MODES:
            added = [1e3 * (t - b) for t, b in zip(times[loop, mode], bare)]
            cell["added_ms"][mode] = statistics.median(added)
        loops[loop] = cell
    return {"side": side, "warmup_steps": warmup, "steps": steps, "rounds": rounds,
            "step_target_ms": STEP_MS, "blas": blas_threads(), "loops": loops,
            "bursts": bursts}


# -- targets and tables ----------------------------------------------------------------
def evaluate_targets(training: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The targets of the process-mode issue on the training-loop table."""
    loops = (training or {}).get("loops", {})
    size = str((training or {}).get("side", SIDE))
    targets = []

    def added(loop: str, mode: str) -> float | None:
        cell = loops.get(loop)
        return None if cell is None else float(cell["added_ms"][mode])

    def target(text: str, value: float | None, limit: float, unit: str, detail: str) -> None:
        targets.append({
            "issue": 13, "target": text, "size": size, "value": value, "limit": limit,
            "unit": unit, "met": None if value is None else value <= limit,
            "detail": "not measured (no training-loop table in this run)" if value is None
            else detail,
        })

    py_process, py_thread = added("python", "process"), added("python", "thread")
    target("Python loop: ms added per step by async_render='process'", py_process, 1.5, "ms",
           f"{py_process:.2f} ms" if py_process is not None else "")
    ratio = (None if py_process is None or py_thread is None or py_thread <= 0
             else py_process / py_thread)
    target("Python loop: process mode's added ms over thread mode's", ratio, 0.2,
           "x thread mode's",
           f"process {py_process:.2f} ms / thread {py_thread:.2f} ms" if ratio is not None
           else "")
    if ratio is None and py_thread is not None and py_process is not None:
        targets[-1]["detail"] = (f"not measured (thread mode added {py_thread:.2f} ms: "
                                 "no ratio to take)")
    for mode, label in (("process", "async_render='process'"), ("thread", "async_render=True")):
        value = added("wait", mode)
        target(f"waiting loop: ms added per step by {label}", value, 1.5, "ms",
               f"{value:.2f} ms" if value is not None else "")
    return targets


LOOP_HEADER = ["loop", "step ms", *(label for label, _ in MODES.values())]
BURST_HEADER = ["mode", "calls", "worker busy, queue filling", "queue full",
                "queue filling, first burst"]


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def loop_rows(training: dict[str, Any]) -> list[list[str]]:
    return [[cell["label"], f"{cell['step_ms']:.1f}",
             *(_ms(cell["added_ms"][mode]) for mode in MODES)]
            for cell in training["loops"].values()]


def burst_rows(training: dict[str, Any]) -> list[list[str]]:
    return [[MODES[mode][0], str(b["calls"]), _ms(b["filling_ms"]), _ms(b["full_ms"]),
             _ms(b.get("first_filling_ms"))]
            for mode, b in training["bursts"].items()]


def loop_caption(training: dict[str, Any]) -> str:
    t = training
    return (f"Training loops logging one {t['side']}x{t['side']} float32 field every step "
            f"(steps of about {t['step_target_ms']:g} ms; {t['blas'] or 'BLAS threads not set'}"
            f"): ms added per step, median of {t['rounds']} round(s) of {t['steps']} steps "
            f"after {t['warmup_steps']} warm-up steps")


def burst_caption(training: dict[str, Any]) -> str:
    side = training["side"]
    return (f"Back-to-back calls, {side}x{side}: the caller's median ms per call while the "
            "worker is busy and the queue has room, and once the queue is full (each call "
            "then waits for a picture to be written), in a second burst; the last column is "
            "the first burst's, which also makes the buffers a full queue holds")
