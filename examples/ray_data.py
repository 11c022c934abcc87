"""Clean the ``text`` column of a Ray Dataset with :func:`toolkit.corpus.repair_record`.

Each Ray actor builds the settings (and loads the rules' data) once; every batch then runs
through the same per-record function as ``toolkit corpus clean``. The per-record report goes
to a ``toolkit`` column as JSON (its per-rule keys differ from row to row). A record without a
string ``text`` raises :class:`toolkit.corpus.RecordError`; filter those out first.

    import ray
    from examples.ray_data import clean_dataset

    cleaned = clean_dataset(ray.data.read_json("shards/"))
    cleaned.write_parquet("cleaned/")
"""

from __future__ import annotations

import json

from toolkit.config import load_config
from toolkit.corpus import RecordSettings, repair_record


class RepairBatch:
    """A ``map_batches`` callable: one settings object per actor, one repaired row per input row."""

    def __init__(self, text_key: str = "text", unsafe: bool = False) -> None:
        self.settings = RecordSettings(load_config(isolated=True), unsafe=unsafe, text_key=text_key)

    def __call__(self, batch):  # a pandas.DataFrame (batch_format="pandas")
        import pandas as pd

        rows = []
        for row in batch.to_dict("records"):
            repaired, report = repair_record(row, self.settings)
            repaired["toolkit"] = json.dumps(report, ensure_ascii=False)
            rows.append(repaired)
        return pd.DataFrame(rows, columns=[*batch.columns, "toolkit"])


def clean_dataset(dataset, workers: int = 2, text_key: str = "text"):
    """``dataset`` with its text column repaired, on ``workers`` actors."""
    return dataset.map_batches(
        RepairBatch,
        fn_constructor_kwargs={"text_key": text_key},
        batch_format="pandas",
        batch_size=64,
        concurrency=workers,
        num_cpus=1,
    )
