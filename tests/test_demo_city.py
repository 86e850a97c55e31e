"""`manage.py demo_city`, as `make demo` runs it: deterministic, idempotent, with every role's account."""
import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def build(var: Path, *args: str) -> str:
    env = dict(os.environ, GONGZHI_VAR_DIR=str(var), DJANGO_SETTINGS_MODULE="gongzhi.settings.dev")
    env.pop("DATABASE_URL", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
    return subprocess.run([*manage, "demo_city", "--no-model", *args], env=env, check=True, cwd=ROOT, capture_output=True,
                          text=True).stdout


def fingerprint(var: Path) -> str:
    db = sqlite3.connect(var / "gongzhi.sqlite3")
    digest = hashlib.sha256()
    for table, columns in [("registry_area", "kind, name, parent_id, grid_id"),
                           ("registry_household", "area_id, room"),
                           ("registry_resident", "household_id, name, id_number, phone, birth_date, tenure, "
                                                 "lives_alone"),
                           ("registry_exclusivepart", "household_id, kind, number, measured_area, owner_id, "
                                                      "developer_held"),
                           ("registry_organisation", "kind, name, home_area_id")]:
        for row in db.execute(f"SELECT {columns} FROM {table} ORDER BY id"):
            digest.update(repr(row).encode())
    return digest.hexdigest()


def test_the_demo_city_is_the_same_every_time_and_prints_its_accounts(tmp_path):
    first = build(tmp_path / "a", "--scale", "1200")
    second = build(tmp_path / "b", "--scale", "1200")
    assert fingerprint(tmp_path / "a") == fingerprint(tmp_path / "b")
    for username in ["admin", "operator", "subdistrict", "district", "secretary", "worker", "gridworker", "property", "owners",
                     "department", "volunteer", "resident", "newcomer"]:
        assert f"  {username} " in first
    assert "gongzhi-demo" in first and first.count("\n") == second.count("\n")


def test_running_it_again_keeps_the_data_and_prints_the_accounts(tmp_path):
    build(tmp_path, "--scale", "600")
    before = fingerprint(tmp_path)
    again = build(tmp_path, "--scale", "600")
    assert "已存在" in again and "  worker " in again
    assert fingerprint(tmp_path) == before
