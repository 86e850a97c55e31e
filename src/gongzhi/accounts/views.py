from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from gongzhi.access.decorators import staff_view
from gongzhi.access.roles import Role
from gongzhi.access.scopes import ROLE_AREA_KINDS, ROLE_ORG_KINDS, Perm, scope_for
from gongzhi.core.decorators import domain_errors_as_http
from gongzhi.core.errors import DomainError
from gongzhi.core.htmx import render_page
from gongzhi.core.params import id_param
from gongzhi.core.throttle import too_often
from gongzhi.registry import selectors as registry_selectors
from gongzhi.registry.choices import AreaKind, ResidentStatus
from gongzhi.registry.models import Area, Household
from gongzhi.registry.permissions import areas_visible_to, get_visible, organisations_visible_to

from . import privacy, selectors, services, signup
from .backends import lockout_name
from .choices import BindingStatus
from .forms import BindForm, GrantForm, LoginForm, RejectForm, TokenForm
from .models import DataRequest, PhoneCode, User
from .permissions import bindings_to_verify, grantable_roles, grants_visible_to, pending_bindings


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        """A wrong password says how many tries are left before the account is locked on this device."""
        left = attempts_left(self.request, form.data.get("username", ""))
        if left is not None:
            form.add_error(None, ngettext("再错 %(n)s 次将锁定 %(m)s 分钟", "再错 %(n)s 次将锁定 %(m)s 分钟", left) % {
                "n": left, "m": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)})
        return super().form_invalid(form)


def attempts_left(request, username: str) -> int | None:
    """Failures left for this username from this address (django-axes counts them), or None if none failed."""
    ip = getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR", "")
    attempt = AccessAttempt.objects.filter(username=lockout_name(request, {"username": username}),
                                           ip_address=ip).first()
    if attempt is None or not attempt.failures_since_start:
        return None
    return max(settings.AXES_FAILURE_LIMIT - attempt.failures_since_start, 0)


def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes calls this once an account+address pair has failed too often (web and API alike)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "too_many_attempts", "message": _("登录失败次数过多，请15分钟后再试")},
                            status=429)
    return render(request, "accounts/locked_out.html", {}, status=429)


# --- API tokens --------------------------------------------------------------------------------------------


@login_required
@domain_errors_as_http
def tokens(request):
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = services.api_token_issue(user=request.user, name=form.cleaned_data["name"])
        form = TokenForm()
    return render(request, "accounts/tokens.html", {
        "form": form, "new_key": new_key,
        "tokens": selectors.api_tokens_of(request.user), "days": settings.API_TOKEN_DAYS,
    })


@login_required
@domain_errors_as_http
@require_POST
def token_revoke(request, pk):
    token = get_visible(selectors.api_tokens_of(request.user), pk)
    services.api_token_revoke(user=request.user, token=token)
    messages.success(request, _("令牌已撤销"))
    return redirect("accounts:tokens")


# --- household bindings: the worker's side -----------------------------------------------------------------


@staff_view
def binding_queue(request):
    if not scope_for(request.user, Perm.VERIFY_BINDING):
        raise PermissionDenied
    show = request.GET.get("show", "pending")
    qs = pending_bindings(request.user) if show == "pending" else bindings_to_verify(request.user).order_by("-id")
    page = Paginator(qs.prefetch_related("household__residents"), 30).get_page(request.GET.get("page"))
    return render(request, "accounts/binding_queue.html", {"page_obj": page, "show": show,
                                                           "reject_form": RejectForm()})


def _binding_row(request, binding):
    binding = bindings_to_verify(request.user).prefetch_related("household__residents").get(pk=binding.pk)
    return render(request, "accounts/binding_queue.html#row", {"b": binding, "reject_form": RejectForm()})


@staff_view
@require_POST
def binding_verify(request, pk):
    binding = get_visible(bindings_to_verify(request.user), pk)
    resident = None
    if request.POST.get("resident"):
        resident = get_visible(binding.household.residents.filter(status=ResidentStatus.PRESENT),
                               request.POST["resident"])
    try:
        services.binding_verify(actor=request.user, binding=binding, resident=resident, request=request)
    except DomainError as e:
        messages.error(request, e.message)
    if request.htmx:
        return _binding_row(request, binding)
    return redirect("staff:binding_queue")


@staff_view
@require_POST
def binding_reject(request, pk):
    binding = get_visible(bindings_to_verify(request.user), pk)
    form = RejectForm(request.POST)
    try:
        services.binding_reject(actor=request.user, binding=binding,
                                reason=form.data.get("reason", ""), request=request)
    except DomainError as e:
        messages.error(request, e.message)
    if request.htmx:
        return _binding_row(request, binding)
    return redirect("staff:binding_queue")


# --- role grants ---------------------------------------------------------------------------------------------


