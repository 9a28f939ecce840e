"""Figures. ``plot_*`` draw on one axes and return it; ``*_figure`` own a figure. No file writing here
except in :func:`save_figure`, and no ``plt.show()``."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # figures are files or notebook outputs; never a window

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from ntm_analysis.config import PACKAGE_DIR  # noqa: E402
from ntm_analysis.storage import atomic_path  # noqa: E402

STYLE = PACKAGE_DIR / "ntm.mplstyle"
SEVERITY_COLOURS = {"error": "#c0392b", "warning": "#e6a700"}
LABELS = {
    "problems_title": {"vi": "Vấn đề số liệu theo loại", "en": "Data problems by kind"},
    "problems_axis": {"vi": "Số vấn đề", "en": "Number of problems"},
    "synthetic": {"vi": "DỮ LIỆU GIẢ LẬP", "en": "SYNTHETIC DATA"},
}


def label(key: str, lang: str = "vi") -> str:
    """A figure label in Vietnamese (default) or English."""
    return LABELS[key][lang]


def plot_problem_counts(problems: pd.DataFrame, *, ax: Axes | None = None, lang: str = "vi") -> Axes:
    """Horizontal bars: problems per kind (the message in ``lang``), coloured by severity.

    ``problems`` is the quality log's problem table (columns ``code, severity, problem_vi, problem_en``).
    """
    with plt.style.context(STYLE):
        ax = ax or plt.subplots()[1]
        counts = (problems.groupby(["code", "severity"]).size().rename("n").reset_index()
                  .sort_values("n", kind="stable"))
        ax.barh(counts["code"], counts["n"], color=counts["severity"].map(SEVERITY_COLOURS))
        ax.set_title(label("problems_title", lang))
        ax.set_xlabel(label("problems_axis", lang))
    return ax


def problems_figure(problems: pd.DataFrame, *, lang: str = "vi", synthetic: bool = False) -> Figure:
    """The problem-count chart as its own figure, with the synthetic-data mark when it applies."""
    with plt.style.context(STYLE):
        fig, ax = plt.subplots()
        plot_problem_counts(problems, ax=ax, lang=lang)
        if synthetic:
            mark_synthetic(fig, lang)
    return fig


def mark_synthetic(fig: Figure, lang: str = "vi") -> None:
    """Stamp a figure visibly as made from synthetic data."""
    fig.text(0.99, 0.01, label("synthetic", lang), ha="right", va="bottom", color="#c0392b",
             fontsize=9, fontweight="bold", alpha=0.8)


def save_figure(fig: Figure, path: Path) -> Path:
    """Write ``fig`` as PNG, atomically; no timestamp in the metadata, so the bytes are stable."""
    with atomic_path(Path(path)) as tmp:
        fig.savefig(tmp, format="png", metadata={"Software": None})
    return Path(path)
