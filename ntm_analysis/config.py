"""Project and package paths. No side effects: importing this module reads and writes nothing."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent

DATA_DIR = PROJECT_DIR / "data"
RAW_DIR = DATA_DIR / "raw"
PROCESSED_DIR = DATA_DIR / "processed"
REPORTS_DIR = PROJECT_DIR / "reports"
NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"

REFERENCE_DIR = PACKAGE_DIR / "reference" / "data"
CRITERIA_DIR = REFERENCE_DIR / "criteria"
MESSAGES_DIR = REFERENCE_DIR / "messages"
STYLE_FILE = PACKAGE_DIR / "figures" / "ntm.mplstyle"

SAMPLE_SETTINGS = REFERENCE_DIR / "sample-settings.yaml"
KERNEL_NAME = "ntm-analysis"
