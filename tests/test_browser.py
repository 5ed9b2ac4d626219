"""A real browser shows figwriter's pictures in TensorBoard's images dashboard.

Headless Debian Chromium, driven by Playwright (no browser download), on the
demo run served by the real TensorBoard. Skips when no browser can be had here;
fails instead when the CI environment variable is set.
"""

from __future__ import annotations

import os
import urllib.parse

import pytest

from . import _tensorboard_server
from ._tensorboard_server import (
    TensorBoard,
    launch_chromium,
    need_browser,
    show_image_cards,
    write_demo_run,
)

STEPS = 4


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo run: its logdir and its image events by tag (as written)."""
    need_browser()
    logdir = tmp_path_factory.mktemp("browser") / "demo"
    events = write_demo_run(logdir, steps=STEPS)
    assert events, "the demo run wrote no pictures"
    return logdir, events


@pytest.mark.browser
def test_images_dashboard_shows_every_picture_at_its_size(demo, tmp_path):
    from playwright.sync_api import sync_playwright

    logdir, events = demo
    run = "."  # the logdir itself
    with TensorBoard(logdir) as tb, sync_playwright() as playwright:
        tb.wait_for_images({run: {tag: len(steps) for tag, steps in events.items()}})
        context = launch_chromium(playwright, tmp_path / "profile")
        try:
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda err: errors.append(str(err)))
            cards = show_image_cards(page, tb.url, expected=len(events))
            screenshot = tmp_path / "tensorboard.png"
            page.screenshot(path=str(screenshot))
        finally:
            context.close()

        assert sorted((c["run"], c["tag"]) for c in cards) == sorted(
            (run, tag) for tag in events
        )
        for card in cards:
            # The card shows the newest step, loaded, at the PNG's own size.
            written = events[card["tag"]][-1]
            where = f"{card['tag']}: {card}"
            assert card["step"] == written.step == STEPS - 1, where
            assert card["complete"] and card["natural_width"] > 0, where
            assert (card["natural_width"], card["natural_height"]) == (
                written.width, written.height), where
            # ... and what the page loaded is the PNG figwriter wrote.
            src = urllib.parse.urlsplit(card["src"])
            assert src.path == "/data/plugin/images/individualImage", where
            served = tb.individual_image(src.query)
            assert served.content_type == "image/png"
            assert served.body == written.png, where
    assert errors == []
    assert screenshot.stat().st_size > 10_000
    assert not tb.running
    assert os.path.exists(screenshot)


# -- when there is no browser ----------------------------------------------------------


def test_no_browser_skips_outside_ci(monkeypatch):
    monkeypatch.setattr(_tensorboard_server, "browser_missing", lambda: "no Chromium here")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no Chromium here"):
        need_browser()


def test_no_browser_fails_in_ci(monkeypatch):
    monkeypatch.setattr(_tensorboard_server, "browser_missing", lambda: "no Chromium here")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="cannot run in CI: no Chromium here"):
        need_browser()

