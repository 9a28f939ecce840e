"""Criteria sets: versioned YAML data (criteria → indicators → thresholds per village group) and their loader."""

from ntm_analysis.criteria.loader import (
    VOCABULARY,
    CriteriaFileError,
    CriteriaSet,
    Criterion,
    Group,
    Indicator,
    available_criteria_sets,
    load_criteria_set,
)

__all__ = [
    "VOCABULARY",
    "CriteriaFileError",
    "CriteriaSet",
    "Criterion",
    "Group",
    "Indicator",
    "available_criteria_sets",
    "load_criteria_set",
]
