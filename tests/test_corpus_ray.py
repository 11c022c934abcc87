"""The Ray engine and the Ray Data example, for real on a local Ray instance (make test installs Ray)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from conftest import write_jsonl_shards
from test_corpus import _outputs, _write_shards

from toolkit.cli import main

try:
    import ray
except ImportError:
    if os.environ.get("CI"):  # CI installs the ray extra: a missing Ray there is a failure
        raise
    pytest.skip(
        'needs the ray extra: pip install "toolkit[ray]" (make test installs it)', allow_module_level=True
    )

ROOT = Path(__file__).resolve().parent.parent


def test_ray_engine_output_is_byte_identical_to_local(tmp_path, runner, monkeypatch) -> None:
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    folder = tmp_path / "in"
    _write_shards(folder, shards=2)
    arguments = ["corpus", "clean", "--isolated", "-q", "--max-error-rate", "0.2", str(folder), "-o"]
    local = runner.invoke(main, [*arguments, str(tmp_path / "local"), "--workers", "1"])
    assert local.exit_code == 0, local.output
    on_ray = runner.invoke(main, [*arguments, str(tmp_path / "ray"), "--workers", "2", "--engine", "ray"])
    assert on_ray.exit_code == 0, on_ray.output
    assert _outputs(tmp_path / "ray") == _outputs(tmp_path / "local")
    assert json.loads((tmp_path / "ray" / "run.json").read_text())["configuration"]["engine"] == "ray"
    assert not ray.is_initialized()  # the engine shut down the instance it started


def test_ray_data_example_cleans_a_dataset(config) -> None:
    pytest.importorskip("ray.data", reason="needs ray[data] (the ray extra)")
    sys.path.insert(0, str(ROOT))
    from examples.ray_data import clean_dataset
    from toolkit.corpus import RecordSettings, repair_record

    texts = ["數(shù)據(jù),好", "導(dǎo)語", "沒有問題。"] * 10
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, object_store_memory=128 * 1024 * 1024)
    try:
        dataset = ray.data.from_items([{"id": i, "text": text} for i, text in enumerate(texts)])
        rows = sorted(clean_dataset(dataset).take_all(), key=lambda row: row["id"])
    finally:
        ray.shutdown()
    settings = RecordSettings(config)
    assert [row["text"] for row in rows] == [repair_record({"text": t}, settings)[0]["text"] for t in texts]
    assert rows[0]["text"] == "數據，好"
    assert json.loads(rows[1]["toolkit"])["fixed"] == {"ZH101": 1}


@pytest.mark.model
def test_ray_actors_translate_with_the_model_loaded_once_each(tmp_path, runner, monkeypatch) -> None:
    pytest.importorskip("llama_cpp")
    from conftest import installed_small_model
    from test_corpus_translate import DOCUMENTS, _records

    installed_small_model()
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    monkeypatch.setenv("TOOLKIT_HOME", str(tmp_path / "home"))
    folder = tmp_path / "in"
    write_jsonl_shards(folder, DOCUMENTS)
    arguments = ["corpus", "translate", "--isolated", "-q", "--model", "0.5b", "--engine", "ray", str(folder)]
    arguments += ["-o", str(tmp_path / "en"), "--model-workers", "2", "--threads-per-model", "1"]
    result = runner.invoke(main, arguments)
    assert result.exit_code == 0, result.output
    records = [r for n in (0, 1) for r in _records(tmp_path / "en" / "data" / f"part-{n}.jsonl.gz")]
    assert [r["id"] for r in records] == ["0-0", "0-1", "0-2", "1-0", "1-1", "1-2"]
    assert all(r["text_en"].strip() and r["sections"] for r in records)
    assert not ray.is_initialized()
