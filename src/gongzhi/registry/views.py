"""Staff registry pages. Thin: read through selectors, write through services, permission via permissions."""


from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.access.decorators import staff_view
from gongzhi.access.scopes import Perm, scope_for
from gongzhi.core import background
from gongzhi.core.audit import Action, audit
from gongzhi.core.background import hand_to_worker
from gongzhi.core.downloads import xlsx_response
from gongzhi.core.errors import DomainError
from gongzhi.core.htmx import render_page
from gongzhi.core.tables import errors_workbook

from . import selectors, services
from .choices import AreaKind, OrgKind, PartnerRole
from .filters import ResidentFilter
from .forms import (
    AreaForm,
    HouseholdForm,
    LedgerUploadForm,
    MemberForm,
    OrganisationForm,
    PartForm,
    ResidentForm,
    ServeForm,
)
from .ledger import HEADERS, ledger_export, ledger_import_redo, ledger_import_start
from .models import Area, ExclusivePart, LedgerFile, LedgerImport, OrganisationArea
from .permissions import (
    areas_visible_to,
    can,
    can_manage_organisation,
    get_visible,
    personal_data,
    require,
    residents_visible_to,
    sees_residents,
)
from .tasks import process_ledger_import

PAGE_SIZE = 50


def _form_error(form, error: DomainError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


# --- areas -----------------------------------------------------------------------------------------------


@staff_view
def area_index(request):
    require(request.user, Perm.VIEW_AREAS)
    roots = list(selectors.area_roots(viewer=request.user))
    if len(roots) == 1:
        return redirect("staff:area_detail", pk=roots[0].pk)
    return render(request, "registry/area_index.html", {"roots": roots})


@staff_view
def area_detail(request, pk):
    area = selectors.area_detail(viewer=request.user, pk=pk)
    children = list(selectors.area_children(viewer=request.user, area=area))
    user = request.user
    context = {
        "area": area,
        "ancestors": selectors.area_ancestors(area),
        "children": children,
        "can_view_residents": can(user, Perm.VIEW_RESIDENTS, area),
        "can_manage": can(user, Perm.MANAGE_AREAS, area),
        "can_add_household": area.kind in (AreaKind.UNIT, AreaKind.BUILDING) and can(user, Perm.EDIT_RESIDENTS, area),
        "can_export": can(user, Perm.EXPORT_LEDGER, area),
        "serving": selectors.partners_here(area),
        "child_kind": _child_kind(area),
    }
    if context["can_view_residents"]:
        context["figures"] = selectors.area_figures(viewer=user, area=area)
        context["counts"] = selectors.child_counts(viewer=user, children=children)
        for child in children:
            child.figures = context["counts"][child.pk]
    if area.kind == AreaKind.COMPOUND:
        context["partners"] = selectors.compound_partners(area)
    if area.kind == AreaKind.BUILDING:
        context["grids"] = Area.objects.filter(kind=AreaKind.GRID, community_id=area.community_id)
        if area.grid_id:
            context["grid"] = Area.objects.filter(pk=area.grid_id).first()
    if area.kind == AreaKind.COMMUNITY and context["can_view_residents"]:
        context["without_steward"] = selectors.compounds_without_steward(viewer=user, area=area)
    if area.kind in (AreaKind.UNIT, AreaKind.BUILDING) and context["can_view_residents"]:
        context["households"] = selectors.household_list(viewer=user, area=area)[:200]
    return render(request, "registry/area_detail.html", context)


def _child_kind(area: Area) -> list[str]:
    return {
        AreaKind.DISTRICT: [AreaKind.SUBDISTRICT],
        AreaKind.SUBDISTRICT: [AreaKind.COMMUNITY],
        AreaKind.COMMUNITY: [AreaKind.GRID, AreaKind.COMPOUND],
        AreaKind.COMPOUND: [AreaKind.BUILDING],
        AreaKind.BUILDING: [AreaKind.UNIT],
    }.get(area.kind, [])


@staff_view
@require_POST
def area_create(request, pk):
    parent = selectors.area_detail(viewer=request.user, pk=pk)
    form = AreaForm(request.POST)
    kind = request.POST.get("kind", "")
    if form.is_valid():
        grid = None
        if form.cleaned_data.get("grid"):
            grid = Area.objects.filter(pk=form.cleaned_data["grid"], kind=AreaKind.GRID).first()
        try:
            area = services.area_create(actor=request.user, kind=kind, parent=parent, name=form.cleaned_data["name"],
                                        code=form.cleaned_data["code"],
                                        compound_type=form.cleaned_data["compound_type"], grid=grid)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("已新增%(kind)s“%(name)s”") % {"kind": area.get_kind_display(),
                                                                       "name": area.name})
    else:
        messages.error(request, _("请填写名称"))
    return redirect("staff:area_detail", pk=parent.pk)


