"""Every user-facing string has an English translation, and the catalogue matches the source."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from tests.conftest import require_component

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "src/gongzhi/locale/en/LC_MESSAGES/django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def test_every_entry_is_translated_with_the_same_placeholders():
    po = polib.pofile(str(PO))
    assert len(po) > 300
    problems = []
    for entry in po:
        if entry.obsolete:
            continue
        if entry.fuzzy or not entry.translated():
            problems.append(f"untranslated: {entry.msgid}")
            continue
        wanted = sorted(PLACEHOLDER.findall(entry.msgid))
        outs = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for out in outs:
            if sorted(set(PLACEHOLDER.findall(out))) != sorted(set(wanted)):
                problems.append(f"placeholders differ: {entry.msgid} → {out}")
    assert problems == []


def test_the_catalogue_covers_every_string_in_the_source(tmp_path):
    require_component(shutil.which("xgettext") is not None, "gettext (apt-get install gettext)")
    backup = tmp_path / "django.po"
    shutil.copy(PO, backup)
    try:
        subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "en", "--no-location", "--no-obsolete",
                        "-i", ".venv/*", "-i", "var/*", "-i", "tests/*", "-i", "bench/*"],
                       cwd=ROOT, check=True, capture_output=True)
        current = {(e.msgid, e.msgid_plural) for e in polib.pofile(str(PO)) if not e.obsolete}
    finally:
        shutil.copy(backup, PO)
    translated = {(e.msgid, e.msgid_plural) for e in polib.pofile(str(PO)) if e.translated() and not e.fuzzy}
    missing = sorted(m for m, _p in current - translated)
    assert missing == [], "run `make messages` and translate these"


@pytest.mark.django_db
def test_pages_switch_language(client):
    english = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="en"' in english and "登录共治" not in english
