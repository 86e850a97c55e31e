"""Cross-cutting behaviour: the audit trail, health check, large type, language, error pages."""
import pytest
from django.db import DatabaseError, connection, transaction

from gongzhi.core.audit import audit
from gongzhi.core.models import AppendOnlyError, AuditEvent

pytestmark = pytest.mark.django_db


def test_the_audit_trail_cannot_be_rewritten(users):
    event = audit(actor=users("worker"), action=AuditEvent.Action.CHANGE, target=users("worker"), summary="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(summary="y")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET summary = 'forged' WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.summary == "x"


@pytest.mark.postgresql_only
def test_postgresql_refuses_deleting_audit_rows_too(users):
    event = audit(actor=users("worker"), action=AuditEvent.Action.CHANGE, target=users("worker"), summary="x")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])


def test_a_secretary_reads_the_audit_of_her_staff_not_of_others(login, users, world):
    from gongzhi.registry.models import Resident

    mine = Resident.objects.filter(community=world.community).first()
    login("worker").post(f"/staff/residents/{mine.pk}/reveal")
    audit(actor=users("admin"), action=AuditEvent.Action.CHANGE, target=mine, summary="管理员操作")
    page = login("secretary").get("/staff/audit/").content.decode()
    assert "查看个人信息" in page and mine.name in page and "管理员操作" not in page
    assert login("worker").get("/staff/audit/").status_code == 403


def test_health_check(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"ok": True}


def test_large_type_is_remembered_before_and_after_login(client, users):
    response = client.post("/large-text", {"on": "1", "next": "/accounts/login/"})
    assert response.status_code == 302 and response.cookies["gz_large_text"].value == "1"
    assert 'class="large-text"' in client.get("/accounts/login/").content.decode()
    resident = users("resident")
    client.force_login(resident)
    client.post("/large-text", {"on": "1", "next": "/portal/"})
    resident.refresh_from_db()
    assert resident.large_text


def test_large_type_refuses_to_redirect_off_site(client):
    response = client.post("/large-text", {"on": "1", "next": "//evil.example/"})
    assert response["Location"] == "/"


def test_chinese_by_default_english_on_request(client, db):
    assert "登录" in client.get("/accounts/login/").content.decode()
    english = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Log in" in english or "Sign in" in english


def test_not_found_page_is_friendly(login):
    response = login("worker").get("/staff/residents/999999999/")
    assert response.status_code == 404 and "未找到" in response.content.decode()


def test_a_server_error_is_explained_in_chinese_not_django_s_stock_page(rf):
    from django.views.defaults import server_error

    page = server_error(rf.get("/")).content.decode()
    assert "出错了" in page and "可能没有完成" in page and "Server Error" not in page


def _ledger_columns():
    from gongzhi.core.tables import Column

    return (Column("name", "姓名", required=True),)


def test_a_tiny_workbook_claiming_the_whole_sheet_is_refused_before_it_is_read():
    """Issue 21: one cell at XFD1048576 (a 1.7 KB file) made the reader fill 17 billion cells and abort the server."""
    import io

    from openpyxl import Workbook

    from gongzhi.core.errors import InvalidInput
    from gongzhi.core.tables import read_table

    book = Workbook()
    book.active["A1"] = "姓名"
    book.active["A2"] = "王芳"
    book.active["XFD1048576"] = "x"
    out = io.BytesIO()
    book.save(out)
    assert len(out.getvalue()) < 10_000
    with pytest.raises(InvalidInput) as refused:
        read_table(out.getvalue(), "bomb.xlsx", _ledger_columns(), is_header=lambda found: "name" in found,
                   no_header="no header", max_rows=100_000)
    assert refused.value.code == "file_too_large"


def test_a_zip_bomb_of_empty_cells_is_refused_and_a_normal_workbook_is_read():
    import io
    import zipfile

    from openpyxl import Workbook

    from gongzhi.core.errors import InvalidInput
    from gongzhi.core.tables import read_table

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", "<worksheet><sheetData><row>" + "<c/>" * 6_000_000
                   + "</row></sheetData></worksheet>")
    assert len(bomb.getvalue()) < 200_000  # 24 MB of XML in a small file
    with pytest.raises(InvalidInput):
        read_table(bomb.getvalue(), "bomb.xlsx", _ledger_columns(), is_header=lambda found: "name" in found,
                   no_header="no header", max_rows=100_000)
    book = Workbook()
    book.active.append(["姓名"])
    for n in range(500):
        book.active.append([f"居民{n}"])
    out = io.BytesIO()
    book.save(out)
    found, rows = read_table(out.getvalue(), "ok.xlsx", _ledger_columns(), is_header=lambda found: "name" in found,
                             no_header="no header", max_rows=100_000)
    rows = list(rows)
    assert found == {"name": 0} and len(rows) == 500 and rows[0] == (2, ["居民0"])
