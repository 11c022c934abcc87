"""A datatrove pipeline step that repairs each Document's text with toolkit.

Put it between a reader and a writer; the per-rule counts go into the step's stats (merged into
datatrove's ``stats.json``) and the per-document report into ``doc.metadata["toolkit"]``::

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from examples.datatrove_step import ToolkitRepair

    LocalPipelineExecutor(
        pipeline=[JsonlReader("shards/"), ToolkitRepair(), JsonlWriter("cleaned/")],
        tasks=8,
    ).run()
"""

from __future__ import annotations

from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

from toolkit.config import load_config
from toolkit.corpus import RecordSettings, repair_record


class ToolkitRepair(PipelineStep):
    """Repair pinyin annotations, GBK mojibake and punctuation in ``doc.text`` (safe fixes)."""

    name = "toolkit repair"
    type = "✂️ - FORMAT"

    def __init__(self, unsafe: bool = False) -> None:
        super().__init__()
        self.unsafe = unsafe

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        settings = RecordSettings(load_config(isolated=True), unsafe=self.unsafe)  # once per task
        for doc in data:
            with self.track_time():
                repaired, report = repair_record({"text": doc.text}, settings)
            doc.text = repaired["text"]
            doc.metadata["toolkit"] = report
            self.stat_update("changed" if report["changed"] else "unchanged")
            for rule, count in report["fixed"].items():
                self.stat_update(f"fixed_{rule}", value=count)
            yield doc
