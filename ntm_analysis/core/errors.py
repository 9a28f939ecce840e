"""One error hierarchy: what the user can fix (the CLI shows the message and exits 2), and the rest.

:class:`NtmError` is the base of every error the package raises on purpose. :class:`UserError` and its
subclasses are mistakes in the user's input — a file, a setting, a parameter — and carry a message in
Vietnamese and English; anything else reaching the CLI is a bug (exit 1, traceback kept).
"""

from __future__ import annotations

from pathlib import Path


class NtmError(Exception):
    """Base of the errors ntm-analysis raises on purpose."""


class UserError(NtmError, ValueError):
    """Input the user can fix; the message says what and how, in Vietnamese and English.

    A subclass of ``ValueError`` too, so that code written against the standard library's meaning
    ("a value that cannot be used") still catches it.
    """


class InternalError(NtmError, RuntimeError):
    """A check of the package's own results failed (a bug: please report it)."""


class DataFileError(UserError):
    """A data file that cannot be used; the message names the file and lists every fault found in it.

    Attributes
    ----------
    path : Path
        The file.
    faults : list[str]
        One human-readable line per fault.
    """

    what = "data file"

    def __init__(self, path: Path, faults: list[str]) -> None:
        self.path = path
        self.faults = list(faults)
        listing = "\n".join(f"  - {fault}" for fault in self.faults)
        super().__init__(f"{self.what} {path} has {len(self.faults)} problem(s) / "
                         f"tệp có {len(self.faults)} lỗi:\n{listing}")


class DataFileNotFound(UserError, FileNotFoundError):
    """Neither a shipped id nor an existing file; the message lists the shipped ones."""
