"""Write outputs atomically: to a temporary file or folder, then rename.

A command that fails half-way leaves either the old output or none, never a
partial one.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from transit.errors import OutputExistsError

__all__ = ["atomic_path", "atomic_write_bytes", "atomic_write_text", "check_free", "output_dir"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_free(path: str | os.PathLike[str], *, force: bool) -> None:
    """Refuse an existing output unless ``force``: a file, or a folder that is not empty.

    Raises
    ------
    OutputExistsError
        If ``path`` exists (an empty folder does not count) and ``force`` is False.
    """
    target = Path(path)
    if target.exists() and not force and (not target.is_dir() or any(target.iterdir())):
        msg = f"{target}: output exists; use --force to replace it"
        raise OutputExistsError(msg)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    For writers that want a file name rather than bytes (e.g. a library's
    ``save`` function). On error the temporary file is removed.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        # mkstemp makes the file private (0600); give it the usual mode instead.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder."""
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_write_bytes`)."""
    atomic_write_bytes(path, text.encode(encoding))


@contextlib.contextmanager
def output_dir(path: str | os.PathLike[str], *, force: bool = False) -> Iterator[Path]:
    """Yield a fresh staging folder that replaces ``path`` when the block succeeds.

    Parameters
    ----------
    path
        The output folder the user asked for.
    force
        Replace an existing, non-empty ``path``. Without it an existing
        non-empty folder (or a file) raises :class:`OutputExistsError` before
        anything is written.

    Notes
    -----
    Files are written into a hidden sibling folder; on success the old output
    (if any) is moved aside and the staging folder renamed into place. On error
    the staging folder is removed and ``path`` is left untouched.
    """
    target = Path(path)
    check_free(target, force=force)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    os.chmod(staging, 0o777 & ~_umask())
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    old: Path | None = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
        old.rmdir()
        os.replace(target, old)
    os.replace(staging, target)
    if old is not None:
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)
