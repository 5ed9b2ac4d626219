"""What every table of the benchmark shares: settings, labels, inputs and the
measuring engine (interleaved rounds, medians, tracemalloc peaks)."""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Callable, TextIO

import numpy as np

#: array sides (square float32 inputs) of the full run and of ``--quick``
SIZES: tuple[int, ...] = (64, 256, 1024, 4096)
QUICK_SIZES: tuple[int, ...] = (64, 256)
#: rounds per size in the full run (sides not listed: by number of cells)
ROUNDS: dict[int, int] = {64: 21, 256: 31, 1024: 15, 4096: 9}
QUICK_ROUNDS = 5
#: warm-up calls per approach and size (one for a call slower than WARMUP_ONCE_SECONDS)
WARMUP = 2
QUICK_WARMUP = 1
WARMUP_ONCE_SECONDS = 3.0
#: an approach whose last warm-up call took longer than SLOW_SECONDS runs at most
#: SLOW_ROUNDS rounds; longer than VERY_SLOW_SECONDS, VERY_SLOW_ROUNDS (keeps the
#: full run within minutes on a busy 2-core machine)
SLOW_SECONDS, SLOW_ROUNDS = 1.0, 5
VERY_SLOW_SECONDS, VERY_SLOW_ROUNDS = 4.0, 3
FIGURE_ROUNDS, QUICK_FIGURE_ROUNDS = 21, 5
ENCODER_ROUNDS, QUICK_ENCODER_ROUNDS = 15, 3
#: the markers between which ``--markdown`` writes its section
MARK_START = "<!-- bench:start -->"
MARK_END = "<!-- bench:end -->"

#: approach name -> table label, in table order
LABELS: dict[str, str] = {
    "seed": "seed: pyplot+savefig+PIL decode+add_image",
    "tbx_add_figure": "tensorboardX add_figure (pyplot, colorbar)",
    "tbx_add_image": "tensorboardX add_image (bare, no bar)",
    "fast": "figwriter fast",
    "matplotlib": "figwriter renderer='matplotlib'",
    "background": "figwriter async_render (caller only)",
    "floor_minmax": "floor: nanmin + nanmax",
    "floor_png": "floor: PNG encode of the fast picture",
}
FIGURE_LABELS: dict[str, str] = {
    "fig_draw": "floor: figure.canvas.draw()",
    "fig_add_figure_png": "figwriter add_figure_png",
    "fig_tbx_add_figure": "tensorboardX add_figure (same figure)",
}
FLOORS = ("floor_minmax", "floor_png", "fig_draw")
#: one colour per approach, the same in every chart
COLORS: dict[str, str] = {
    "seed": "tab:red", "tbx_add_figure": "tab:orange", "tbx_add_image": "tab:olive",
    "fast": "tab:blue", "matplotlib": "tab:purple", "background": "tab:cyan",
    "floor_minmax": "0.45", "floor_png": "0.7",
}


# -- inputs ------------------------------------------------------------------------------
def make_field(n: int, seed: int = 0) -> np.ndarray:
    """The benchmark's input: an (n, n) float32 field with fine structure and noise.

    Parameters
    ----------
    n : int
        Side length.
    seed : int, default 0
        Seed of the noise.

    Examples
    --------
    >>> make_field(8).dtype, make_field(8).shape
    (dtype('float32'), (8, 8))
    """
    rng = np.random.default_rng(seed)
    t = np.linspace(0.0, 1.0, n, dtype=np.float32)
    x, y = t[None, :], t[:, None]
    values = np.sin(np.float32(6.0) * x) * np.cos(np.float32(4.0) * y)
    values += np.float32(0.5) * np.exp(-((x - 0.3) ** 2 + (y - 0.6) ** 2) / np.float32(0.02))
    values += np.float32(0.02) * rng.standard_normal((n, n), dtype=np.float32)
    return values.astype(np.float32, copy=False)


def call_factor(k: int) -> float:
    """The factor the input is multiplied by for call ``k``: in [0.5, 2), never repeating."""
    return 0.5 + 1.5 * ((k * 0.6180339887498949) % 1.0)


