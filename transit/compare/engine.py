"""The one way of running tasks in parallel: Dask distributed, or in this process.

``transit compare --jobs`` and ``transit sweep`` hand their tasks to an
:class:`Engine`:

- ``jobs == 1`` and no scheduler: every task runs here, in order;
- ``jobs > 1`` (or ``jobs=None``: one worker per core of this machine): a
  :class:`distributed.LocalCluster` of single-threaded worker processes is
  started for the engine's lifetime;
- ``scheduler="tcp://HOST:PORT"``: tasks go to an existing Dask cluster
  (``dask scheduler`` plus ``dask worker`` processes; a worker needs only
  ``pip install transit`` and the files the scenario names).

Tasks are plain module-level functions of picklable arguments, so a task's
result does not depend on where it runs; :meth:`Engine.run` hands results
back by task index, and callers assemble them in a fixed order. A worker that
dies is replaced (local cluster) and its tasks run again elsewhere, Dask's
own retry; a task that raises is reported to ``failed`` (or re-raised at
once when no ``failed`` is given) and the other tasks go on.

Dask is imported only when an engine actually starts workers.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any

from transit.errors import InputError

__all__ = ["Engine", "local_cluster", "machine_workers"]

log = logging.getLogger(__name__)


def machine_workers() -> int:
    """Return the number of cores this process may use (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def local_cluster(workers: int) -> Any:
    """Start and return a :class:`distributed.LocalCluster` of ``workers`` single-threaded worker processes.

    No dashboard, and the scheduler's health page on a free port: on dask's
    default 8787 a second cluster at the same time (another run, a Jupyter
    dask session) printed "Port 8787 is already in use".
    """
    from distributed import LocalCluster

    return LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": ":0"},
        silence_logs=logging.ERROR,
    )


class Engine:
    """Run tasks here or on a Dask cluster (a context manager).

    Parameters
    ----------
    jobs
        Worker processes of a local cluster; 1 runs every task in this
        process; None sizes the local cluster to the machine
        (:func:`machine_workers`). Ignored with ``scheduler``.
    scheduler
        Address of an existing Dask scheduler (``tcp://HOST:PORT``).
    option
        The command-line option that set ``jobs`` or ``scheduler``, for messages.

    Raises
    ------
    InputError
        On entering: ``jobs`` < 1, or the scheduler cannot be reached.
    """

    def __init__(self, *, jobs: int | None = 1, scheduler: str | None = None, option: str = "--jobs") -> None:
        if scheduler is None and jobs is not None and jobs < 1:
            msg = f"must be >= 1, got {jobs}"
            raise InputError(msg, column=option)
        self.jobs = machine_workers() if jobs is None else int(jobs)
        self.scheduler = scheduler
        self.client: Any = None
        self._cluster: Any = None

    # ----------------------------------------------------------------- lifetime
    @property
    def local(self) -> bool:
        """True when tasks run in this process."""
        return self.scheduler is None and self.jobs == 1

    def __enter__(self) -> Engine:
        if self.local:
            return self
        # Importing distributed sets its logger to INFO (every connection on
        # stderr, from dask's configuration): keep the level the caller chose.
        dask_log = logging.getLogger("distributed")
        level = dask_log.level
        from distributed import Client

        dask_log.setLevel(level)
        if self.scheduler is not None:
            try:
                self.client = Client(self.scheduler, timeout="20s")
            except (OSError, TimeoutError, ValueError) as exc:
                msg = f"cannot reach the Dask scheduler at {self.scheduler!r}: {exc}"
                raise InputError(msg, column="--scheduler") from None
            return self
        self._cluster = local_cluster(self.jobs)
        self.client = Client(self._cluster)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Disconnect from the cluster (and stop a local one)."""
        if self.client is not None:
            self.client.close()
            self.client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    @property
    def workers(self) -> int:
        """Number of workers tasks can run on now (1 when running here)."""
        if self.client is None:
            return 1
        return max(1, len(self.client.scheduler_info().get("workers", {})))

    # ----------------------------------------------------------------- tasks
    def share(self, value: Any) -> Any:
        """Return a handle of ``value`` to pass to many tasks (sent to the cluster once)."""
        if self.client is None:
            return value
        return self.client.scatter(value, broadcast=False, hash=False)

    def run(
        self,
        fn: Callable[..., Any],
        calls: Sequence[tuple[Any, ...]],
        *,
        done: Callable[[int, Any], None],
        failed: Callable[[int, BaseException], None] | None = None,
    ) -> None:
        """Run ``fn(*calls[i])`` for every ``i``; report each result as it arrives.

        Parameters
        ----------
        fn
            A module-level function (it is pickled by reference).
        calls
            The arguments of each task.
        done
            Receives ``(i, result)`` of each finished task, in order of
            completion (in index order when running here).
        failed
            Receives ``(i, exception)`` of each failed task, and the other
            tasks go on; without it the first failure cancels the rest and
            is raised.
        """
        if self.client is None:
            for i, args in enumerate(calls):
                try:
                    result = fn(*args)
                except Exception as exc:
                    if failed is None:
                        raise
                    failed(i, exc)
                    continue
                done(i, result)
            return
        self._run_dask(fn, calls, done=done, failed=failed)

    def _run_dask(
        self,
        fn: Callable[..., Any],
        calls: Sequence[tuple[Any, ...]],
        *,
        done: Callable[[int, Any], None],
        failed: Callable[[int, BaseException], None] | None,
    ) -> None:
        from distributed import as_completed

        futures = [self.client.submit(fn, *args, pure=False) for args in calls]
        index = {f.key: i for i, f in enumerate(futures)}
        try:
            # On this engine's client's loop: the default client (another one in
            # the same process, e.g. a caller's) may run on another loop.
            for fut in as_completed(futures, loop=self.client.loop):
                i = index[fut.key]
                if fut.status != "finished":
                    exc = _failure(fut)
                    fut.release()
                    if failed is None:
                        raise exc
                    failed(i, exc)
                    continue
                result = fut.result()
                fut.release()
                done(i, result)
        except BaseException:
            self.client.cancel(futures)
            raise


def _failure(fut: Any) -> BaseException:
    """Return why a Dask future did not finish (its exception, or that it was cancelled)."""
    import concurrent.futures as cf

    try:
        exc = fut.exception()
    except cf.CancelledError as cancelled:
        return cancelled
    return exc if exc is not None else RuntimeError(f"task {fut.key} did not finish ({fut.status})")
