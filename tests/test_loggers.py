"""figwriter's pictures through other loggers: wandb (offline), MLflow (a local store), Pillow.

What each logger stored is read back from its files and compared with
figwriter's own output, as pixels (the logger re-encodes an array) or as bytes
(a PNG handed over as a file).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import figwriter

from ._requires import require


@pytest.fixture
def field(rng) -> np.ndarray:
    values = rng.normal(size=(48, 64)).cumsum(axis=0)
    values[5:9, 10:20] = np.nan
    return values


def _pixels(path: Path) -> np.ndarray:
    with Image.open(path) as picture:
        return np.asarray(picture.convert("RGB"))


def test_pillow_reads_the_png_as_the_array(field, tmp_path):
    pixels = figwriter.colormapped_image(field, center=0.0, label="height (mm)")
    png = figwriter.colormapped_png(field, center=0.0, label="height (mm)")
    with Image.open(io.BytesIO(png)) as picture:
        assert (picture.format, picture.mode) == ("PNG", "RGB")
        np.testing.assert_array_equal(np.asarray(picture), pixels)
    Image.fromarray(pixels).save(tmp_path / "field.png")
    np.testing.assert_array_equal(_pixels(tmp_path / "field.png"), pixels)


@pytest.fixture
def wandb_offline(tmp_path, monkeypatch):
    wandb = require("wandb")
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_SILENT", "true")
    for name in ("WANDB_DIR", "WANDB_CACHE_DIR", "WANDB_CONFIG_DIR", "WANDB_DATA_DIR"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    return wandb


@pytest.mark.slow
def test_wandb_offline_stores_the_pictures(wandb_offline, field, tmp_path):
    wandb = wandb_offline
    pixels = [figwriter.colormapped_image(field * (step + 1), center=0.0) for step in range(2)]
    png = figwriter.colormapped_png(field, cmap="magma")
    (tmp_path / "final.png").write_bytes(png)
    run = wandb.init(project="figwriter-tests", dir=str(tmp_path))
    for step, picture in enumerate(pixels):
        run.log({"field": wandb.Image(picture)}, step=step)
    run.log({"final": wandb.Image(str(tmp_path / "final.png"))}, step=2)
    run.finish()

    media = Path(run.dir) / "media" / "images"
    stored = sorted(media.glob("field_*.png"), key=lambda p: int(p.name.split("_")[1]))
    assert len(stored) == 2
    for path, picture in zip(stored, pixels):
        np.testing.assert_array_equal(_pixels(path), picture)
    (final,) = media.glob("final_*.png")
    assert final.read_bytes() == png  # a PNG file goes in unchanged


@pytest.mark.slow
def test_mlflow_local_store_keeps_the_pictures(field, tmp_path, monkeypatch):
    mlflow = require("mlflow")
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")  # MLflow 3: a local folder store
    mlflow.set_tracking_uri((tmp_path / "mlruns").as_uri())
    pixels = figwriter.colormapped_image(field, robust=True, label="height (mm)")
    png = figwriter.colormapped_png(field, robust=True, label="height (mm)")
    (tmp_path / "field.png").write_bytes(png)
    with mlflow.start_run() as run:
        mlflow.log_image(pixels, key="field", step=3)
        mlflow.log_image(pixels, artifact_file="pictures/array.png")
        mlflow.log_artifact(str(tmp_path / "field.png"), artifact_path="pictures")
    try:
        artifacts = Path(mlflow.get_run(run.info.run_id).info.artifact_uri.removeprefix("file://"))
    finally:
        mlflow.set_tracking_uri("")
    (stepped,) = (artifacts / "images").glob("field+step+3+*.png")
    np.testing.assert_array_equal(_pixels(stepped), pixels)
    np.testing.assert_array_equal(_pixels(artifacts / "pictures" / "array.png"), pixels)
    assert (artifacts / "pictures" / "field.png").read_bytes() == png