def use_agg() -> None:
    """Force the Agg backend before pyplot is used (only the pyplot approaches call this)."""
    import matplotlib

    if matplotlib.get_backend().lower() != "agg":
        matplotlib.use("Agg")


# -- the measuring engine -------------------------------------------------------------
@dataclass
class Approach:
    """One way of logging a picture, as the engine runs it.

    ``call(x, step)`` is timed; ``after()`` (if any) runs after it, untimed.
    """

    name: str
    call: Callable[[Any, int], None]
    after: Callable[[], None] | None = None


@dataclass
class Measured:
    """What the engine measured for one approach in one table."""

    times: list[float] = field(default_factory=list)
    peak_bytes: int | None = None

    @property
    def median_ms(self) -> float:
        return 1e3 * statistics.median(self.times)


def timed(approach: Approach, x: Any, step: int) -> float:
    t0 = time.perf_counter()
    approach.call(x, step)
    elapsed = time.perf_counter() - t0
    if approach.after is not None:
        approach.after()
    return elapsed


def peak_memory(approach: Approach, x: Any, step: int) -> int:
    """tracemalloc's peak above the start during one call (and its ``after``)."""
    gc.collect()
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        approach.call(x, step)
        if approach.after is not None:
            approach.after()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return max(0, peak - before)


def run_rounds(
    approaches: Sequence[Approach],
    make_input: Callable[[int], Any],
    *,
    rounds: int,
    warmup: int,
    rng: np.random.Generator,
    skipped: dict[str, str],
    measure_memory: bool = True,
    progress: TextIO | None = None,
    what: str = "",
) -> dict[str, Measured]:
    """Warm up, then run ``rounds`` interleaved rounds; returns what was measured.

    An approach that raises is recorded in ``skipped`` (with the error) and left
    out. One whose last warm-up call takes longer than ``SLOW_SECONDS`` runs in
    the first ``SLOW_ROUNDS`` rounds only (``VERY_SLOW_ROUNDS`` beyond
    ``VERY_SLOW_SECONDS``); one call longer than ``WARMUP_ONCE_SECONDS`` ends its
    warm-up.
    """
    counter = 0

    def next_input() -> tuple[Any, int]:
        nonlocal counter
        counter += 1
        return make_input(counter), counter

    budget: dict[str, int] = {}
    active: list[Approach] = []
    for a in approaches:
        if a.name in skipped:
            continue
        elapsed = 0.0
        try:
            for _ in range(warmup):
                x, step = next_input()
                elapsed = timed(a, x, step)
                del x
                if elapsed > WARMUP_ONCE_SECONDS:
                    break
        except Exception as err:  # the approach is not available here: say why
            skipped[a.name] = f"{type(err).__name__}: {err}"
            say(progress, f"{what}: {a.name} skipped ({skipped[a.name]})")
            continue
        budget[a.name] = (min(rounds, VERY_SLOW_ROUNDS) if elapsed > VERY_SLOW_SECONDS
                          else min(rounds, SLOW_ROUNDS) if elapsed > SLOW_SECONDS else rounds)
        active.append(a)

    results = {a.name: Measured() for a in active}
    for r in range(rounds):
        order = [a for a in active if budget[a.name] > r]
        for i in rng.permutation(len(order)):
            a = order[int(i)]
            x, step = next_input()
            try:
                results[a.name].times.append(timed(a, x, step))
            except Exception as err:
                skipped[a.name] = f"failed in round {r + 1}: {type(err).__name__}: {err}"
                say(progress, f"{what}: {a.name} {skipped[a.name]}")
                active.remove(a)
                del results[a.name]
            del x

    if measure_memory:
        for a in active:
            x, step = next_input()
            results[a.name].peak_bytes = peak_memory(a, x, step)
            del x
    return results


def say(progress: TextIO | None, text: str) -> None:
    if progress is not None:
        print(f"[bench] {text}", file=progress, flush=True)

