"""Engines run chunks of work and hand back their results in the order they were submitted.

``local``: one worker runs in this process; more use a process pool. Where the pool forks, the
first chunk runs in this process before the pool starts (as :func:`toolkit.parallel.map_texts`
does), so that the workers inherit the rules' data already loaded instead of each loading it
again; otherwise each worker loads it (or its translation model) once, on its first chunk. ``ray``: it connects to
the cluster in ``RAY_ADDRESS`` when set, else starts a small local instance with
``workers × cpus_per_worker`` CPUs; chunks run as Ray tasks of one CPU, or, for translation
(``cpus_per_worker`` > 1 threads per model), on a pool of ``workers`` actors that each hold
the model once.
Both run the same :func:`toolkit.corpus.work.process_chunk`, so their outputs are identical.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from toolkit.corpus.work import ChunkResult, process_chunk
from toolkit.errors import ConfigError

ENGINES = ("local", "ray")


class LocalEngine:
    """Run chunks in this process (one worker) or in a pool of ``workers`` processes."""

    def __init__(self, workers: int, cpus_per_worker: int = 1) -> None:
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None

    def submit(self, settings: Any, mode: str, *args: Any) -> Future:
        if self.pool is None and self.workers > 1:
            runs_first_here = mode != "translate" and multiprocessing.get_start_method() == "fork"
            if not runs_first_here:  # no model is loaded in this process; spawned workers inherit nothing
                self.pool = ProcessPoolExecutor(max_workers=self.workers)
        if self.pool is not None:
            return self.pool.submit(process_chunk, settings, mode, *args)
        done: Future = Future()
        done.set_result(process_chunk(settings, mode, *args))  # one worker, or the first chunk
        if self.workers > 1:  # the pool forks now, after this chunk loaded the rules' data
            self.pool = ProcessPoolExecutor(max_workers=self.workers)
        return done

    def result(self, handle: Future) -> ChunkResult:
        return handle.result()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


class RayEngine:
    """Run chunks as Ray tasks of one CPU each, or on ``workers`` actors of ``cpus_per_worker`` CPUs."""

    def __init__(self, workers: int, cpus_per_worker: int = 1) -> None:
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
                    num_cpus=workers * cpus_per_worker,
                    include_dashboard=False,
                    log_to_driver=False,
                    object_store_memory=128 * 1024 * 1024,
                )
        self.workers = workers
        self.references: dict[int, Any] = {}
        self.submitted = 0
        if cpus_per_worker > 1:
            actor = ray.remote(num_cpus=cpus_per_worker)(ChunkWorker)
            self.actors = [actor.remote() for _ in range(workers)]
        else:
            self.task = ray.remote(num_cpus=1)(process_chunk)
            self.actors = []

    def submit(self, settings: Any, *args: Any):
        key = id(settings)
        if key not in self.references:  # the settings travel to the cluster once
            self.references = {key: (settings, self.ray.put(settings))}
        reference = self.references[key][1]
        if self.actors:  # in turn: results are read in submission order anyway
            self.submitted += 1
            return self.actors[self.submitted % len(self.actors)].run.remote(reference, *args)
        return self.task.remote(reference, *args)

    def result(self, handle) -> ChunkResult:
        return self.ray.get(handle)

    def close(self) -> None:
        if self.started:
            self.ray.shutdown()


class ChunkWorker:
    """A Ray actor: one long-lived process that keeps what its chunks load (a translation model)."""

    def run(self, *args: Any) -> ChunkResult:
        return process_chunk(*args)


def make_engine(name: str, workers: int, cpus_per_worker: int = 1) -> LocalEngine | RayEngine:
    """The engine called ``name`` with ``workers`` parallel workers of ``cpus_per_worker`` CPUs."""
    if workers < 1:
        raise ConfigError("--workers must be at least 1")
    if name == "local":
        return LocalEngine(workers, cpus_per_worker)
    if name == "ray":
        return RayEngine(workers, cpus_per_worker)
    raise ConfigError(f"unknown engine {name!r} (choose {', '.join(ENGINES)})")
