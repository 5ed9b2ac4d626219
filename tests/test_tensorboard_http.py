"""The real TensorBoard serves what figwriter wrote: tags, steps and the PNG bytes.

One TensorBoard per module, over one logdir holding a run per writer class
(tensorboardX's and, where torch is installed, torch.utils.tensorboard's).
Fetched with urllib from 127.0.0.1 only.
"""

from __future__ import annotations

import io
import urllib.parse

import pytest

from ._tensorboard_server import STEPS, TAGS, TensorBoard, write_runs, writer_classes

RUNS = list(writer_classes())


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """run -> tag -> image events, as figwriter wrote them (read back from disk)."""
    logdir = tmp_path_factory.mktemp("tensorboard") / "logs"
    runs = write_runs(logdir)
    return logdir, runs


@pytest.fixture(scope="module")
def tensorboard(written):
    logdir, runs = written
    with TensorBoard(logdir) as tb:
        tb.wait_for_images({run: {tag: len(events) for tag, events in tags.items()}
                            for run, tags in runs.items()})
        yield tb
    assert tb.process is not None and tb.process.returncode is not None, "TensorBoard survived"


def _cases():
    for run in RUNS:
        for tag in TAGS:
            yield pytest.param(run, tag, id=f"{run}-{tag}")


def _events(written, run, tag):
    _, runs = written
    assert tag in runs[run], f"{run} wrote no {tag!r} (with {TAGS[tag]})"
    return runs[run][tag]


def test_the_runs_hold_every_method_and_step(written):
    _, runs = written
    for run in RUNS:
        assert {"figure", "field", "field_matplotlib"} <= set(runs[run])
        for events in runs[run].values():
            assert [e.step for e in events] == list(STEPS)


def test_tags_route_lists_every_run_and_tag(tensorboard, written):
    _, runs = written
    served = tensorboard.image_tags()
    assert set(served) == set(RUNS)
    for run in RUNS:
        assert set(served[run]) == set(runs[run])
        for tag, info in served[run].items():
            assert info["displayName"] == tag
            assert info["samples"] == 1  # one picture per step


def test_card_info_shows_each_tags_description(tensorboard):
    """TensorBoard renders the Markdown of each tag's first event as the card's info."""
    served = tensorboard.image_tags()
    for run in RUNS:
        field = served[run]["field"]["description"]
        assert "<li><strong>colormap</strong>: <code>RdBu_r</code>, linear norm</li>" in field
        assert "<strong>limits</strong>: symmetric around center = 0" in field
        assert "<strong>units</strong> (the colour bar's label): value</li>" in field
        assert served[run]["field_matplotlib"]["description"] == (
            "<p>Drawn by <strong>matplotlib</strong>: see <code>renderer=</code>.</p>")
        if "batch" in served[run]:
            assert "of the finite data of the whole batch" in served[run]["batch"]["description"]
        assert served[run]["figure"]["description"] == ""  # figures have none


def test_images_plugin_is_listed_as_active(tensorboard):
    plugins = tensorboard.get_json("/data/plugins_listing")
    assert plugins["images"]["enabled"] is True


@pytest.mark.parametrize(("run", "tag"), list(_cases()))
def test_images_route_lists_every_step(tensorboard, written, run, tag):
    events = _events(written, run, tag)
    served = tensorboard.images(run, tag)
    assert [s["step"] for s in served] == [e.step for e in events] == list(STEPS)
    assert [s["wall_time"] for s in served] == pytest.approx([e.wall_time for e in events])


@pytest.mark.parametrize(("run", "tag"), list(_cases()))
def test_individual_images_are_the_png_bytes_written(tensorboard, written, run, tag):
    from PIL import Image

    events = _events(written, run, tag)
    served = tensorboard.images(run, tag)
    assert len(served) == len(events)
    for entry, event in zip(served, events):
        response = tensorboard.individual_image(entry["query"])
        assert response.status == 200
        assert response.content_type == "image/png"
        assert response.body == event.png
        with Image.open(io.BytesIO(response.body)) as picture:
            assert picture.format == "PNG"
            assert picture.size == (event.width, event.height)


def test_unknown_tag_is_an_error_not_a_picture(tensorboard):
    query = urllib.parse.urlencode({"run": RUNS[0], "tag": "no such tag"})
    response = tensorboard.get(f"/data/plugin/images/images?{query}")
    assert response.status in (400, 404)
    assert not response.content_type.startswith("image/")


def test_server_stops_by_pid(written):
    logdir, _ = written
    tb = TensorBoard(logdir)
    tb.start()
    try:
        assert tb.running and tb.port > 0
        assert tb.get("/data/plugins_listing").status == 200
    finally:
        tb.stop()
    assert tb.process is not None and tb.process.returncode is not None
    assert not tb.running
    tb.stop()  # stopping twice is harmless


def test_the_demos_sampling_flag_keeps_every_step(tmp_path):
    """TensorBoard shows 10 pictures per tag by default; the demo's flag shows every step.

    (``images=0``, often given as "keep all", makes TensorBoard 2.x show none.)
    """
    import numpy as np

    from figwriter import FigureSummaryWriter, _demo

    logdir = tmp_path / "many"
    with FigureSummaryWriter(str(logdir)) as writer:
        for step in range(12):
            writer.add_colormapped_image("field", np.eye(8) * step, step)
    with TensorBoard(logdir, extra_args=_demo.SAMPLES_FLAGS) as tb:
        tb.wait_for_images({".": {"field": 12}})
        assert [s["step"] for s in tb.images(".", "field")] == list(range(12))
    # the flag is what the demo serves with and what it tells people to run
    assert list(_demo.SAMPLES_FLAGS) == _demo.tensorboard_command(logdir, 6006)[-2:]
    assert " ".join(_demo.SAMPLES_FLAGS) in _demo.open_instructions(logdir)
