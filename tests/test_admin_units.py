"""Administrative units: the commune list, name matching keys, the plan's categories."""

import pytest

from ntm_analysis.reference.admin_units import commune_lookup, load_admin_units
from ntm_analysis.reference.plan import category_lookup, load_plan
from ntm_analysis.core.vietnamese import fold


def test_default_list_is_ia_grai():
    admin = load_admin_units("ia-grai-communes")
    assert len(admin) == 13
    assert admin.set_index("commune").loc["Ia Krái", "commune_code"] == "23776"
    assert sorted(admin.loc[admin["border"], "commune"]) == ["Ia Chía", "Ia O"]


def test_lookup_by_variant_code_and_prefix():
    lookup = commune_lookup(load_admin_units("ia-grai-communes"))
    assert lookup[fold("IA KRAI")] == lookup["23776"] == lookup[fold("Xã Ia Krái")] == "Ia Krái"
    assert lookup[fold("Thị trấn Ia Kha")] == "Ia Kha"


def test_own_list_without_district(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("province,district,commune_code,commune,commune_type,border\n"
                    "Gia Lai,,99999,Ia Mới,xã,false\n", encoding="utf-8")
    admin = load_admin_units(path)
    assert admin.loc[0, "district"] == "" and admin.loc[0, "commune"] == "Ia Mới"


def test_own_list_missing_columns_is_named(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("name\nIa O\n", encoding="utf-8")
    with pytest.raises(ValueError, match="border, commune"):
        load_admin_units(path)


def test_plan_targets_and_categories():
    plan = load_plan("ia-grai-2021-2025")
    assert plan["targets"]["villages_total"] == 30
    assert sum(plan["targets"]["by_category"].values()) == 30
    lookup = category_lookup(plan)
    assert lookup[fold("Gắn với xã NTM")] == "commune_linked" and lookup[fold("khac")] == "other"
