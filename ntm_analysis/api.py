"""The few names the analysis notebooks import (as ``statsmodels.api`` does for its users).

Each notebook imports from here only::

    from ntm_analysis.api import gaps, show

- :mod:`quality <ntm_analysis.reports.quality_view>` — notebook 01, the clean stage's outputs;
- :mod:`gaps <ntm_analysis.reports.gap_view>` — notebook 02, the scores;
- :mod:`costs <ntm_analysis.reports.cost_view>` — notebook 03, the cost tables;
- :mod:`schedule <ntm_analysis.reports.schedule_view>` — notebook 04, the schedule and scenarios;
- :func:`show` displays several results of a cell in order; :func:`show_whole_tables` lets pandas show
  every row of a district and every cell in full.

Each view module has a ``load(config, processed_dir, …)`` that reads the chain's outputs for the run's
settings, and functions that take what ``load`` returned and give one table, figure or text to display.
"""

from ntm_analysis.reports import cost_view as costs
from ntm_analysis.reports import gap_view as gaps
from ntm_analysis.reports import quality_view as quality
from ntm_analysis.reports import schedule_view as schedule
from ntm_analysis.reports.notebook_inputs import notebook_settings, show, show_whole_tables

__all__ = ["costs", "gaps", "notebook_settings", "quality", "schedule", "show", "show_whole_tables"]
