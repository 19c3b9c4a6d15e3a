"""Exceptions raised by the package.

Every error the user can cause is one of these. Each subclasses a builtin so
callers that do not know the package can still catch it. The CLI turns them
into one line on stderr and exit code 2.
"""

from __future__ import annotations


class TransitError(Exception):
    """Base class of every error the package raises on purpose."""


class InputError(TransitError, ValueError):
    """Bad input: a file, a row, a column or an option holds a wrong value.

    Parameters
    ----------
    message
        What is wrong, in words a user understands.
    file
        The file concerned, if any.
    row
        The 1-based line number in that file (the header is line 1), if any.
    column
        The column, key or option concerned, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.row = row
        self.column = column
        super().__init__(self.location_prefix() + message)

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword arguments do not survive the default pickling of exceptions.
        return (_rebuild_input_error, (type(self), self.message, self.file, self.row, self.column))

    def location_prefix(self) -> str:
        """Return ``FILE:ROW: COLUMN: `` for the parts that are known."""
        parts = []
        if self.file is not None:
            parts.append(str(self.file) + (f":{self.row}" if self.row is not None else ""))
        elif self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(self.column)
        return "".join(p + ": " for p in parts)


def _rebuild_input_error(
    cls: type[InputError], message: str, file: str | None, row: int | None, column: str | None
) -> InputError:
    return cls(message, file=file, row=row, column=column)


class InputErrors(InputError):
    """Several input problems found in one pass (e.g. every bad row of a file).

    Parameters
    ----------
    problems
        The individual problems, in file order.
    """

    def __init__(self, problems: list[InputError]) -> None:
        if not problems:
            msg = "InputErrors needs at least one problem"
            raise ValueError(msg)
        self.problems = list(problems)
        first = self.problems[0]
        super().__init__(
            first.message, file=first.file, row=first.row, column=first.column
        )
        self.args = ("\n".join(str(p) for p in self.problems),)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    def __reduce__(self) -> tuple[object, ...]:
        # Rebuild from the problems (so the error survives pickling between processes).
        return (type(self), (self.problems,))


class NetworkError(TransitError, ValueError):
    """A road graph cannot be built or loaded (no roads, unknown place, bad file)."""


class SnapError(InputError):
    """A point lies farther from the road graph than the allowed snapping distance."""


class ProblemDataError(TransitError, ValueError):
    """A request, vehicle or problem is inconsistent (raised at construction)."""


class SolverError(TransitError, RuntimeError):
    """The solver failed in a way that is not the user's fault."""


class OutputExistsError(TransitError, FileExistsError):
    """An output already exists and overwriting was not allowed."""