@staff_view
@require_POST
def building_grid(request, pk):
    building = selectors.area_detail(viewer=request.user, pk=pk)
    grid_id = request.POST.get("grid") or None
    grid = Area.objects.filter(pk=grid_id, kind=AreaKind.GRID).first() if grid_id else None
    try:
        services.building_assign_grid(actor=request.user, building=building, grid=grid)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("已调整楼栋所属网格"))
    return redirect("staff:area_detail", pk=building.pk)


# --- residents ---------------------------------------------------------------------------------------------


@staff_view
def resident_list(request):
    if not sees_residents(request.user):
        raise PermissionDenied(_("您无权查看居民信息"))
    filters = ResidentFilter(request.GET, viewer=request.user)
    page = Paginator(filters.qs if filters.is_valid() else filters.queryset.none(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = selectors.attach_places(list(page.object_list))
    for resident in page.object_list:
        resident.pd = personal_data(request.user, resident)
    selected = filters.form.cleaned_data.get("area") if filters.is_valid() else None
    return render_page(request, "registry/resident_list.html", {
        "care": bool(scope_for(request.user, Perm.VIEW_CARE_DATA)),
        "filter": filters, "page_obj": page, "selected_area": selected,
        "area_choices": filters.area_choices(),
        "can_export": selected is not None and can(request.user, Perm.EXPORT_LEDGER, selected),
    }, partial="results")


@staff_view
def resident_detail(request, pk):
    resident = selectors.resident_detail(viewer=request.user, pk=pk)
    return render(request, "registry/resident_detail.html", {
        "resident": resident,
        "pd": personal_data(request.user, resident),
        "can_reveal": can(request.user, Perm.VIEW_PERSONAL_DATA, resident),
        "can_edit": can(request.user, Perm.EDIT_RESIDENTS, resident),
        "bindings": resident.bindings.select_related("user") if can(request.user, Perm.VERIFY_BINDING, resident) else (),
    })


@staff_view
@require_POST
def resident_reveal(request, pk):
    """Show one resident's full personal data; each reveal is a deliberate, audited access."""
    resident = selectors.resident_detail(viewer=request.user, pk=pk)
    pd = personal_data(request.user, resident, reveal=True)
    if not pd.full:
        raise PermissionDenied(_("您无权查看该居民的完整个人信息"))
    audit(actor=request.user, action=Action.VIEW_PERSONAL_DATA, target=resident, request=request,
          summary=resident.name, data={"fields": ["id_number", "phone", "birth_date"]})
    if request.htmx:
        return render(request, "registry/resident_detail.html#personal", {"resident": resident, "pd": pd,
                                                                         "can_reveal": False})
    # without JavaScript: the whole page, revealed (a POST response, so it is not cached or bookmarked)
    return render(request, "registry/resident_detail.html", {
        "resident": resident, "pd": pd, "can_reveal": False,
        "can_edit": can(request.user, Perm.EDIT_RESIDENTS, resident),
        "bindings": resident.bindings.select_related("user") if can(request.user, Perm.VERIFY_BINDING, resident) else (),
    })


def _resident_initial(resident) -> dict:
    return {
        "name": resident.name, "id_number": resident.id_number or "", "gender": resident.gender,
        "birth_date": resident.birth_date, "phone": resident.phone, "relation": resident.relation,
        "tenure": resident.tenure, "status": resident.status,
        "lives_alone": resident.lives_alone, "is_party_member": resident.is_party_member,
        "is_volunteer": resident.is_volunteer, "note": resident.note,
        "special_families": [s.kind for s in resident.special_families.all()],
    }


@staff_view
def resident_edit(request, pk):
    resident = selectors.resident_detail(viewer=request.user, pk=pk)
    if not can(request.user, Perm.EDIT_RESIDENTS, resident):
        raise PermissionDenied(_("您无权修改该居民的信息"))
    if request.method == "POST":
        form = ResidentForm(request.POST)
        if form.is_valid():
            try:
                services.resident_update(actor=request.user, resident=resident, request=request,
                                         **form.service_fields())
            except DomainError as e:
                _form_error(form, e)
            else:
                messages.success(request, _("已保存"))
                return redirect("staff:resident_detail", pk=resident.pk)
    else:
        # the form shows full personal data: opening it is an access like a reveal
        audit(actor=request.user, action=Action.VIEW_PERSONAL_DATA, target=resident, request=request,
              summary=resident.name, data={"fields": ["id_number", "phone", "birth_date"], "via": "edit"})
        form = ResidentForm(initial=_resident_initial(resident))
    return render(request, "registry/resident_form.html", {"form": form, "resident": resident,
                                                           "household": resident.household})


@staff_view
def resident_create(request, household_pk):
    household = selectors.household_detail(viewer=request.user, pk=household_pk)
    if not can(request.user, Perm.EDIT_RESIDENTS, household):
        raise PermissionDenied(_("您无权在该户新增居民"))
    if request.method == "POST":
        form = ResidentForm(request.POST)
        if form.is_valid():
            try:
                resident = services.resident_create(actor=request.user, household=household, request=request,
                                                    **form.service_fields())
            except DomainError as e:
                _form_error(form, e)
            else:
                messages.success(request, _("已新增居民“%(name)s”") % {"name": resident.name})
                return redirect("staff:household_detail", pk=household.pk)
    else:
        form = ResidentForm(initial={"relation": "other" if household.residents.exists() else "head",
                                     "tenure": "family" if household.residents.exists() else "owner",
                                     "status": "present"})
    return render(request, "registry/resident_form.html", {"form": form, "household": household})


# --- households --------------------------------------------------------------------------------------------


@staff_view
def household_list(request):
    if not sees_residents(request.user):
        raise PermissionDenied(_("您无权查看居民信息"))
    area = None
    if request.GET.get("area"):
        area = get_visible(areas_visible_to(request.user), request.GET["area"])
    search = request.GET.get("q", "")
    page = Paginator(selectors.household_list(viewer=request.user, area=area, search=search), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render_page(request, "registry/household_list.html", {"page_obj": page, "area": area, "q": search},
                       partial="results")


@staff_view
def household_detail(request, pk):
    household = selectors.household_detail(viewer=request.user, pk=pk)
    can_edit = can(request.user, Perm.EDIT_RESIDENTS, household)
    return render(request, "registry/household_detail.html", {
        "household": household,
        "members": [(r, personal_data(request.user, r)) for r in household.residents.all()],
        "can_edit": can_edit,
        "parts": selectors.household_parts(viewer=request.user, household=household),
        "part_form": PartForm(owners=_owner_choices(request.user, household)[0], auto_id="part-%s")
        if can_edit else None,
        "bindings": household.bindings.select_related("user", "resident").order_by("-id")
        if can(request.user, Perm.VERIFY_BINDING, household) else (),
    })


@staff_view
@require_POST
def household_create(request, pk):
    area = selectors.area_detail(viewer=request.user, pk=pk)
    form = HouseholdForm(request.POST)
    if form.is_valid():
        try:
            household = services.household_create(actor=request.user, area=area, **form.cleaned_data)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("已新增户 %(room)s") % {"room": household.room})
            return redirect("staff:household_detail", pk=household.pk)
    else:
        messages.error(request, _("请填写门牌号"))
    return redirect("staff:area_detail", pk=area.pk)


# --- exclusive parts (专有部分) -------------------------------------------------------------------------------


def _owner_choices(user, household, part: ExclusivePart | None = None):
    """Who may be picked as a part's buyer of record: the household's residents, whatever their status (an owner
    living elsewhere may be kept as one who moved out); and the part's present owner, kept as she is, named only
    where the editor may see her (she may live in another grid of the community)."""
    residents = list(household.residents.all())
    kept = None
    if part is not None and part.owner_id and part.owner_id not in {r.pk for r in residents}:
        kept = part.owner
        if residents_visible_to(user).filter(pk=kept.pk).exists():
            residents, kept = [*residents, kept], None
    return residents, kept


def _may_keep_parts(request, household) -> None:
    if not can(request.user, Perm.EDIT_RESIDENTS, household):
        raise PermissionDenied(_("您无权登记或修改该户的专有部分"))


@staff_view
def part_create(request, pk):
    household = selectors.household_detail(viewer=request.user, pk=pk)
    _may_keep_parts(request, household)
    owners, _kept = _owner_choices(request.user, household)
    form = PartForm(request.POST if request.method == "POST" else None, owners=owners)
    if form.is_bound and form.is_valid():
        try:
            part = services.part_create(actor=request.user, household=household, request=request,
                                        **form.service_fields())
        except DomainError as e:
            _form_error(form, e)
        else:
            messages.success(request, _("已登记专有部分 %(part)s") % {"part": part})
            return redirect("staff:household_detail", pk=household.pk)
    return render(request, "registry/part_form.html", {"form": form, "household": household})


@staff_view
def part_edit(request, pk, part_pk):
    household = selectors.household_detail(viewer=request.user, pk=pk)
    part = get_visible(ExclusivePart.objects.filter(household=household).select_related("owner"), part_pk)
    _may_keep_parts(request, household)
    owners, kept = _owner_choices(request.user, household, part)
    if request.method == "POST":
        form = PartForm(request.POST, owners=owners, kept_owner=kept)
        if form.is_valid():
            try:
                services.part_update(actor=request.user, part=part, request=request, **form.service_fields())
            except DomainError as e:
                _form_error(form, e)
            else:
                messages.success(request, _("已保存"))
                return redirect("staff:household_detail", pk=household.pk)
    else:
        form = PartForm(initial={
            "kind": part.kind, "number": part.number,
            "measured_area": "" if part.measured_area is None else part.measured_area,
            "contract_area": "" if part.contract_area is None else part.contract_area, "owner": part.owner_id or "",
            "developer_held": part.developer_held, "note": part.note,
        }, owners=owners, kept_owner=kept)
    return render(request, "registry/part_form.html", {"form": form, "household": household, "part": part})


# --- organisations ---------------------------------------------------------------------------------------


@staff_view
def organisation_list(request):
    require(request.user, Perm.VIEW_ORGANISATIONS)
    kind = request.GET.get("kind", "")
    kind = kind if kind in OrgKind.values else ""
    search = request.GET.get("q", "")
    orgs = selectors.organisation_list(viewer=request.user, kind=kind, search=search)
    page = Paginator(orgs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(request, "registry/organisation_list.html", {
        "page_obj": page, "kinds": OrgKind.choices, "kind": kind, "q": search,
        "can_create": bool(scope_for(request.user, Perm.MANAGE_ORGANISATIONS)),
    }, partial="results")


def _manageable_areas(user):
    return areas_visible_to(user).filter(scope_for(user, Perm.MANAGE_ORGANISATIONS).q()).exclude(
        kind__in=[AreaKind.BUILDING, AreaKind.UNIT]).order_by("district_id", "subdistrict_id", "community_id",
                                                              "kind", "position")


@staff_view
def organisation_detail(request, pk):
    org = selectors.organisation_detail(viewer=request.user, pk=pk)
    manage = can_manage_organisation(request.user, org)
    show_phones = manage or bool(scope_for(request.user, Perm.VIEW_PERSONAL_DATA).everywhere)
    return render(request, "registry/organisation_detail.html", {
        "org": org, "can_manage": manage, "show_member_phones": show_phones,
        "serve_areas": _manageable_areas(request.user) if scope_for(request.user, Perm.MANAGE_ORGANISATIONS) else [],
        "roles": [(r, PartnerRole(r).label) for r in sorted(services.allowed_partner_roles(org.kind))],
        "member_form": MemberForm(),
    })


@staff_view
def organisation_create(request):
    if not scope_for(request.user, Perm.MANAGE_ORGANISATIONS):
        raise PermissionDenied
    areas = _manageable_areas(request.user)
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        home = areas.filter(pk=data.pop("home_area")).first()
        if home is None:
            form.add_error("home_area", _("请选择您管辖范围内的区域"))
        else:
            try:
                org = services.organisation_create(actor=request.user, home_area=home, **data)
            except DomainError as e:
                _form_error(form, e)
            else:
                messages.success(request, _("已登记组织“%(name)s”") % {"name": org.name})
                return redirect("staff:organisation_detail", pk=org.pk)
    return render(request, "registry/organisation_form.html", {"form": form, "areas": areas})


@staff_view
@require_POST
def organisation_serve(request, pk):
    org = selectors.organisation_detail(viewer=request.user, pk=pk)
    form = ServeForm(request.POST)
    if form.is_valid():
        area = areas_visible_to(request.user).filter(pk=form.cleaned_data["area"]).first()
        try:
            if area is None:
                raise DomainError(_("请选择您管辖范围内的区域"))
            services.organisation_serve(actor=request.user, organisation=org, area=area,
                                        role=form.cleaned_data["role"])
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("已添加服务区域"))
    return redirect("staff:organisation_detail", pk=org.pk)


@staff_view
@require_POST
def organisation_withdraw(request, pk, link_pk):
    org = selectors.organisation_detail(viewer=request.user, pk=pk)
    link = get_visible(OrganisationArea.objects.filter(organisation=org).select_related("area"), link_pk)
    try:
        services.organisation_withdraw(actor=request.user, link=link)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("已移除服务区域"))
    return redirect("staff:organisation_detail", pk=org.pk)


@staff_view
@require_POST
def organisation_member_add(request, pk):
    org = selectors.organisation_detail(viewer=request.user, pk=pk)
    form = MemberForm(request.POST)
    if form.is_valid():
        try:
            services.organisation_member_add(actor=request.user, organisation=org, **form.cleaned_data)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("已添加成员"))
    else:
        messages.error(request, _("请填写成员姓名"))
    return redirect("staff:organisation_detail", pk=org.pk)