@staff_view
def grant_list(request):
    scope = scope_for(request.user, Perm.MANAGE_ROLES)
    if not scope:
        raise PermissionDenied
    roles = [(r, Role(r).label) for r in grantable_roles(request.user)]
    form = GrantForm(request.POST or None, roles=roles)
    areas = areas_visible_to(request.user).filter(scope.q(), kind__in=[AreaKind.SUBDISTRICT, AreaKind.COMMUNITY,
                                                                      AreaKind.GRID]).order_by(
        "subdistrict_id", "community_id", "kind", "position")
    orgs = organisations_visible_to(request.user).filter(
        kind__in=sorted({k for kinds in ROLE_ORG_KINDS.values() for k in kinds})).order_by("kind", "name")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        login = data["user"].strip()
        user = User.objects.filter(Q(username=login) | Q(phone=login)).first()
        area = areas.filter(pk=data["area"]).first() if data.get("area") else None
        org = orgs.filter(pk=data["organisation"]).first() if data.get("organisation") else None
        if user is None:
            form.add_error("user", _("没有找到该账号：请居民先注册或由管理员创建账号"))
        else:
            try:
                services.role_grant(actor=request.user, user=user, role=data["role"], area=area, organisation=org,
                                    request=request)
            except DomainError as e:
                form.add_error(None, e.message)
            else:
                messages.success(request, _("已授予 %(user)s “%(role)s”") % {"user": user, "role": Role(data["role"]).label})
                return redirect("staff:grant_list")
    grants = grants_visible_to(request.user).filter(revoked_at__isnull=True).order_by("role", "user__username")
    page = Paginator(grants, 50).get_page(request.GET.get("page"))
    return render_page(request, "accounts/grant_list.html", {
        "form": form, "page_obj": page, "areas": areas, "orgs": orgs,
        "area_roles": {r: sorted(k) for r, k in ROLE_AREA_KINDS.items()},
    }, partial="results")


@staff_view
@require_POST
def grant_revoke(request, pk):
    grant = get_visible(grants_visible_to(request.user).filter(revoked_at__isnull=True), pk)
    try:
        services.role_revoke(actor=request.user, grant=grant, request=request)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("已撤销"))
    return redirect("staff:grant_list")


# --- the resident's side -----------------------------------------------------------------------------------


@login_required
@domain_errors_as_http
def portal_home(request):
    bindings = list(request.user.bindings.filter(status__in=[BindingStatus.VERIFIED, BindingStatus.PENDING])
                    .select_related("household__compound", "household__building", "household__unit"))
    verified = [b for b in bindings if b.status == BindingStatus.VERIFIED]
    partners = []
    if verified:
        compound = Area.objects.get(pk=verified[0].household.compound_id)
        partners = [s for s in registry_selectors.compound_partners(compound) if s.organisations]
    return render(request, "portal/home.html", {"bindings": bindings, "verified": verified, "partners": partners,
                                                "staff_grants": bool(request.user.role_grants.exists())})


@login_required
@domain_errors_as_http
def portal_households(request):
    bindings = (request.user.bindings.exclude(status=BindingStatus.REVOKED)
                .select_related("household__compound", "household__building", "household__unit", "resident")
                .order_by("-id"))
    bindings = list(bindings)
    for b in bindings:
        # only a verified member of the household sees who else lives there
        b.members = (list(b.household.residents.filter(status=ResidentStatus.PRESENT).order_by("id"))
                     if b.status == BindingStatus.VERIFIED else [])
    return render(request, "portal/households.html", {"bindings": bindings})


@login_required
@domain_errors_as_http
@require_POST
def portal_unbind(request, pk):
    binding = get_visible(request.user.bindings.all(), pk)
    try:
        services.binding_revoke(actor=request.user, binding=binding)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("已解除绑定"))
    return redirect("portal:households")


@login_required
@domain_errors_as_http
def portal_bind(request):
    """Find your home step by step — compound, building, unit, room — then say who you are.

    Each step is a plain GET form (works without JavaScript); HTMX swaps only the steps.
    Room numbers are not personal data; names and phones are never shown here.
    """
    q = request.GET.get("q", "").strip()
    chosen = {}
    for key, kind in (("compound", AreaKind.COMPOUND), ("building", AreaKind.BUILDING), ("unit", AreaKind.UNIT)):
        if pk := id_param(request.GET.get(key)):
            area = Area.objects.filter(pk=pk, kind=kind).first()
            parent = chosen.get({"building": "compound", "unit": "building"}.get(key, ""))
            if area and (parent is None or area.parent_id == parent.pk):
                chosen[key] = area
                continue
        break
    context = {"q": q, "chosen": chosen, "form": BindForm(request.POST or None)}
    if "compound" not in chosen:
        if len(q) >= 2:
            context["compounds"] = (Area.objects.filter(kind=AreaKind.COMPOUND, name__contains=q)
                                    .select_related("community").order_by("name")[:20])
    elif "building" not in chosen:
        context["buildings"] = Area.objects.filter(parent=chosen["compound"], kind=AreaKind.BUILDING)
    else:
        home = chosen.get("unit") or chosen["building"]
        if "unit" not in chosen:
            context["units"] = Area.objects.filter(parent=chosen["building"], kind=AreaKind.UNIT)
        context["rooms"] = Household.objects.filter(area=home).order_by("position", "room") if (
            "unit" in chosen or not context.get("units")) else []
    household = None
    if household_id := id_param(request.GET.get("household")):
        household = Household.objects.filter(pk=household_id).select_related(
            "compound", "building", "unit").first()
    context["household"] = household
    if request.method == "POST" and household is not None and context["form"].is_valid():
        try:
            services.binding_request(user=request.user, household=household, **context["form"].cleaned_data)
        except DomainError as e:
            context["form"].add_error(None, e.message)
        else:
            messages.success(request, _("已提交，社区工作人员核对后即可使用。"))
            return redirect("portal:households")
    return render_page(request, "portal/bind.html", context, partial="steps")


