"""The shell's own pages: where a signed-in user lands, the staff dashboard, the audit log."""
import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from gongzhi.access.decorators import staff_view
from gongzhi.access.roles import Role
from gongzhi.access.scopes import Perm, active_grants, is_staff_user, scope_for
from gongzhi.accounts.models import DataRequest
from gongzhi.accounts.permissions import pending_bindings
from gongzhi.accounts.privacy import RETENTION
from gongzhi.accounts.selectors import staff_of
from gongzhi.appeals.selectors import todo
from gongzhi.core.models import AuditEvent
from gongzhi.registry.models import Area, LedgerImport
from gongzhi.registry.permissions import households_visible_to, residents_visible_to, sees_residents
from gongzhi.registry.selectors import elderly_cutoff

from . import mydata


def home(request):
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if {g.role for g in active_grants(request.user)} == {Role.VOLUNTEER}:  # her day is on her phone
        return redirect("portal:volunteer_home")
    return redirect("staff:dashboard" if is_staff_user(request.user) else "portal:home")


@staff_view
def dashboard(request):
    user = request.user
    context = {"grants": active_grants(user), "todo": todo(user)}
    if sees_residents(user):
        residents = residents_visible_to(user).filter(status="present")
        care = scope_for(user, Perm.VIEW_CARE_DATA)
        context["figures"] = {
            "households": households_visible_to(user).count(),
            "residents": residents.count(),
            "elderly_alone": residents.filter(care.q(), lives_alone=True, birth_date__lte=elderly_cutoff()).count()
            if care else None,
        }
    if scope_for(user, Perm.VERIFY_BINDING):
        context["pending_bindings"] = pending_bindings(user).count()
    if scope_for(user, Perm.IMPORT_LEDGER):
        context["imports"] = LedgerImport.objects.filter(uploaded_by=user)[:5]
    return render(request, "staff/dashboard.html", context)


@staff_view
def audit_log(request):
    """Who accessed or changed what. A secretary sees what the staff of her area did; an admin everything."""
    scope = scope_for(request.user, Perm.VIEW_AUDIT)
    if not scope:
        raise PermissionDenied
    events = AuditEvent.objects.select_related("actor").order_by("-at", "-id")
    if not scope.everywhere:
        events = events.filter(actor_id__in=staff_of(areas=Area.objects.filter(scope.q())).values("user_id"))
    action = request.GET.get("action", "")
    if action in AuditEvent.Action.values:
        events = events.filter(action=action)
    if who := request.GET.get("actor", "").strip():
        events = events.filter(Q(actor__username=who) | Q(actor__display_name__contains=who))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "staff/audit_log.html", {
        "page_obj": page, "actions": AuditEvent.Action.choices, "action": action, "actor": who,
    })




# --- her own data (个人信息保护法 art. 45) -------------------------------------------------------------


@login_required
def my_data(request):
    """What the system holds about her, who viewed or exported it, and her requests to correct or delete it."""
    return render(request, "portal/my_data.html", {"data": mydata.my_data(request.user), "retention": RETENTION,
                                                   "kinds": DataRequest.Kind.choices})


@login_required
def my_data_download(request):
    """All of it as one JSON file she keeps."""
    body = json.dumps(mydata.as_download(mydata.my_data(request.user)), cls=DjangoJSONEncoder, ensure_ascii=False,
                      indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, f"{_('我的个人信息')}-{timezone.localdate().isoformat()}.json")
    response["Cache-Control"] = "no-store"
    return response
