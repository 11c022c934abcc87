"""Engines run chunks of work and hand back their results in the order they were submitted.

``local``: one worker runs in this process; more use a process pool (each worker process loads
the rules' data once, on its first chunk). ``ray``: each chunk is a Ray task; it connects to the
cluster in ``RAY_ADDRESS`` when set, else starts a small local instance with ``workers`` CPUs.
Both run the same :func:`toolkit.corpus.work.process_chunk`, so their outputs are identical.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from toolkit.corpus.work import ChunkResult, process_chunk
from toolkit.errors import ConfigError

ENGINES = ("local", "ray")


class LocalEngine:
    """Run chunks in this process (one worker) or in a pool of ``workers`` processes."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.pool = ProcessPoolExecutor(max_workers=workers) if workers > 1 else None

    def submit(self, *args: Any) -> Future:
        if self.pool is not None:
            return self.pool.submit(process_chunk, *args)
        done: Future = Future()
        done.set_result(process_chunk(*args))
        return done

    def result(self, handle: Future) -> ChunkResult:
        return handle.result()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


class RayEngine:
    """Run chunks as Ray tasks of one CPU each."""

    def __init__(self, workers: int) -> None:
        try:
            import ray
        except ImportError:
            raise ConfigError('--engine ray needs Ray: pip install "toolkit[ray]"') from None
        self.ray = ray
        self.started = not ray.is_initialized()
        if self.started:
            if os.environ.get("RAY_ADDRESS"):
                ray.init(address=os.environ["RAY_ADDRESS"], log_to_driver=False)
            else:
                ray.init(
                    num_cpus=workers,
                    include_dashboard=False,
                    log_to_driver=False,
                    object_store_memory=128 * 1024 * 1024,
                )
        self.workers = workers
        self.task = ray.remote(num_cpus=1)(process_chunk)
        self.references: dict[int, Any] = {}

    def submit(self, settings: Any, *args: Any):
        key = id(settings)
        if key not in self.references:  # the settings travel to the cluster once
            self.references = {key: (settings, self.ray.put(settings))}
        return self.task.remote(self.references[key][1], *args)

    def result(self, handle) -> ChunkResult:
        return self.ray.get(handle)

    def close(self) -> None:
        if self.started:
            self.ray.shutdown()


def make_engine(name: str, workers: int) -> LocalEngine | RayEngine:
    """The engine called ``name`` with ``workers`` parallel workers."""
    if workers < 1:
        raise ConfigError("--workers must be at least 1")
    if name == "local":
        return LocalEngine(workers)
    if name == "ray":
        return RayEngine(workers)
    raise ConfigError(f"unknown engine {name!r} (choose {', '.join(ENGINES)})")
