"""Security headers and production settings (issue 21): a Content-Security-Policy the pages keep (every script
and style a static file), a Permissions-Policy, X-Forwarded-Proto trusted only behind a proxy, and a clean
`check --deploy` with the production settings."""
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "src" / "gongzhi").glob("**/templates/**/*.html"))


@pytest.mark.parametrize("url", ["/accounts/login/", "/board/", "/api/v1/me", "/healthz"])
def test_every_response_carries_the_policies(client, db, url):
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "camera=()" in response.headers["Permissions-Policy"]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "src" / "gongzhi")))
def test_no_template_holds_inline_code_or_style_the_policy_would_refuse(template):
    text = template.read_text()
    inline_scripts = [m for m in re.findall(r"<script\b[^>]*>", text)
                      if "src=" not in m and "application/json" not in m]
    assert inline_scripts == []
    assert re.findall(r"\sstyle=[\"']", text) == [] and "<style" not in text
    assert re.findall(r"\son[a-z]+=[\"']", text) == []


def test_a_forwarded_proto_header_from_a_client_is_not_believed_by_default(rf, settings):
    assert settings.SECURE_PROXY_SSL_HEADER is None
    assert not rf.get("/", HTTP_X_FORWARDED_PROTO="https").is_secure()


def production(tmp_path, *args, **env) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("BEHIND_PROXY", "DATABASE_URL", "DEBUG")}
    environ.update(DJANGO_SETTINGS_MODULE="gongzhi.settings.prod", SECRET_KEY=secrets.token_urlsafe(60),
                   ALLOWED_HOSTS="gongzhi.example.cn", GONGZHI_VAR_DIR=str(tmp_path), **env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environ, capture_output=True,
                          text=True, timeout=120)


def test_check_deploy_is_clean_with_the_production_settings(tmp_path):
    result = production(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


PRINT_PROXY = ["shell", "--no-imports", "-c", "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)"]


def test_production_trusts_x_forwarded_proto_only_behind_a_proxy(tmp_path):
    assert production(tmp_path, *PRINT_PROXY).stdout.strip() == "None"
    behind = production(tmp_path, *PRINT_PROXY, BEHIND_PROXY="1").stdout.strip()
    assert behind == "('HTTP_X_FORWARDED_PROTO', 'https')"
