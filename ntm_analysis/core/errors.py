"""The error every versioned data file (criteria sets, cost rules, action catalogues) raises when unusable."""

from __future__ import annotations

from pathlib import Path


class DataFileError(ValueError):
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
        super().__init__(f"{self.what} {path} has {len(self.faults)} problem(s):\n{listing}")
