"""Phasing of money: a village scheduled for year Y spends its cost over Y and the years before.

The rule is data (``phasing``: lag in years → share, e.g. ``{0: "1/2", 1: "1/2"}`` spends half in Y and
half in Y − 1); spending that would fall before the horizon's first year is counted in the first year.
Amounts stay whole đồng: each cost line is split with the largest-remainder rule, so the phased table
adds up, to the đồng, to the cost of the scheduled villages.

``phase_investment`` columns: ``year, source, criterion, commune, amount_vnd`` (int64).
"""

from __future__ import annotations

from fractions import Fraction

import pandas as pd

from ntm_analysis.core.money import allocate, as_fraction

PHASED_COLUMNS = ["year", "source", "criterion", "commune", "amount_vnd"]


def year_shares(phasing: dict[int, object], scheduled: int, years: list[int]) -> dict[int, Fraction]:
    """Share of the cost spent in each year of ``years`` for a village scheduled for ``scheduled``."""
    shares: dict[int, Fraction] = {}
    for lag, share in phasing.items():
        year = max(scheduled - int(lag), years[0])
        shares[year] = shares.get(year, Fraction(0)) + as_fraction(share)
    if sum(shares.values()) != 1:
        raise ValueError(f"phasing shares must add up to 1, got {phasing}")
    return shares


def phase_investment(schedule: pd.DataFrame, cost_lines: pd.DataFrame, phasing: dict[int, object],
                     years: list[int]) -> pd.DataFrame:
    """Year × source × criterion × commune investment for the scheduled villages.

    ``schedule``: ``village_code, commune, year`` (NA = not scheduled). ``cost_lines``: ``village_code,
    criterion, source, amount_vnd`` — the cost of closing each gap, by funding source.
    """
    when = schedule.loc[schedule["year"].notna(), ["village_code", "commune", "year"]]
    lines = cost_lines.merge(when, on="village_code", how="inner")
    rows = []
    for rec in lines.itertuples(index=False):
        shares = year_shares(phasing, int(rec.year), years)
        for year, part in zip(shares, allocate(int(rec.amount_vnd), list(shares.values()))):
            rows.append((year, rec.source, rec.criterion, rec.commune, part))
    phased = pd.DataFrame(rows, columns=PHASED_COLUMNS).astype({"amount_vnd": "int64"})
    return (phased.groupby(PHASED_COLUMNS[:-1], as_index=False)["amount_vnd"].sum()
            .sort_values(PHASED_COLUMNS[:-1], kind="stable").reset_index(drop=True))
