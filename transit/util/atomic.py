"""Write outputs atomically: to a temporary file or folder, then rename.

A command that fails half-way leaves either the old output or none, never a
partial one. Every temporary file or folder is named ``.transit-tmp-<pid>-...``
and sits beside its output; one left behind by a killed process is removed by
the next writer into the same folder (:func:`remove_stale_temps`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from transit.errors import InputError, OutputExistsError
from transit.util.i18n import _

__all__ = [
    "TEMP_PREFIX",
    "atomic_files",
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_text",
    "check_free",
    "output_dir",
    "remove_stale_temps",
    "scratch_dir",
    "write_texts",
]

TEMP_PREFIX = ".transit-tmp-"
"""Name prefix of every temporary file or folder this module makes."""

_STARTED = time.time()
"""When this process imported the module: temporaries older than it may be stale."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _prefix(target: Path) -> str:
    return f"{TEMP_PREFIX}{os.getpid()}-{target.name[:60]}."


def _boot_time() -> float | None:
    with contextlib.suppress(OSError, ValueError), open("/proc/stat", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("btime "):
                return float(line.split()[1])
    return None


def _process_start(pid: int) -> float | None:
    """Return when process ``pid`` started (seconds since the epoch), None if unknown (no /proc)."""
    boot = _boot_time()
    if boot is None:
        return None
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        ticks = int(stat.rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None
    return boot + ticks / os.sysconf("SC_CLK_TCK")


def _owner_running(pid: int, made: float) -> bool:
    """Whether process ``pid`` runs and is the one that made a temporary at time ``made``."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    except OSError:
        return False
    started = _process_start(pid)
    # A process started after the temporary was made is another one under a reused id.
    return started is None or started <= made + 1.0


def remove_stale_temps(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove temporaries in ``folder`` left by processes that no longer run; return them.

    A temporary counts as stale when it is older than the running process and
    the process that made it (its id is in the name) has ended. Temporaries of
    running commands are never touched. Errors are ignored: cleaning is a
    courtesy, never a reason to fail.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    me = os.getpid()
    for entry in entries:
        if not entry.name.startswith(TEMP_PREFIX):
            continue
        try:
            pid = int(entry.name[len(TEMP_PREFIX) :].split("-", 1)[0])
            made = entry.stat(follow_symlinks=False).st_mtime
        except (ValueError, OSError):
            continue
        if pid == me or made >= _STARTED or _owner_running(pid, made):
            continue
        path = Path(entry.path)
        with contextlib.suppress(OSError):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(path)
            else:
                path.unlink()
            removed.append(path)
    return removed


def _name_unnamed(exc: BaseException, name: str) -> None:
    """Name the output in an operating-system error that names no file (a failed ``write``)."""
    if isinstance(exc, OSError) and exc.filename is None and exc.errno is not None:
        exc.filename = name


def _check_parent(target: Path) -> None:
    """Refuse, before any work, an output that cannot be made: a file in the way or no permission."""
    parent = target.parent
    while not parent.exists() and parent != parent.parent:
        if parent.is_symlink():  # a dangling link
            break
        parent = parent.parent
    if parent.exists() and not parent.is_dir():
        msg = _("cannot write here: {parent} is a file, not a folder").format(parent=parent)
        raise InputError(msg, file=str(target))
    if parent.is_dir() and not os.access(parent, os.W_OK | os.X_OK):
        msg = _("permission denied: cannot write into the folder {parent}").format(parent=parent)
        raise InputError(msg, file=str(target))


def check_free(path: str | os.PathLike[str], *, force: bool, kind: str = "any") -> None:
    """Refuse an output that cannot or may not be written, before any work.

    Parameters
    ----------
    path
        The output.
    force
        Allow replacing an existing output.
    kind
        ``"file"``: the output is a file, so an existing folder there is an
        error even with ``force``; ``"dir"`` or ``"any"``: a folder (an empty
        one does not count as existing).

    Raises
    ------
    OutputExistsError
        If ``path`` exists (an empty folder does not count) and ``force`` is False.
    InputError
        If ``path`` cannot be written: a file stands where a folder is needed, a
        folder where a file is needed, or the folder is not writable.
    """
    target = Path(path)
    _check_parent(target)
    if kind == "file" and target.is_dir():
        msg = _("is a folder; give a file name")
        raise InputError(msg, file=str(target))
    if target.exists() and not force and (not target.is_dir() or any(target.iterdir())):
        msg = _("{path}: output exists; use --force to replace it").format(path=target)
        raise OutputExistsError(msg)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    For writers that want a file name rather than bytes (e.g. a library's
    ``save`` function). On error the temporary file is removed.
    """
    with atomic_files(path) as (tmp,):
        yield tmp


@contextlib.contextmanager
def atomic_files(*paths: str | os.PathLike[str]) -> Iterator[list[Path]]:
    """Yield temporary paths beside ``paths``; rename them all onto ``paths`` when the block succeeds.

    The outputs of one command are one unit: nothing is renamed until every
    file is complete, and on error every temporary is removed and no output
    changes.

    Raises
    ------
    InputError
        If an output is a folder or cannot be made (see :func:`check_free`).
    """
    targets = [Path(p) for p in paths]
    for target in targets:
        check_free(target, force=True, kind="file")
    temps: list[Path] = []
    try:
        for target in targets:
            target.parent.mkdir(parents=True, exist_ok=True)
            remove_stale_temps(target.parent)
            fd, tmp = tempfile.mkstemp(prefix=_prefix(target), suffix=".tmp", dir=target.parent)
            os.close(fd)
            temps.append(Path(tmp))
        yield list(temps)
        mode = 0o666 & ~_umask()  # mkstemp makes the file private (0600); give it the usual mode
        for tmp in temps:
            os.chmod(tmp, mode)
        for tmp, target in zip(temps, targets):
            os.replace(tmp, target)
    except BaseException as exc:
        for tmp in temps:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        _name_unnamed(exc, ", ".join(str(t) for t in targets))
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


def write_texts(files: Sequence[tuple[str | os.PathLike[str], str]], encoding: str = "utf-8") -> None:
    """Write several text files as one unit (see :func:`atomic_files`)."""
    with atomic_files(*(p for p, _ in files)) as temps:
        for tmp, (_, text) in zip(temps, files):
            tmp.write_bytes(text.encode(encoding))


@contextlib.contextmanager
def scratch_dir(label: str) -> Iterator[Path]:
    """Yield a private working folder in the system's temporary folder, removed afterwards.

    Named like every temporary of the package, so one left by a killed run
    is removed by the next (see :func:`remove_stale_temps`).
    """
    base = Path(tempfile.gettempdir())
    remove_stale_temps(base)
    path = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-{label}.", dir=base))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


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
    Files are written into a hidden sibling folder (``.transit-tmp-...``); on
    success the old output (if any) is moved aside and the staging folder
    renamed into place. On error the staging folder is removed and ``path``
    is left untouched.
    """
    target = Path(path)
    check_free(target, force=force, kind="dir")
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(target.parent)
    staging = Path(tempfile.mkdtemp(prefix=_prefix(target), suffix=".tmp", dir=target.parent))
    os.chmod(staging, 0o777 & ~_umask())
    try:
        yield staging
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        _name_unnamed(exc, str(target))
        raise
    old: Path | None = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=_prefix(target), suffix=".old", dir=target.parent))
        old.rmdir()
        os.replace(target, old)
    os.replace(staging, target)
    if old is not None:
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)
