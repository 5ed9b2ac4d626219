"""The benchmark: ``python benchmarks/run.py`` (``--help`` lists the options).

Every approach to logging a colour-mapped 2-D array runs in one process,
interleaved: each round calls every approach once, in a shuffled order, so load
from other processes and thermal drift hit all of them alike. Each approach is
warmed up first; the median over the rounds is reported, with its ratio against
figwriter's own fast call. Inputs are float32 arrays (a smooth field with fine
structure and 2 % noise) multiplied by a different factor on every call, so
the colour limits and the tick labels change every call, as they do in a
training loop. Preparing the input is not timed.

Approaches (main table):

``seed``
    the usual workaround: pyplot ``figure`` + ``imshow`` + ``colorbar``,
    ``savefig`` into a ``BytesIO``, Pillow decode, tensorboardX ``add_image``
    (HWC), ``plt.close``;
``tbx_add_figure``
    tensorboardX ``add_figure`` of a fresh pyplot figure with ``imshow`` +
    ``colorbar``;
``tbx_add_image``
    tensorboardX ``add_image`` of the bare array, min-max scaled to [0, 1]
    (scaling included; no colour bar);
``fast``, ``matplotlib``
    ``FigureSummaryWriter.add_colormapped_image`` with each renderer;
``background``
    the same call on a writer made with ``async_render=True``: only the time
    the call takes on the caller's thread (the writer is flushed after each
    call, outside the timed region);
``floor_minmax``, ``floor_png``
    floors: one ``np.nanmin`` + ``np.nanmax`` pass over the input, and the PNG
    encode alone of the fast renderer's picture.

A second table times ``add_figure_png`` against tensorboardX ``add_figure`` on
one reused figure (not made with pyplot) and against the figure's own
``canvas.draw()``, the floor. A third compares PNG encoders (deflate back ends,
levels, row filters and Pillow) on the pictures the library writes.

Peak extra memory per call is tracemalloc's peak during one call made after the
timed rounds (for ``background``: the call and the flush that waits for its
picture). It counts Python objects and numpy arrays; buffers that C/C++ code
allocates itself (Agg's canvas, Pillow's image memory, deflate's state) are
not traced, so the rows that go through matplotlib or Pillow understate theirs.

PNG bytes per picture are read back from the event files each approach wrote.
Targets from the project's issues are evaluated and printed (and included in
``--json``); they are reported, not enforced: the exit status is 0 either way.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any, TextIO

if __package__ in (None, ""):  # run as a script: make the repository's packages importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The training-loop table's numpy loop runs on one BLAS thread (as a data-loading or
# simulation process pinned to one core would); BLAS reads this when numpy loads it.
# No other table calls BLAS.
os.environ["OPENBLAS_NUM_THREADS"] = os.environ.get("OPENBLAS_NUM_THREADS", "1")
os.environ["OMP_NUM_THREADS"] = os.environ.get("OMP_NUM_THREADS", "1")
os.environ["MKL_NUM_THREADS"] = os.environ.get("MKL_NUM_THREADS", "1")

import numpy as np

from benchmarks.approaches import (
    Writers,
    fast_picture,
    image_sizes,
    main_approaches,
    run_figure_table,
)
from benchmarks.common import (
    ENCODER_ROUNDS,
    FIGURE_LABELS,
    FIGURE_ROUNDS,
    LABELS,
    MARK_END,
    MARK_START,
    QUICK_ENCODER_ROUNDS,
    QUICK_FIGURE_ROUNDS,
    QUICK_ROUNDS,
    QUICK_SIZES,
    QUICK_WARMUP,
    ROUNDS,
    SIZES,
    SLOW_ROUNDS,
    SLOW_SECONDS,
    VERY_SLOW_ROUNDS,
    VERY_SLOW_SECONDS,
    WARMUP,
    Measured,
    call_factor,
    make_field,
    run_rounds,
    say,
)
from benchmarks.encoders import run_encoders
from benchmarks.pictures import run_picture_table
from benchmarks.report import (
    add_ratios,
    evaluate_targets,
    format_markdown,
    format_report,
    plot,
    write_markdown,
)
from benchmarks.training import SIDE as TRAINING_SIDE
from benchmarks.training import evaluate_targets as training_targets
from benchmarks.training import run_training
from figwriter.__main__ import _positive_int  # the demo command's parser, shared

__all__ = ["main", "run_benchmark", "build_parser"]

COMMAND = "python benchmarks/run.py"


# -- the whole run -----------------------------------------------------------------------
def _rounds_for(n: int, repeats: int | None, quick: bool) -> int:
    if repeats is not None:
        return repeats
    if quick:
        return QUICK_ROUNDS
    if n in ROUNDS:
        return ROUNDS[n]
    return 31 if n * n <= 256 * 256 else 15 if n * n <= 1024 * 1024 else 9


def _machine() -> dict[str, Any]:
    import matplotlib
    import PIL
    import tensorboardX

    from figwriter import __version__, _png

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        import isal

        isal_version: str | None = str(isal.__version__)
    except ImportError:
        isal_version = None
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "platform": f"{platform.system()} {platform.machine()}",
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "versions": {
            "figwriter": __version__,
            "numpy": np.__version__,
            "matplotlib": matplotlib.__version__,
            "tensorboardX": tensorboardX.__version__,
            "Pillow": PIL.__version__,
            "isal": isal_version,
        },
        "png_backend": _png.DEFAULT_BACKEND,
    }


def _loadavg() -> float | None:
    try:
        return float(os.getloadavg()[0])
    except (OSError, AttributeError):
        return None


def run_benchmark(
    sizes: Sequence[int] = SIZES,
    *,
    quick: bool = False,
    repeats: int | None = None,
    progress: TextIO | None = None,
    seed: int = 0,
    training: bool = True,
    training_side: int = TRAINING_SIDE,
) -> dict[str, Any]:
    """Run every table and evaluate the targets; returns the results as a dict.

    Parameters
    ----------
    sizes : sequence of int
        Sides of the square float32 inputs.
    quick : bool, default False
        Fewer rounds and warm-up calls (for a smoke run).
    repeats : int, optional
        Rounds per table, instead of the defaults.
    progress : file, optional
        Where to report progress (one line per stage).
    seed : int, default 0
        Seed of the inputs' noise and of the shuffled order within rounds.
    training : bool, default True
        Also run the training-loop tables.
    training_side : int, default 1024
        Side of the field the training loops log.
    """
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    warmup = QUICK_WARMUP if quick else WARMUP
    result: dict[str, Any] = {
        "machine": _machine(),
        "load_average_start": _loadavg(),
        "settings": {
            "sizes": list(sizes), "quick": quick, "warmup": warmup,
            "slow_seconds": SLOW_SECONDS, "slow_rounds": SLOW_ROUNDS,
            "very_slow_seconds": VERY_SLOW_SECONDS, "very_slow_rounds": VERY_SLOW_ROUNDS,
            "memory": "tracemalloc peak during one call (Python objects and numpy arrays; "
                      "C/C++ buffers of Agg, Pillow and deflate not traced)",
        },
        "labels": {**LABELS, **FIGURE_LABELS},
        "approaches": {},
        "skipped": {},
    }
    skipped: dict[str, str] = result["skipped"]
    pictures: dict[str, np.ndarray] = {}
    with tempfile.TemporaryDirectory(prefix="figwriter-bench-") as root:
        writers = Writers(root)
        result["settings"]["async_render"] = writers.background is not None
        try:
            _main_table(result, writers, pictures, repeats=repeats, rng=rng, seed=seed,
                        progress=progress)
            say(progress, "add_figure_png: warm-up, rounds, memory")
            measured, result["figure"], picture = run_figure_table(
                writers, rounds=repeats or (QUICK_FIGURE_ROUNDS if quick else FIGURE_ROUNDS),
                warmup=warmup, rng=rng, skipped=skipped, progress=progress)
            for name, m in measured.items():
                result["approaches"][name] = {"label": FIGURE_LABELS[name],
                                              "sizes": {"figure": _cell(m, None)}}
            pictures[f"figure {result['figure']['width']}x{result['figure']['height']}"] = picture
            say(progress, "pictures with options: spectrogram, confusion matrix, attention, "
                          "heat map over a photograph")
            result["pictures"] = run_picture_table(
                writers, quick=quick, repeats=repeats, warmup=warmup, rng=rng,
                skipped=skipped, progress=progress)
        finally:
            writers.close()
        say(progress, "PNG bytes from the event files")
        _add_png_bytes(result, image_sizes(root), pictures)
        if training:
            result["training"] = run_training(
                os.path.join(root, "training"), quick=quick, repeats=repeats,
                side=training_side, seed=seed, rng=rng, progress=progress)
    add_ratios(result)

    say(progress, "PNG encoders")
    encoder_rounds = repeats or (QUICK_ENCODER_ROUNDS if quick else ENCODER_ROUNDS)
    result["encoders"] = run_encoders(pictures, encoder_rounds, rng)

    result["targets"] = evaluate_targets(result) + training_targets(result.get("training"))
    result["load_average_end"] = _loadavg()
    result["seconds"] = time.perf_counter() - started
    return result


def _cell(m: Measured, input_bytes: int | None) -> dict[str, Any]:
    return {"runs": len(m.times), "median_ms": m.median_ms,
            "times_ms": [round(1e3 * t, 4) for t in m.times],
            "peak_bytes": m.peak_bytes, "input_bytes": input_bytes}


def _main_table(result: dict[str, Any], writers: Writers, pictures: dict[str, np.ndarray], *,
                repeats: int | None, rng: np.random.Generator, seed: int,
                progress: TextIO | None) -> None:
    """Every approach at every size; the fast pictures go into ``pictures``."""
    s, skipped = result["settings"], result["skipped"]
    # one call of each on a tiny input first: imports, font and glyph caches
    run_rounds(main_approaches(writers, "prewarm", make_field(16, seed), skipped),
               lambda k: make_field(16, seed), rounds=0, warmup=1, rng=rng,
               skipped=skipped, measure_memory=False, progress=progress, what="prewarm")
    for n in s["sizes"]:
        base = make_field(n, seed)
        rounds = _rounds_for(n, repeats, s["quick"])
        what = f"{n}x{n}"
        say(progress, f"{what}: warm-up, {rounds} rounds, memory")
        table = main_approaches(writers, str(n), base, skipped)

        def make_input(k: int, base: np.ndarray = base) -> np.ndarray:
            return base * np.float32(call_factor(k))

        measured = run_rounds(table, make_input, rounds=rounds, warmup=s["warmup"], rng=rng,
                              skipped=skipped, progress=progress, what=what)
        for name, m in measured.items():
            entry = result["approaches"].setdefault(name, {"label": LABELS[name], "sizes": {}})
            entry["sizes"][str(n)] = _cell(m, base.nbytes)
        if "fast" not in skipped:
            try:
                pictures[f"fast {n}x{n}"] = fast_picture(base, key=f"encoders/{n}")
            except Exception:  # skipped above already
                pass
        del base


def _add_png_bytes(result: dict[str, Any], png_sizes: dict[str, list[int]],
                   pictures: dict[str, np.ndarray]) -> None:
    """Median PNG bytes per cell, from the event files (the encode floor: encoded here)."""
    from figwriter import _png

    for name, entry in result["approaches"].items():
        for key, cell in entry["sizes"].items():
            tag = f"{name}/{key}" if key != "figure" else (
                "figure/add_figure_png" if name == "fig_add_figure_png"
                else "figure/tbx_add_figure" if name == "fig_tbx_add_figure"
                else "figure/process" if name == "fig_process" else None)
            found = png_sizes.get(tag or "", [])
            cell["png_bytes"] = int(statistics.median(found)) if found else None
    for n in result["settings"]["sizes"]:
        cell = result["approaches"].get("floor_png", {}).get("sizes", {}).get(str(n))
        if cell is not None and f"fast {n}x{n}" in pictures:
            cell["png_bytes"] = len(_png.encode_png(pictures[f"fast {n}x{n}"]))



# -- command line ------------------------------------------------------------------------
def _sizes_arg(text: str) -> list[int]:
    out = []
    for part in text.replace(",", " ").split():
        try:
            n = int(part)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"sizes must be integers separated by commas; got {text!r}") from None
        if n < 2:
            raise argparse.ArgumentTypeError(f"every size must be at least 2; got {n}")
        out.append(n)
    if not out:
        raise argparse.ArgumentTypeError("sizes must not be empty")
    return out


def build_parser() -> argparse.ArgumentParser:
    """The benchmark's argument parser."""
    parser = argparse.ArgumentParser(
        prog=COMMAND,
        description=(
            "Benchmark logging colour-mapped arrays and figures to TensorBoard: the "
            "pyplot + savefig workaround, tensorboardX's add_figure and add_image, and "
            "figwriter's renderers, interleaved in one process; prints median times, "
            "ratios, PNG sizes, memory and the project's performance targets."
        ),
    )
    parser.add_argument("--quick", action="store_true",
                        help=f"a short run: sizes {','.join(map(str, QUICK_SIZES))} and "
                             f"{QUICK_ROUNDS} rounds")
    parser.add_argument("--sizes", type=_sizes_arg, default=None, metavar="N[,N...]",
                        help="sides of the square float32 inputs (default: "
                             f"{','.join(map(str, SIZES))})")
    parser.add_argument("--repeats", type=_positive_int, default=None, metavar="R",
                        help="rounds per table (default: by size, "
                             + ", ".join(f"{k}: {v}" for k, v in ROUNDS.items()) + ")")
    parser.add_argument("--json", metavar="FILE", default=None,
                        help="also write the results, targets included, as JSON ('-' for "
                             "stdout; the report then goes to stderr)")
    parser.add_argument("--plot", metavar="FILE", default=None,
                        help="save a log-log chart of median ms against size as a PNG")
    parser.add_argument("--markdown", metavar="FILE", default=None,
                        help=f"write the tables between the {MARK_START} and {MARK_END} "
                             "markers of this Markdown file (e.g. docs/performance.md)")
    parser.add_argument("--no-training", action="store_true",
                        help="skip the training-loop tables")
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    # the field the training loops log (the tests use a small one)
    parser.add_argument("--training-side", type=_positive_int, default=TRAINING_SIDE,
                        help=argparse.SUPPRESS)
    return parser


