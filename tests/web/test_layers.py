"""make lint keeps the apps in layers: a copy of the source with one forbidden import fails its contract."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).parent / "lint-imports"


def lint(src: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--config", str(ROOT / "pyproject.toml"), "--no-cache"], cwd=src,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    copy = tmp_path_factory.mktemp("src") / "gongzhi"
    shutil.copytree(ROOT / "src" / "gongzhi", copy, ignore=shutil.ignore_patterns("__pycache__", "locale", "static"))
    return copy


def test_the_source_keeps_every_contract(source):
    result = lint(source.parent)
    assert result.returncode == 0 and "0 broken" in result.stdout, result.stdout


@pytest.mark.parametrize(("module", "line", "contract"), [
    ("core/views.py", "from gongzhi.appeals import models", "Apps form layers"),  # core imports no app
    ("registry/services.py", "from gongzhi.accounts import models", "Apps form layers"),  # registry below accounts
    ("appeals/services/closing.py", "from gongzhi.triage import services", "Apps form layers"),  # the old cycle
    ("notifications/services.py", "from gongzhi.appeals import notify", "Apps form layers"),
    ("access/scopes.py", "from gongzhi.registry.models import OrganisationArea", "Apps form layers"),
    ("settings/base.py", "import gongzhi.core.errors", "Settings, Celery and the test cluster import no app"),
])
def test_a_forbidden_import_breaks_its_contract(source, module, line, contract):
    path = source / module
    original = path.read_text()
    # inside a function, as the old cycles were dodged: still an import, still refused
    path.write_text(original + f"\n\ndef _dodge():\n    {line}\n")
    try:
        result = lint(source.parent)
    finally:
        path.write_text(original)
    assert result.returncode != 0
    assert f"{contract}" in result.stdout and "BROKEN" in result.stdout
