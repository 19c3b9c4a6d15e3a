"""What every command shares: one rule for errors and exit codes, output checks, dates, progress.

Every message is in the command's language (:mod:`transit.util.i18n`; the
command sets it with :func:`transit.commands._lang.apply_lang`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import functools
import logging
import signal
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from transit.errors import InputError, TransitError
from transit.util.atomic import TEMP_PREFIX, check_free
from transit.util.i18n import N_, _, current, set_lang
from transit.util.progress import Progress

__all__ = [
    "MAX_FLOAT",
    "MAX_INT",
    "TransitGroup",
    "check_booked_by",
    "check_output",
    "check_output_files",
    "explain",
    "fail",
    "parse_date",
    "progress_bar",
    "solver_ready",
    "user_errors",
]

log = logging.getLogger("transit")

MAX_FLOAT = 1e15
"""Largest number an option takes (beyond it, seconds overflow as milliseconds in 64 bits)."""

MAX_INT = 2**63 - 1
"""Largest whole number an option takes (64 bits; larger ones would overflow in compiled code)."""


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``message`` to stderr and return the Exit to raise."""
    typer.echo(_("error: {message}").format(message=message) if "\n" not in message else message, err=True)
    return typer.Exit(code=code)


def parse_date(text: str | None, option: str = "--date") -> dt.date | None:
    """Return the date an option gives as YYYY-MM-DD (None when not given).

    Raises
    ------
    InputError
        If ``text`` is not a date; the message names the option.
    """
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        msg = _("{text!r} is not a date (expected YYYY-MM-DD)").format(text=text)
        raise InputError(msg, column=option) from None


def check_output(*paths: Path | None, force: bool) -> None:
    """Refuse, before any work, outputs that exist (files or non-empty folders) unless ``force``.

    Also refuses outputs that cannot be written: a file standing where a
    folder is needed, a folder without write permission.

    Raises
    ------
    OutputExistsError
        Naming the first output that exists.
    InputError
        Naming an output that cannot be written.
    """
    for path in paths:
        if path is not None:
            check_free(path, force=force)


def check_output_files(*paths: Path | None, force: bool) -> None:
    """Like :func:`check_output` for outputs that are files: a folder in their place is an error.

    Raises
    ------
    OutputExistsError
        Naming the first output that exists.
    InputError
        Naming an output that is a folder or cannot be written, or one given twice.
    """
    given = [Path(p) for p in paths if p is not None]
    seen: set[Path] = set()
    for path in given:
        key = path.resolve()
        if key in seen:
            msg = _("the same file is given as two outputs")
            raise InputError(msg, file=str(path))
        seen.add(key)
        check_free(path, force=force, kind="file")


_ERRNO_WORDS = {
    errno.ENOSPC: N_("no space left on the device"),
    errno.EDQUOT: N_("disk quota exceeded"),
    errno.EROFS: N_("the file system is read-only"),
    errno.EFBIG: N_("file too large for the file system (or a file size limit)"),
    errno.ENAMETOOLONG: N_("file name too long"),
    errno.EMFILE: N_("too many open files"),
    errno.ENFILE: N_("too many open files on the system"),
    errno.ELOOP: N_("too many levels of symbolic links"),
    errno.EIO: N_("input/output error (a failing disk or network file system?)"),
    errno.EACCES: N_("permission denied"),
    errno.EPERM: N_("operation not permitted"),
    errno.ENOENT: N_("file not found"),
    errno.EISDIR: N_("is a folder, not a file"),
    errno.ENOTDIR: N_("a part of this path is a file, not a folder"),
    errno.EEXIST: N_("is in the way (a file stands where a folder is needed)"),
}
"""What an operating-system error means for the user, by errno (translated where shown)."""


