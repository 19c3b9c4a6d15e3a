"""What every command shares: turning expected errors into exit code 2, and progress."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import typer

from transit.errors import InputError, TransitError
from transit.util.atomic import check_free
from transit.util.progress import Progress

__all__ = ["check_output", "fail", "parse_date", "progress_bar", "user_errors"]

log = logging.getLogger("transit")


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``message`` to stderr and return the Exit to raise."""
    typer.echo(f"error: {message}" if "\n" not in message else message, err=True)
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
        msg = f"{text!r} is not a date (expected YYYY-MM-DD)"
        raise InputError(msg, column=option) from None


def check_output(*paths: Path | None, force: bool) -> None:
    """Refuse, before any work, outputs that exist (files or non-empty folders) unless ``force``.

    Raises
    ------
    OutputExistsError
        Naming the first output that exists.
    """
    for path in paths:
        if path is not None:
            check_free(path, force=force)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn the package's expected errors (and missing files) into exit code 2.

    Anything else is a bug and keeps its traceback.
    """
    try:
        yield
    except InputError as exc:
        # Input errors already read "FILE:ROW: COLUMN: what is wrong", one per line.
        typer.echo(str(exc), err=True)
        raise typer.Exit(code=2) from None
    except TransitError as exc:
        raise fail(str(exc)) from None
    except FileNotFoundError as exc:
        name = exc.filename or str(exc)
        raise fail(f"{name}: file not found") from None
    except PermissionError as exc:
        raise fail(f"{exc.filename}: permission denied") from None
    except KeyboardInterrupt:
        raise fail("interrupted", code=130) from None


@contextlib.contextmanager
def progress_bar(description: str) -> Iterator[Progress]:
    """Yield a :class:`~transit.util.progress.Progress` that draws on stderr.

    On a terminal it is a rich progress bar; otherwise (CI, pipes) it logs a
    line at most every 10% so logs stay short.
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
                bar.update(task, completed=done, total=max(total, 1e-9), message=message)

            yield update
    else:
        last = [-1]

        def update(done: float, total: float, message: str = "") -> None:
            pct = int(100 * done / total) if total else 100
            if pct // 10 > last[0] or done >= total:
                if pct // 10 == last[0] and done < total:
                    return
                last[0] = pct // 10
                typer.echo(f"{description}: {pct:3d}% {message}".rstrip(), err=True)

        yield update
