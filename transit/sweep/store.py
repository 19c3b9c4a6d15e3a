"""The sweep's output folder: finished tasks stored one file each, atomically.

``OUT/tasks/<task>.parquet`` holds the KPI rows of one finished task
(:class:`transit.sweep.task.TaskId` names it by combination, seed and a
digest of its inputs). Each file is written through a temporary file and
renamed, so an interrupted sweep loses no finished task and leaves no
half-written one; ``--resume`` skips the tasks whose file is there.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pandas as pd

from transit.errors import OutputExistsError
from transit.sweep.task import TaskId
from transit.util.atomic import atomic_write_bytes

__all__ = ["TASKS", "TaskStore", "parquet_bytes"]

#: The folder of the finished tasks inside the output folder.
TASKS = "tasks"


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    """Return ``frame`` as a Parquet file (no index)."""
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False, engine="pyarrow")
    return buf.getvalue()


class TaskStore:
    """Finished tasks of a sweep in ``folder/tasks``.

    Parameters
    ----------
    folder
        The sweep's output folder.
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.tasks = self.folder / TASKS

    def open(self, *, resume: bool, force: bool, outputs: tuple[str, ...]) -> None:
        """Make the folder ready: new, resumed, or (``force``) emptied of a former sweep's files.

        Raises
        ------
        OutputExistsError
            If the folder holds files and neither ``resume`` nor ``force`` is
            given, or ``resume`` is given for a folder that is not a sweep's.
        """
        used = self.folder.exists() and (not self.folder.is_dir() or any(self.folder.iterdir()))
        if used and resume and not self.tasks.is_dir():
            msg = f"{self.folder}: not the output folder of a sweep (no {TASKS}/ in it); nothing to resume"
            raise OutputExistsError(msg)
        if used and not resume and not force:
            msg = f"{self.folder}: output exists; use --resume to go on with it or --force to start over"
            raise OutputExistsError(msg)
        if used and force and not resume:
            if not self.folder.is_dir():
                self.folder.unlink()
            else:
                shutil.rmtree(self.tasks, ignore_errors=True)
                for name in outputs:
                    (self.folder / name).unlink(missing_ok=True)
        self.tasks.mkdir(parents=True, exist_ok=True)

    def path(self, task: TaskId) -> Path:
        """Return the file of ``task``."""
        return self.tasks / f"{task.name}.parquet"

    def has(self, task: TaskId) -> bool:
        """Whether ``task`` finished in this or an earlier run."""
        return self.path(task).is_file()

    def save(self, task: TaskId, rows: pd.DataFrame) -> None:
        """Store the rows of a finished task (atomically)."""
        atomic_write_bytes(self.path(task), parquet_bytes(rows))

    def load(self, task: TaskId) -> pd.DataFrame:
        """Return the rows of a finished task."""
        return pd.read_parquet(self.path(task), engine="pyarrow")