def _shown_path(name: object) -> str:
    """Name a file for the user: a temporary of :mod:`transit.util.atomic` by the output it becomes."""
    parts = []
    for part in Path(str(name)).parts:
        if part.startswith(TEMP_PREFIX):
            rest = part[len(TEMP_PREFIX) :].split("-", 1)[-1]  # PID-NAME.RANDOM.tmp
            part = rest.rsplit(".", 2)[0]
        parts.append(part)
    return str(Path(*parts)) if parts else str(name)


def _os_message(exc: OSError) -> str:
    known = _ERRNO_WORDS.get(exc.errno or -1)
    words = _(known) if known else exc.strerror or type(exc).__name__
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        words += _("; nothing was written")
    if exc.filename is None:
        return words
    return f"{_shown_path(exc.filename)}: {words}"


def explain(exc: BaseException) -> tuple[int, str]:
    """Return the exit code and the message for an error that ends a command.

    The one place that maps exception types to what the user reads: the
    package's own errors (bad input, exit 2), the operating system's (a file
    missing, a folder in the way, no permission, a full disk: exit 2, naming
    the file), an interrupt (130); anything else is an internal fault (exit 3).
    """
    if isinstance(exc, TransitError):
        return 2, str(exc)
    if isinstance(exc, OSError):
        return 2, _os_message(exc)
    if isinstance(exc, MemoryError):
        return 2, _("not enough memory for this run (see the limits in README.md, 'Promises')")
    if isinstance(exc, KeyboardInterrupt):
        return 130, _("interrupted; nothing was written")
    where = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    at = f"{Path(where[0].filename).name}:{where[0].lineno}" if where else ""
    head = _("internal error at {where}").format(where=at) if at else _("internal error")
    return 3, (
        f"{head}: {type(exc).__name__}: {exc}\n"
        + _("This is a bug in transit, not a problem of your input; nothing was written. "
            "Please report it with the command you ran (--verbose shows the traceback).")
    )


@contextlib.contextmanager
def user_errors(*, verbose: bool | None = None) -> Iterator[None]:
    """Turn an error that ends a command into a message and an exit code (see :func:`explain`).

    Parameters
    ----------
    verbose
        Only the root of the command line (:class:`TransitGroup`) passes it:
        it also ends internal faults (exit 3), with their traceback when
        True. Without it, internal faults go on to the root.
    """
    try:
        yield
    except (typer.Exit, typer.Abort, typer.TyperException):
        raise  # the command line's own outcome (usage errors: exit 2)
    except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 (the one place that maps every error)
        code, message = explain(exc)
        if code == 3 and verbose is None:
            raise
        if code == 3 and verbose:
            typer.echo("".join(traceback.format_exception(exc)).rstrip(), err=True)
        if isinstance(exc, InputError):
            # Input errors already read "FILE:ROW: COLUMN: what is wrong", one per line.
            typer.echo(message, err=True)
            raise typer.Exit(code=code) from None
        raise fail(message, code=code) from None


def _finite_guard(command: Any) -> None:
    """Make ``command`` refuse ``nan``, ``inf`` and numbers beyond :data:`MAX_FLOAT` or :data:`MAX_INT`."""
    callback = command.callback
    if callback is None or getattr(callback, "_transit_guarded", False):
        return
    names = {p.name: (p.opts[0] if getattr(p, "opts", None) else p.name) for p in command.params}

    @functools.wraps(callback)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        for name, value in kwargs.items():
            values = value if isinstance(value, (list, tuple)) else [value]
            for v in values:
                if isinstance(v, float) and not abs(v) <= MAX_FLOAT:
                    msg = _("must be a finite number at most {limit:g} in size, got {value:g}").format(
                        limit=MAX_FLOAT, value=v)
                    raise typer.BadParameter(msg, param_hint=f"'{names.get(name, name)}'")
                if isinstance(v, int) and not isinstance(v, bool) and abs(v) > MAX_INT:
                    msg = _("must be at most {limit:,} in size, got {value}").format(limit=MAX_INT, value=v)
                    raise typer.BadParameter(msg, param_hint=f"'{names.get(name, name)}'")
        return callback(*args, **kwargs)

    guarded._transit_guarded = True  # type: ignore[attr-defined]
    command.callback = guarded


