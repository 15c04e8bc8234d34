"""Errors a user can act on: each names the file, the line and the field that were wrong."""

from __future__ import annotations

from pathlib import Path


class InputError(ValueError):
    """Input that is not in the expected format. Raised before anything is stored."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [part for part in (
            self.path,
            f"line {self.line}" if self.line is not None else None,
            f"field {self.field}" if self.field else None,
        ) if part]
        return f"{', '.join(where)}: {self.message}" if where else self.message

    def at(self, path: str | Path) -> InputError:
        """The same error, naming the file it came from."""
        return InputError(self.message, path=path, line=self.line, field=self.field)


class StoreBusyError(RuntimeError):
    """The store file stayed locked by another process for longer than we wait."""


class DamagedFileError(RuntimeError):
    """A file the collection is kept in (the store, the index folder beside it) that cannot
    be read as what it should be. The message says which file and what to do about it: a
    user meeting DuckDB's own exception would not know the file can be restored or rebuilt."""

    def __init__(self, path: str | Path, problem: str, remedy: str) -> None:
        self.path = str(path)
        self.problem = problem
        self.remedy = remedy
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}. {self.remedy}"
