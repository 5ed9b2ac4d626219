"""Regenerate docs/images/tensorboard.png: TensorBoard showing the demo run.

Writes the demo run (``python -m figwriter demo``) into a temporary directory,
serves it with the real TensorBoard on 127.0.0.1, opens the images dashboard in
headless Debian Chromium (driven by Playwright; no browser download), waits for
every picture to load, and saves a screenshot of the top of the dashboard.

Usage::

    python scripts/screenshot.py [--out docs/images/tensorboard.png] [--steps 30]

Needs the test extra (tensorboard, playwright) and ``apt-get install chromium``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(ROOT, "docs", "images", "tensorboard.png")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=DEFAULT_OUT, help="where to save the PNG")
    parser.add_argument("--steps", type=int, default=30,
                        help="demo steps to write (the dashboard shows the last)")
    parser.add_argument("--width", type=int, default=1400, help="viewport width, CSS px")
    parser.add_argument("--height", type=int, default=900, help="viewport height, CSS px")
    parser.add_argument("--actual-size", action="store_true",
                        help="tick TensorBoard's 'Show actual image size' (pictures at 1:1)")
    parser.add_argument("--logdir", default=None,
                        help="write (and keep) the run here instead of a temporary directory")
    return parser


def screenshot(out: str, steps: int, width: int, height: int, logdir: str,
               actual_size: bool = False) -> None:
    sys.path.insert(0, ROOT)
    from playwright.sync_api import sync_playwright

    from tests._tensorboard_server import (
        TensorBoard,
        browser_missing,
        launch_chromium,
        show_image_cards,
        write_demo_run,
    )

    reason = browser_missing()
    if reason is not None:
        raise SystemExit(f"screenshot: {reason}")
    events = write_demo_run(logdir, steps=steps)
    # Served by a relative path, so the dashboard shows the demo's usual logdir name.
    parent, name = os.path.split(os.path.abspath(logdir))
    with TensorBoard(name, cwd=parent) as tb, sync_playwright() as playwright, \
            tempfile.TemporaryDirectory() as profile:
        tb.wait_for_images({".": {tag: len(e) for tag, e in events.items()}})
        context = launch_chromium(playwright, profile, width=width, height=height)
        try:
            page = context.new_page()
            cards = show_image_cards(page, tb.url, expected=len(events))
            broken = [c["tag"] for c in cards if not (c["complete"] and c["natural_width"])]
            if broken:
                raise SystemExit(f"screenshot: pictures did not load: {broken}")
            if actual_size:
                page.locator("tf-image-dashboard paper-checkbox").first.click()
                page.wait_for_timeout(500)
            # Back to the top: the first tag group, with its colour-mapped card.
            page.locator("tf-category-paginated-view button.heading").first \
                .scroll_into_view_if_needed()
            page.locator("tf-image-dashboard #center").first.evaluate("e => e.scrollTo(0, 0)")
            page.wait_for_timeout(500)  # let the slider and spinners settle
            os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
            page.screenshot(path=out)
        finally:
            context.close()
    print(f"wrote {out} ({width}x{height}, {len(cards)} cards, {steps} steps)")


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    if args.logdir is not None:
        screenshot(args.out, args.steps, args.width, args.height, args.logdir,
                   args.actual_size)
        return
    with tempfile.TemporaryDirectory() as tmp:
        screenshot(args.out, args.steps, args.width, args.height,
                   os.path.join(tmp, "figwriter-demo"), args.actual_size)


if __name__ == "__main__":
    main()
