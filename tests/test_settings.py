"""The settings file: every input and output named once, validated, overridable, saved for the run."""

from pathlib import Path

import pytest

from ntm_analysis.config import PROJECT_DIR
from ntm_analysis.settings import SettingsFileError, load_settings, save_run_settings

KEYS = """raw: in
processed: out
reports: rep
criteria: gia-lai-village-2022
plan: my-plan.yaml
cost_rules: ia-grai-2021-2025
actions: ia-grai-2021-2025
schedule_rules: ia-grai-2021-2025
admin_units: lists/communes.csv
language: en
policy: exclude
baseline_year: 2024
"""


def test_the_bundled_sample_settings_point_into_the_project():
    settings = load_settings(None)
    assert settings.raw == PROJECT_DIR / "data" / "raw" and settings.processed == PROJECT_DIR / "data" / "processed"
    assert settings.criteria_set.id == "gia-lai-village-2019" and settings.plan_data["id"] == "ia-grai-2021-2025"
    assert settings.cost_rules_data.criteria.id == settings.criteria_set.id
    assert settings.language == "vi" and settings.policy == "missing_fails" and settings.baseline_year is None


def test_a_user_file_reads_paths_from_its_own_folder(tmp_path):
    (tmp_path / "ntm-settings.yaml").write_text(KEYS, encoding="utf-8")
    settings = load_settings(tmp_path / "ntm-settings.yaml")
    assert settings.raw == tmp_path / "in" and settings.reports == tmp_path / "rep"
    assert settings.plan == str(tmp_path / "my-plan.yaml")  # a path
    assert settings.admin_units == str(tmp_path / "lists" / "communes.csv")
    assert settings.criteria == "gia-lai-village-2022"  # a shipped id stays an id
    assert (settings.language, settings.policy, settings.baseline_year) == ("en", "exclude", 2024)


def test_every_fault_of_a_settings_file_is_listed_at_once(tmp_path):
    bad = tmp_path / "s.yaml"
    bad.write_text(KEYS.replace("language: en", "language: fr").replace("policy: exclude", "polcy: exclude")
                   .replace("raw: in\n", "") + "baseline_year: soon\n", encoding="utf-8")
    with pytest.raises(SettingsFileError) as caught:
        load_settings(bad)
    message = str(caught.value)
    for fault in ["language", "'fr'", "polcy", "missing key 'raw'", "baseline_year"]:
        assert fault in message
    assert "s.yaml" in message


def test_flags_override_single_keys_and_none_keeps_the_file(tmp_path):
    settings = load_settings(None)
    other = settings.with_overrides(processed=tmp_path, policy=None, language="en")
    assert other.processed == tmp_path and other.policy == settings.policy and other.language == "en"
    with pytest.raises(SettingsFileError, match="policy"):
        settings.with_overrides(policy="sometimes")


def test_the_saved_run_settings_read_back_the_same(tmp_path):
    settings = load_settings(None).with_overrides(processed=tmp_path, cost_rules=str(tmp_path / "costs.yaml"))
    again = load_settings(save_run_settings(settings))
    assert again == settings
    assert Path(again.cost_rules).is_absolute()