@staff_view
@require_POST
def account_password_reset(request, pk):
    """A resident who lost her phone's codes asks at the desk: a temporary password goes to her phone by SMS."""
    if not scope_for(request.user, Perm.VERIFY_BINDING):
        raise PermissionDenied
    # only a resident she may reset is found: any other account, staff or living elsewhere, is as one that does
    # not exist (404), so the page does not tell which account numbers are in use (issue 21)
    user = User.objects.filter(pk=pk).first()
    if user is None or not signup.may_reset(request.user, user):
        raise Http404
    try:
        signup.password_reset_by_staff(actor=request.user, user=user, request=request)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("临时密码已通过短信发给 %(who)s（%(phone)s）") % {
            "who": user, "phone": user.masked_phone})
    back = request.POST.get("next", "")
    return redirect(back if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) else "staff:dashboard")


def _code_step(request, purpose: str, context: dict) -> bool:
    """The "send me a code" button of the register and reset pages: True once a code is on its way. Twenty codes
    an hour from one address at most: each is an SMS someone pays for, to whatever number is typed."""
    if too_often(request, "codes", limit=20, seconds=3600):
        context["errors"] = {"phone": _("获取验证码太频繁，请稍后再试")}
        return False
    try:
        signup.code_send(phone=request.POST.get("phone", ""), purpose=purpose)
    except DomainError as e:
        context["errors"] = {e.field or "phone": e.message}
        return False
    context["sent"] = True
    return True


def register(request):
    """A resident's own account: mobile, SMS code, name, password; then she binds her household."""
    if request.user.is_authenticated:
        return redirect("portal:home")
    context = {"phone": request.POST.get("phone", ""), "name": request.POST.get("name", ""), "errors": {}}
    if request.method == "POST":
        if request.POST.get("step") == "code":
            _code_step(request, PhoneCode.Purpose.REGISTER, context)
        else:
            try:
                user = signup.register(phone=context["phone"], code=request.POST.get("code", ""),
                                       name=context["name"], password=request.POST.get("password", ""))
            except DomainError as e:
                context["errors"] = {e.field or "code": e.message}
                context["sent"] = True
            else:
                login(request, user, backend=settings.AUTHENTICATION_BACKENDS[-1])
                messages.success(request, _("注册成功。请绑定您的房屋，社区核对后即可使用全部服务。"))
                return redirect("portal:bind")
    return render(request, "accounts/register.html", context)


def password_forgotten(request):
    context = {"phone": request.POST.get("phone", ""), "errors": {}}
    if request.method == "POST":
        if request.POST.get("step") == "code":
            _code_step(request, PhoneCode.Purpose.RESET, context)
        else:
            try:
                signup.password_reset(phone=context["phone"], code=request.POST.get("code", ""),
                                      password=request.POST.get("password", ""))
            except DomainError as e:
                context["errors"] = {e.field or "code": e.message}
                context["sent"] = True
            else:
                messages.success(request, _("密码已重新设置，请用新密码登录"))
                return redirect("accounts:login")
    return render(request, "accounts/password_forgotten.html", context)


# --- requests to correct or delete one's data ------------------------------------------------------------


@login_required
@require_POST
def portal_data_request(request):
    try:
        privacy.data_request_file(user=request.user, kind=request.POST.get("kind", ""),
                                  text=request.POST.get("text", ""))
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("申请已提交，社区工作人员会尽快办理并答复您"))
    return redirect("portal:my_data")


@staff_view
def data_requests(request):
    """The requests of the residents whose records she keeps: open first, then those handled."""
    if not scope_for(request.user, Perm.EDIT_RESIDENTS):
        raise PermissionDenied
    qs = privacy.data_requests_for(request.user)
    show = request.GET.get("show", "open")
    if show == "open":
        qs = qs.filter(status=DataRequest.Status.OPEN)
    page = Paginator(qs.select_related("user", "community", "handled_by").order_by("-id"), 30).get_page(
        request.GET.get("page"))
    records = privacy.records_of([r.user for r in page.object_list])  # her ledger records, to correct
    for r in page.object_list:
        r.records = records.get(r.user_id, [])
    return render(request, "accounts/data_requests.html", {"page_obj": page, "show": show})


@staff_view
@require_POST
def data_request_decide(request, pk):
    data_request = get_visible(privacy.data_requests_for(request.user), pk)
    try:
        privacy.data_request_decide(actor=request.user, data_request=data_request,
                                    grant=request.POST.get("grant") == "1", reply=request.POST.get("reply", ""),
                                    request=request)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("已办理"))
    return redirect("staff:data_requests")
