"""State a reader can see: one cache type, one ``clear_caches()``, sizes held per writer."""

from __future__ import annotations

import io
import threading

import matplotlib
import numpy as np
import pytest
from PIL import Image

import figwriter
from figwriter._cache import BoundedCache, registered
from figwriter.render import CanvasSizes
from figwriter.render.fast import fonts as _fonts

from ._readback import read_images

#: tick labels as long as the numbers (no offset text): wide labels widen the picture
NO_OFFSET = {"axes.formatter.useoffset": False}


def _pictures(writer_cls, logdir, calls) -> dict[str, list[bytes]]:
    with matplotlib.rc_context(NO_OFFSET), writer_cls(logdir) as writer:
        for tag, values, step, kwargs in calls:
            if values.ndim == 3:
                writer.add_colormapped_images(tag, values, step, **kwargs)
            else:
                writer.add_colormapped_image(tag, values, step, **kwargs)
    return {tag: [e.png for e in events] for tag, events in read_images(logdir).items()}


def test_bounded_cache_keeps_the_most_recent_entries():
    cache: BoundedCache[int] = BoundedCache("test.lru", 2, register=False)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recent
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)
    assert cache.put("c", 4) == 3, "the first value stored stays"
    cache.set("c", 5)
    assert cache.get("c") == 5
    assert cache.update("n", lambda old: (old or 0) + 1) == 1
    assert cache.update("n", lambda old: (old or 0) + 1) == 2
    assert len(cache) == 2
    assert cache.pop("n") == 2 and cache.pop("n") is None
    assert cache not in registered()


def test_clear_caches_empties_every_cache_and_changes_no_picture(writer_cls, tmp_path, rng):
    from matplotlib.figure import Figure

    values = rng.normal(size=(30, 40)) * 1e-3
    fig = Figure(figsize=(2, 2), dpi=50)
    fig.subplots().plot([1, 3, 2])

    def draw(logdir):
        with writer_cls(logdir) as writer:
            writer.add_colormapped_image("f", values, 0, title="t", label="l")
            writer.add_colormapped_image("m", values, 0, renderer="matplotlib")
            writer.add_colormapped_images("g", np.stack([values, -values]), 0, norm="symlog")
            writer.add_figure_png("fig", fig, 0, close=False)
        return {tag: [e.png for e in ev] for tag, ev in read_images(logdir).items()}

    first = draw(str(tmp_path / "a"))
    names = {cache.name for cache in registered()}
    # every cache of both renderers and of the text rasteriser is registered
    assert {"render.fast.colours.tables", "render.fast.ticks.bar_ticks",
            "render.fast.layout.layouts", "render.fast.paint.templates",
            "render.fast.text.strings", "render.mpl.figures",
            "render.mpl.agg_renderers", "render.fast.fonts.settings",
            "render.fast.fonts.faces"} <= names
    assert any(len(cache) for cache in registered())
    assert _fonts._LAST.get(None) is not None
    figwriter.clear_caches()
    assert [c.name for c in registered() if len(c)] == []
    assert _fonts._LAST.get(None) is None, "the remembered font setting is forgotten too"
    assert draw(str(tmp_path / "b")) == first


def test_two_writers_never_change_each_others_pictures(writer_cls, tmp_path, rng):
    """Same tag, same shape, different data ranges: each writer's pictures are
    what it draws alone, whatever the other drew before or in between."""
    narrow = rng.normal(size=(20, 20))
    wide = 1e6 + narrow * 0.1  # tick labels such as "1000000.2": a wider column

    def calls(values):
        return [("shared/tag", values * (step + 1), step, {}) for step in range(3)]

    alone_narrow = _pictures(writer_cls, str(tmp_path / "n"), calls(narrow))
    alone_wide = _pictures(writer_cls, str(tmp_path / "w"), calls(wide))
    width = {name: Image.open(io.BytesIO(p[0])).size[0]
             for name, p in (("narrow", alone_narrow["shared/tag"]),
                             ("wide", alone_wide["shared/tag"]))}
    assert width["wide"] > width["narrow"], "the wide writer's labels widen its pictures"

    first = writer_cls(str(tmp_path / "both-w"))
    second = writer_cls(str(tmp_path / "both-n"))
    try:
        with matplotlib.rc_context(NO_OFFSET):
            for step in range(3):  # interleaved: the wide writer always draws first
                first.add_colormapped_image("shared/tag", wide * (step + 1), step)
                second.add_colormapped_image("shared/tag", narrow * (step + 1), step)
    finally:
        first.close()
        second.close()
    got_wide = read_images(str(tmp_path / "both-w"))["shared/tag"]
    got_narrow = read_images(str(tmp_path / "both-n"))["shared/tag"]
    assert [e.png for e in got_wide] == alone_wide["shared/tag"]
    assert [e.png for e in got_narrow] == alone_narrow["shared/tag"]


def test_a_writer_keeps_one_picture_size_per_tag(writer_cls, tmp_path, rng):
    small = rng.normal(size=(16, 16))
    big = 1e6 + small * 0.1
    pictures = _pictures(writer_cls, str(tmp_path / "run"), [
        ("t", small, 0, {}), ("t", big, 1, {}), ("t", small, 2, {}), ("other", small, 0, {}),
    ])
    widths = [Image.open(io.BytesIO(p)).size[0] for p in pictures["t"]]
    other = Image.open(io.BytesIO(pictures["other"][0])).size[0]
    assert widths[1] > widths[0], "the wide labels widened the picture"
    assert widths[2] == widths[1], "and it stays wide for this tag"
    assert other == widths[0], "another tag of the same writer is not widened"


def test_canvas_sizes_widen_in_steps_and_never_narrow():
    sizes = CanvasSizes()
    assert sizes.width("s", 40) == 40
    assert sizes.widen("s", 41, 40) == 48  # whole steps of 8 pixels
    assert sizes.widen("s", 10, 40) == 48
    assert sizes.width("s", 40) == 48 and sizes.width("t", 40) == 40
    assert len(sizes) == 1


def test_canvas_sizes_are_safe_to_widen_from_many_threads():
    sizes = CanvasSizes()

    def work(k):
        for i in range(200):
            sizes.widen(("s", i % 5), 8 * k + i % 3, 0)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {sizes.width(("s", i), 0) for i in range(5)} == {64}


def test_clear_caches_is_public():
    assert "clear_caches" in figwriter.__all__
    assert figwriter.clear_caches is not None
    with pytest.raises(AttributeError, match="has no attribute 'no_such'"):
        figwriter.no_such  # noqa: B018
