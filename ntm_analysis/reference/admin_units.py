"""Administrative units (province → optional district → commune), matching commune names to them, and
the mapping from communes before a reform to the communes after it.

A commune list is a CSV (``ADMIN_COLUMNS``; ``district`` may be empty: since 1/7/2025 Vietnam has no
district level), shipped (``<id>.csv`` in the reference data, e.g. ``ia-grai-communes``) or the user's own.
An optional ``group`` column gives each commune's threshold group, for a criteria set with
``group_from: commune`` (e.g. the 2026–2030 commune groups 1, 2, 3); it is kept when present.
A commune map (``COMMUNE_MAP_COLUMNS``) says which new commune each old one became.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ntm_analysis.config import REFERENCE_DIR
from ntm_analysis.core.errors import DataFileError
from ntm_analysis.core.i18n import message
from ntm_analysis.core.vietnamese import clean_text, fold
from ntm_analysis.core.yaml_files import resolve_data_file

ADMIN_COLUMNS = ["province", "district", "commune_code", "commune", "commune_type", "border"]
ADMIN_OPTIONAL = ["group"]  # kept when the file has it
AREA_LEVELS = ("province", "district", "commune", "area")
COMMUNE_MAP_COLUMNS = ["old_code", "old_name", "new_code", "new_name", "effective", "source"]


class AdminFileError(DataFileError):
    """A commune list or commune map that cannot be used; lists every fault."""

    what = "commune list / danh mục xã"


def available_commune_lists() -> list[str]:
    """Ids of the commune lists shipped with the package."""
    return sorted(p.stem for p in REFERENCE_DIR.glob("*-communes*.csv"))


def load_admin_units(name_or_path: str | Path) -> pd.DataFrame:
    """Read a commune list (columns ``ADMIN_COLUMNS``, and ``group`` when the file has it), shipped by id or
    the user's own CSV by path."""
    path = resolve_data_file(name_or_path, lambda name: REFERENCE_DIR / f"{name}.csv", available_commune_lists(),
                             "danh mục xã / commune list")
    table = _read_csv(path)
    missing = {"commune", "border"} - set(table.columns)
    if missing:
        raise AdminFileError(path, [f"lacks column(s) {', '.join(sorted(missing))}; a commune list has "
                                    f"{', '.join(ADMIN_COLUMNS)}"])
    optional = [column for column in ADMIN_OPTIONAL if column in table.columns]
    table = table.reindex(columns=ADMIN_COLUMNS + optional, fill_value="")
    text = ["province", "district", "commune_code", "commune", "commune_type", *optional]
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


def commune_renames(commune_map: pd.DataFrame | None, admin: pd.DataFrame) -> dict[str, str]:
    """Folded old commune name (with or without "xã" / "thị trấn") and old code -> the official name of the
    commune it became, for the old communes the commune list no longer has; empty without a map."""
    if commune_map is None:
        return {}
    current = commune_lookup(admin)
    renames = {}
    for row in commune_map.itertuples():
        new = current.get(fold(row.new_name)) or current.get(str(row.new_code)) or current.get(
            fold(row.new_name).removeprefix("xa ").removeprefix("phuong ").removeprefix("thi tran "))
        if new is None:
            continue  # a new commune outside this commune list: its old communes stay unknown, and are reported
        old = fold(row.old_name)
        bare = old.removeprefix("xa ").removeprefix("thi tran ").removeprefix("phuong ")
        for key in (old, bare, f"xa {bare}", f"thi tran {bare}", f"tt {bare}", str(row.old_code)):
            if key and key not in current:
                renames[key] = new
    return renames


def available_commune_maps() -> list[str]:
    """Ids of the commune maps shipped with the package (``commune-map-<id>.csv``)."""
    return sorted(p.stem.removeprefix("commune-map-") for p in REFERENCE_DIR.glob("commune-map-*.csv"))


def load_commune_map(name_or_path: str | Path) -> pd.DataFrame:
    """Read a commune map (``COMMUNE_MAP_COLUMNS``: one row per old commune), shipped by id or by path.

    Raises
    ------
    AdminFileError
        A missing column, an old commune given twice or mapped to nothing.
    """
    path = resolve_data_file(name_or_path, lambda name: REFERENCE_DIR / f"commune-map-{name}.csv",
                             available_commune_maps(), "bảng chuyển đổi xã / commune map")
    table = _read_csv(path)
    faults = [f"lacks column {c!r}" for c in COMMUNE_MAP_COLUMNS[:4] if c not in table.columns]
    if faults:
        raise AdminFileError(path, faults)
    table = table.reindex(columns=COMMUNE_MAP_COLUMNS, fill_value="").map(clean_text)
    faults += [f"row {i + 2}: old commune {name!r} has no new commune" for i, name in
               enumerate(table["old_name"]) if not table.at[i, "new_name"]]
    twice = table["old_name"].map(fold).duplicated(keep=False)
    faults += [f"old commune {name!r} is mapped more than once" for name in table.loc[twice, "old_name"].unique()]
    if faults:
        raise AdminFileError(path, faults)
    return table


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, OSError) as exc:
        raise AdminFileError(path, [f"not a readable UTF-8 CSV file ({type(exc).__name__}: {exc})"]) from exc


def area_level(plan: dict, villages: pd.DataFrame) -> str:
    """What the whole of a run is called: the plan's ``unit_level`` when it gives one; else a district when
    the villages have one (before 1/7/2025), else a plain "area" (``AREA_LEVELS``)."""
    if plan.get("unit_level"):
        return str(plan["unit_level"])
    districts = villages["district"] if "district" in villages else pd.Series(dtype="string")
    return "district" if districts.fillna("").astype(str).str.strip().ne("").any() else "area"


def area_words(level: str, lang: str) -> dict[str, str]:
    """The words for the whole of an area of ``level`` in ``lang``, for message placeholders: ``whole``
    ("toàn huyện"), ``Whole`` ("Toàn huyện"), ``WHOLE`` ("TOÀN HUYỆN")."""
    whole = message(f"area.{level}.whole", lang)
    return {"whole": whole, "Whole": whole[:1].upper() + whole[1:], "WHOLE": whole.upper()}
