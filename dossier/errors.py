"""Bad input is reported as a list of problems, each naming where it is.

Every loader collects all the problems it finds (not only the first) and raises one
`InputError`; the CLI prints them and exits with status 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, and where: file, row (as the spreadsheet numbers it),
    column (or a field path in a YAML file)."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None

    def location(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"dòng {self.row}")  # row
        if self.column:
            parts.append(f"cột {self.column}" if self.row is not None else self.column)
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.location()}: {self.message}"


class InputError(Exception):
    """Bad input: one or more problems. Exit status 2."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    @classmethod
    def single(cls, file: str | Path, message: str, **where: object) -> InputError:
        return cls([Problem(str(file), message, **where)])  # type: ignore[arg-type]


class ToolError(Exception):
    """A tool we depend on (LibreOffice) failed. Exit status 1 for build."""


class OutputError(Exception):
    """The output folder cannot be written: read-only, disk full, not a dossier output, or
    another build is writing it. The previous output is left as it was. Exit status 2."""