def _guard_tree(group: Any) -> None:
    for command in getattr(group, "commands", {}).values():
        _finite_guard(command)
        _guard_tree(command)


def _terminate(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


class TransitGroup(TyperGroup):
    """The root command group: one rule for every command.

    Every option that takes a number refuses ``nan``, ``inf`` and numbers
    too large for 64 bits (exit 2, naming the option); every error ends in
    :func:`user_errors` (exit 2 for the user's mistakes, 3 for internal
    faults, no traceback); SIGTERM ends a command like Ctrl-C, so its
    temporary files are removed.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _guard_tree(self)

    def invoke(self, ctx: Any) -> Any:
        """Run the command under :func:`user_errors`, with SIGTERM handled like Ctrl-C."""
        previous = None
        if threading.current_thread() is threading.main_thread():
            previous = signal.signal(signal.SIGTERM, _terminate)
        lang = current().lang
        try:
            with user_errors(verbose=bool(ctx.params.get("verbose"))):
                return super().invoke(ctx)
        finally:
            set_lang(lang)  # a command's --lang holds for its own run (and its error messages) only
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)


def check_booked_by(bookings: Any, now_s: float, *, file: str, option: str = "--now") -> None:
    """Refuse bookings made after the current time ``now_s`` (seconds of the service day).

    Raises
    ------
    InputErrors
        Naming every such booking, the file and ``booked_at``.
    """
    from transit.errors import InputErrors
    from transit.util.timeparse import format_clock

    late = [b for b in bookings if b.booked_at is not None and b.booked_at > now_s]
    if late:
        now_text = format_clock(now_s, with_seconds=False)
        raise InputErrors(
            [
                InputError(
                    _("booking {id!r} was made at {time}, after the current time {option} {now}").format(
                        id=b.request_id, time=format_clock(b.booked_at, with_seconds=False), option=option,
                        now=now_text),
                    file=file,
                    column="booked_at",
                )
                for b in late
            ]
        )


def solver_ready() -> None:
    """Compile the solver's kernels now if they are not in the cache yet, saying so on stderr.

    The first command that solves compiles them once (about a minute) and
    caches them in the user's cache folder; later commands load them at once.
    Call after the inputs are checked and before the long work starts.
    """
    from transit.solver import compile_kernels, kernels_ready

    if kernels_ready():
        return
    typer.echo(_("compiling the solver, once: a few minutes (later runs start at once) ..."), err=True)
    started = time.perf_counter()
    compile_kernels()
    typer.echo(_("solver compiled in {seconds:.0f} s").format(seconds=time.perf_counter() - started), err=True)


@contextlib.contextmanager
def progress_bar(description: str) -> Iterator[Progress]:
    """Yield a :class:`~transit.util.progress.Progress` that draws on stderr.

    On a terminal it is a rich progress bar; otherwise (CI, pipes) it logs a
    line at most every 10% so logs stay short. A library's message that is a
    marked text (``N_()``) is shown translated.
    """
    if sys.stderr.isatty():
        from rich.progress import BarColumn, Progress as RichProgress, TextColumn, TimeElapsedColumn

        with RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(),
            TextColumn("{task.fields[message]}"),
            transient=True,
            console=None,
        ) as bar:
            task = bar.add_task(description, total=1.0, message="")

            def update(done: float, total: float, message: str = "") -> None:
                bar.update(task, completed=done, total=max(total, 1e-9), message=_(message) if message else "")

            yield update
    else:
        last = [-1]

        def update(done: float, total: float, message: str = "") -> None:
            pct = int(100 * done / total) if total else 100
            if pct // 10 > last[0] or done >= total:
                if pct // 10 == last[0] and done < total:
                    return
                last[0] = pct // 10
                typer.echo(f"{description}: {pct:3d}% {_(message) if message else ''}".rstrip(), err=True)

        yield update
