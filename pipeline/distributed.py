"""Scale-out on Dask: batches of documents processed on a LocalCluster or an existing cluster.

Tasks are pure: a batch of {path, sha256, data} goes in, a list of JSON-able
results comes back, and only the driver writes outputs and state — so Dask
may re-run a task (a worker lost mid-batch) without duplicating anything.
File bytes travel with the task, so workers need the package and the model
directory, not the input folder.

Each worker thread keeps one document process (`Sandbox`) per settings:
the model is loaded once per worker and warmed once, and per-document
timeouts are enforced by killing that process. Worker processes themselves
never import underthesea, spaCy or torch.
"""
from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from vntasks.pipeline.sandbox import Sandbox, error_result

# Per worker process: (settings, thread) -> its document process.
_SANDBOXES: dict[tuple[str, int], Sandbox] = {}
_LOCK = threading.Lock()


def _sandbox(settings: dict[str, Any]) -> Sandbox:
    key = (json.dumps(settings, sort_keys=True), threading.get_ident())
    with _LOCK:
        sandbox = _SANDBOXES.get(key)
        if sandbox is None:
            sandbox = _SANDBOXES[key] = Sandbox(settings)
    sandbox.start()
    return sandbox


def process_batch(settings: dict[str, Any], items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The Dask task: one result per item, in order."""
    sandbox = _sandbox(settings)
    return [sandbox.process(item) for item in items]


def describe_worker(settings: dict[str, Any]) -> dict[str, Any]:
    """Start this worker's document process; report its model and what it imported."""
    import sys

    from vntasks.pipeline.torch_guard import heavy_modules_loaded

    sandbox = _sandbox(settings)
    return {"info": sandbox.info, "heavy_modules": sandbox.heavy_modules,
            "worker_heavy_modules": heavy_modules_loaded(), "worker_has_underthesea": "underthesea" in sys.modules}


def worker_diagnostics() -> list[dict[str, Any]]:
    """Run on a worker (client.run): what the worker and each of its document processes have imported."""
    import os

    from vntasks.pipeline.torch_guard import heavy_modules_loaded

    with _LOCK:
        sandboxes = list(_SANDBOXES.values())
    found = [{"process": "dask-worker", "pid": os.getpid(), "heavy_modules": heavy_modules_loaded()}]
    for sandbox in sandboxes:
        if sandbox.proc is not None:
            reply = sandbox.ping()
            found.append({"process": "document", "pid": reply["pid"], "heavy_modules": reply["heavy_modules"],
                          "starts": sandbox.starts, "cpu_s": reply["cpu_s"], "max_rss_mb": reply["max_rss_mb"]})
    return found


class DaskExecutor:
    """`workers=N`: a LocalCluster of N processes with one thread each; `scheduler=ADDRESS`: an existing cluster."""

    kind = "dask"

    def __init__(self, settings: dict[str, Any], *, workers: int | None = None, scheduler: str | None = None,
                 in_flight_per_worker: int = 2):
        import logging

        from distributed import Client, LocalCluster

        self.settings = settings
        self.cluster = None
        if scheduler:
            self.client = Client(scheduler, timeout="30s")
            self.client.wait_for_workers(1, timeout=120)
        else:
            self.cluster = LocalCluster(n_workers=workers or 1, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=logging.ERROR)
            self.client = Client(self.cluster)
        self.in_flight_per_worker = in_flight_per_worker

    @property
    def workers(self) -> int:
        """Threads across the cluster: each runs one document process."""
        return sum(w.get("nthreads", 1) for w in self.client.scheduler_info()["workers"].values()) or 1

    def describe(self) -> list[dict[str, Any]]:
        """Start a document process on every worker (a broken worker stops the job now, not mid-run)."""
        addresses = list(self.client.scheduler_info()["workers"])
        if not addresses:
            raise RuntimeError("the Dask cluster has no workers")
        futures = [self.client.submit(describe_worker, self.settings, workers=[a], allow_other_workers=False,
                                      pure=False, key=f"vntasks-describe-{i}-{a}") for i, a in enumerate(addresses)]
        return [{"worker": a, **f.result()} for a, f in zip(addresses, futures)]

    def run(self, batches: Iterable[list[dict[str, Any]]]) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
        """Keep a few batches per worker in flight; yield (batch, results) as they complete."""
        from distributed import as_completed
        from distributed.scheduler import KilledWorker

        limit = max(1, self.workers * self.in_flight_per_worker)
        source = iter(batches)
        pending: dict[Any, list[dict[str, Any]]] = {}
        completed = as_completed()

        def submit_next() -> bool:
            batch = next(source, None)
            if batch is None:
                return False
            future = self.client.submit(process_batch, self.settings, batch, pure=False)
            pending[future] = batch
            completed.add(future)
            return True

        while len(pending) < limit and submit_next():
            pass
        for future in completed:
            batch = pending.pop(future)
            try:
                results = future.result()
            except KilledWorker as exc:  # the batch took down workers repeatedly: report, retry next run
                results = [error_result(item, "worker_lost", f"Dask lost the workers running this batch ({exc})")
                           for item in batch]
            yield batch, results
            while len(pending) < limit and submit_next():
                pass

    def diagnostics(self) -> list[dict[str, Any]]:
        per_worker = self.client.run(worker_diagnostics)
        return [{"worker": address, **entry} for address, entries in sorted(per_worker.items()) for entry in entries]

    def close(self) -> None:
        try:
            self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()
