"""URL map. Pages are grouped by who uses them (staff/, portal/), not by app; the API lives under api/v1/."""

from django.contrib import admin
from django.urls import include, path

from gongzhi.accounts import urls as accounts_urls
from gongzhi.appeals import urls as appeals_urls
from gongzhi.care import urls as care_urls
from gongzhi.core import views as core_views
from gongzhi.deliberation import urls as deliberation_urls
from gongzhi.notifications import urls as notifications_urls
from gongzhi.registry import urls as registry_urls
from gongzhi.triage import urls as triage_urls
from gongzhi.volunteers import urls as volunteers_urls
from gongzhi.web import views as web_views

from .api import api

staff_patterns = [
    path("", web_views.dashboard, name="dashboard"),
    path("audit/", web_views.audit_log, name="audit_log"),
    *registry_urls.staff,
    *accounts_urls.staff,
    *appeals_urls.staff,
    *deliberation_urls.staff,
    *volunteers_urls.staff,
    *care_urls.staff,
    *triage_urls.staff,
    *notifications_urls.staff,
]
portal_patterns = [
    *accounts_urls.portal,
    *appeals_urls.portal,
    *deliberation_urls.portal_patterns,
    *volunteers_urls.portal_patterns,
    *care_urls.portal_patterns,
    *notifications_urls.portal,
    path("settings/", core_views.portal_settings, name="settings"),
    path("my-data/", web_views.my_data, name="my_data"),
    path("my-data/download", web_views.my_data_download, name="my_data_download"),
]

urlpatterns = [
    path("", web_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    *appeals_urls.public,
    *deliberation_urls.public,
    path("large-text", core_views.large_text, name="large_text"),
    path("staff/", include((staff_patterns, "staff"))),
    path("portal/", include((portal_patterns, "portal"))),
    path("accounts/", include(accounts_urls)),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

handler400 = "gongzhi.core.views.bad_request"
handler403 = "gongzhi.core.views.forbidden"
handler404 = "gongzhi.core.views.not_found"