# --- ledger import and export ------------------------------------------------------------------------------


@staff_view
def ledger_import_view(request):
    require(request.user, Perm.IMPORT_LEDGER, message=_("您没有导入台账的权限"))
    form = LedgerUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        batch = ledger_import_start(actor=request.user, data=upload.read(), file_name=upload.name, request=request)
        hand_to_worker(process_ledger_import, batch.pk)  # never this process; the result page follows it
        return redirect("staff:ledger_import_detail", pk=batch.pk)
    history = LedgerImport.objects.filter(uploaded_by=request.user)[:20]
    return render(request, "registry/ledger_import.html", {"form": form, "history": history, "headers": HEADERS})


@staff_view
def ledger_import_detail(request, pk):
    batch = get_visible(LedgerImport.objects.filter(uploaded_by=request.user), pk)
    page = Paginator(batch.errors, 100).get_page(request.GET.get("page"))
    can_redo = background.can_redo(batch, LedgerFile)
    return render_page(request, "registry/ledger_import_detail.html",
                       {"batch": batch, "page_obj": page, "can_redo": can_redo}, partial="result")


@staff_view
@require_POST
def ledger_import_redo_view(request, pk):
    """Start again an import whose worker died, from the file kept."""
    batch = get_visible(LedgerImport.objects.filter(uploaded_by=request.user), pk)
    try:
        ledger_import_redo(actor=request.user, batch=batch)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        hand_to_worker(process_ledger_import, batch.pk)
    return redirect("staff:ledger_import_detail", pk=batch.pk)


@staff_view
def ledger_import_errors(request, pk):
    """The refused rows as a workbook the worker can fix line by line."""
    batch = get_visible(LedgerImport.objects.filter(uploaded_by=request.user), pk)
    return xlsx_response(errors_workbook(batch.errors), f"{_('错误明细')}-{batch.file_name}")


@staff_view
def ledger_template(request):
    """An empty ledger with the expected header row."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "居民台账"  # the ledger format itself stays Chinese: headers are what the importer reads
    sheet.append(list(HEADERS))
    return xlsx_response(workbook, f"{_('居民台账模板')}.xlsx")


@staff_view
def ledger_export_view(request):
    area = get_visible(areas_visible_to(request.user), request.GET.get("area"))
    data, _count = ledger_export(actor=request.user, area=area, request=request)
    return xlsx_response(data, f"{_('居民台账')}-{area.name}-{timezone.localdate().isoformat()}.xlsx")