def _without_json(args: list[str]) -> list[str]:
    out: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg == "--json":
            skip = True
        elif not arg.startswith("--json="):
            out.append(arg)
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark from the command line; returns the exit status (0).

    Targets are reported, not enforced: the status is 0 whether they are met or not.

    Parameters
    ----------
    argv : list of str, optional
        Options, without the program name; default ``sys.argv[1:]``.
    """
    args_list = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(args_list)
    sizes = args.sizes or list(QUICK_SIZES if args.quick else SIZES)
    report = sys.stderr if args.json == "-" else sys.stdout
    result = run_benchmark(sizes, quick=args.quick, repeats=args.repeats, progress=sys.stderr,
                           seed=args.seed, training=not args.no_training,
                           training_side=args.training_side)
    result["command"] = " ".join([COMMAND, *map(shlex.quote, args_list)])
    # the page names the command that regenerates it; where the JSON went is no part of it
    command = " ".join([COMMAND, *map(shlex.quote, _without_json(args_list))])
    print(format_report(result), file=report, flush=True)
    if args.plot:
        plot(result, args.plot)
        print(f"Saved the chart to {args.plot}.", file=report)
    if args.markdown:
        try:
            write_markdown(args.markdown, format_markdown(result, command))
        except (OSError, ValueError) as err:
            print(f"{COMMAND}: error: {err}", file=sys.stderr)
            return 1
        print(f"Wrote the tables into {args.markdown}.", file=report)
    if args.json:
        text = json.dumps(result, indent=1, allow_nan=False)
        if args.json == "-":
            sys.stdout.write(text + "\n")
        else:
            with open(args.json, "w", encoding="utf-8") as f:
                f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
