"""``ntm init DIR``: a new work folder for a district or commune — settings, a plan to fill in, folders,
the commune list to edit and the blank input template."""

from __future__ import annotations

import shutil
from pathlib import Path

from ntm_analysis.config import REFERENCE_DIR
from ntm_analysis.core.errors import UserError
from ntm_analysis.core.storage import write_text
from ntm_analysis.core.vietnamese import slugify
from ntm_analysis.raw.template import write_template
from ntm_analysis.settings import load_settings

TEMPLATES = REFERENCE_DIR / "init"
COMMUNES = REFERENCE_DIR / "ia-grai-2025-communes.csv"


def init_work_folder(folder: Path, name: str = "") -> list[Path]:
    """Write a work folder into ``folder`` (which must be new or empty); return the files written.

    ``ntm-settings.yaml`` (every key commented in Vietnamese and English), ``plan.yaml`` (to fill in),
    ``communes.csv`` (the post-reform commune list of the bundled example, to replace), the folders
    ``data/raw``, ``data/processed``, ``reports`` and ``mau-nhap-lieu-ntm.xlsx`` (the blank template).

    Raises
    ------
    UserError
        ``folder`` exists and is not empty (nothing of the user's is overwritten).
    """
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UserError(f"{folder}: thư mục đã có tệp; chọn thư mục mới / the folder is not empty: choose a new one")
    name = name or folder.resolve().name
    settings_path = folder / "ntm-settings.yaml"
    written = [
        write_text(_filled("ntm-settings.yaml", name=name, config=settings_path), settings_path),
        write_text(_filled("plan.yaml", name=name, id=slugify(name) or "plan"), folder / "plan.yaml"),
    ]
    shutil.copyfile(COMMUNES, folder / "communes.csv")
    written.append(folder / "communes.csv")
    for sub in ("data/raw", "data/processed", "reports"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    settings = load_settings(settings_path)  # the files just written must load: the first check of the folder
    written.append(write_template(folder / "mau-nhap-lieu-ntm.xlsx", settings.criteria_set, settings.plan_data))
    return written


def _filled(template: str, **values: object) -> str:
    return (TEMPLATES / template).read_text(encoding="utf-8").format(**values)
