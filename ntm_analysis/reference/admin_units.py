"""Administrative units (province → optional district → commune) and matching commune names to them."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd
import yaml

from ntm_analysis.config import DEFAULT_ADMIN_UNITS, REFERENCE_DIR
from ntm_analysis.core.vietnamese import clean_text, fold

ADMIN_COLUMNS = ["province", "district", "commune_code", "commune", "commune_type", "border"]


def load_admin_units(path: Path | None = None) -> pd.DataFrame:
    """Read the commune list (columns ``province, district, commune_code, commune, commune_type, border``).

    ``district`` may be empty: since 1/7/2025 Vietnam has no district level.
    """
    table = pd.read_csv(path or DEFAULT_ADMIN_UNITS, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = {"commune", "border"} - set(table.columns)
    if missing:
        raise ValueError(f"{path}: the administrative-unit file lacks column(s) {', '.join(sorted(missing))}")
    table = table.reindex(columns=ADMIN_COLUMNS, fill_value="")
    text = ["province", "district", "commune_code", "commune", "commune_type"]
    table[text] = table[text].map(clean_text)
    table["border"] = table["border"].str.strip().str.lower().isin(["true", "1", "yes", "có", "x"])
    return table


def commune_lookup(admin: pd.DataFrame) -> dict[str, str]:
    """Folded commune name (and code) -> official name; "Ia Krai", "IA KRÁI" and "23776" -> "Ia Krái"."""
    lookup = {fold(name): name for name in admin["commune"]}
    lookup.update({code: name for code, name in zip(admin["commune_code"], admin["commune"]) if code})
    for prefix in ("xa ", "thi tran ", "tt "):  # "Xã Ia O", "Thị trấn Ia Kha"
        lookup.update({prefix + key: name for key, name in list(lookup.items()) if not key.isdigit()})
    return lookup


@cache
def plan_definition(plan_id: str = "ia-grai-2021-2025") -> dict:
    """The district plan's targets and categories, from ``reference/plan-<id>.yaml``."""
    with open(REFERENCE_DIR / f"plan-{plan_id}.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def category_lookup(plan: dict) -> dict[str, str]:
    """Folded category names and aliases -> category id (commune_linked / border / other)."""
    lookup = {}
    for cat in plan["categories"]:
        for alias in [cat["id"], cat["name_vi"], cat["name_en"], *cat["aliases"]]:
            lookup[fold(alias).replace("_", " ")] = cat["id"]
    return lookup
