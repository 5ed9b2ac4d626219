"""Command line: ``python -m figwriter demo``.

Also installed as the ``figwriter`` command. The benchmark is not part of the
installed package: from a source checkout, ``python benchmarks/run.py``.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence

__all__ = ["build_parser", "main"]

PROG = "figwriter"


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {value}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number; got {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 1 to 65535; got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with the ``demo`` subcommand."""
    from . import __version__
    from ._demo import DEFAULT_LOGDIR, DEFAULT_PORT, DEFAULT_STEPS

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="figwriter: matplotlib figures and colour-mapped arrays into TensorBoard.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    demo = commands.add_parser(
        "demo",
        help="write a demo run (evolving fields, a loss curve, scalars) and show how to view it",
        description=(
            "Simulate a few physical fields and a small training run, and log them with "
            "figwriter: colour-mapped fields with colour bars, a matplotlib loss-curve "
            "figure and scalars at every step."
        ),
    )
    demo.add_argument("--logdir", default=DEFAULT_LOGDIR,
                      help="where to write the run (default: %(default)s)")
    demo.add_argument("--steps", type=_positive_int, default=DEFAULT_STEPS,
                      help="logged steps (default: %(default)s)")
    demo.add_argument("--renderer", choices=("fast", "matplotlib"), default=None,
                      help="renderer for the colour-mapped pictures (default: the library's, "
                           "fast)")
    demo.add_argument("--serve", action="store_true",
                      help="then start TensorBoard on 127.0.0.1 (needs the viewer extra: "
                           'pip install "figwriter[viewer]", or pip install -e ".[viewer]" '
                           "from a clone)")
    demo.add_argument("--port", type=_port, default=DEFAULT_PORT,
                      help="TensorBoard's port with --serve (default: %(default)s)")
    demo.add_argument("-q", "--quiet", action="store_true", help="no progress output")

    return parser


def _bench_moved(argv: list[str]) -> int:
    command = " ".join(["python benchmarks/run.py", *map(shlex.quote, argv)])
    print(f"{PROG} bench: error: the benchmark is not part of the installed package; "
          f"from a source checkout of figwriter run: {command}", file=sys.stderr)
    return 2


def _demo(args: argparse.Namespace) -> int:
    from . import _demo

    if args.serve:
        try:
            _demo.require_tensorboard()
            _demo.check_port(args.port)
        except (ImportError, OSError) as err:
            print(f"{PROG} demo: error: {err}", file=sys.stderr)
            return 1
    summary = _demo.run_demo(
        args.logdir, args.steps, renderer=args.renderer,
        progress=None if args.quiet else sys.stderr,
    )
    if summary["removed"]:
        count = len(summary["removed"])
        print(f"A fresh run: removed {count} event file{'' if count == 1 else 's'} of an "
              f"earlier demo run from {summary['logdir']}.")
    print(
        f"Wrote {summary['steps']} step{'' if summary['steps'] == 1 else 's'} "
        f"to {summary['logdir']} "
        f"({len(summary['images'])} pictures and {len(summary['scalars'])} scalars per step) "
        f"in {summary['seconds']:.1f} s."
    )
    if args.serve:
        sys.stdout.flush()
        return _demo.serve(args.logdir, args.port)
    print(_demo.open_instructions(args.logdir))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; default ``sys.argv[1:]``.
    """
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["bench"]:
        return _bench_moved(args_list[1:])
    args = build_parser().parse_args(args_list)
    return _demo(args)


if __name__ == "__main__":
    sys.exit(main())
