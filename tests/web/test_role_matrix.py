"""Every role × every endpoint × every action, against an expectation written by hand (issue 21).

What each role may see and do is written below from its job (docs/personal-data.md, docs/appeals.md, the roles in
access/scopes.py), never read from ROLE_PERMS, so a permission that drifts makes this test fail. Each URL of the
project — pages and every operation of the API — must have a row: a new endpoint without one fails
``test_every_endpoint_has_an_expectation``.

A row is tried by each demo account on an object inside her own area, and, where it names objects, on the same
kind of object in a district of its own ("far", outside every area but the city's) and on an id that does not
exist. Outside her area a role that may act in it must get 404, never 403, and otherwise exactly what a missing
id gets: the answer never tells that the row exists. A refused action changes nothing (the rows it touches are
compared before and after). Each request runs in a savepoint rolled back after it, so an allowed action leaves
the objects as they were for the next row.

Outcome classes: ``ok`` 2xx or a redirect elsewhere than the log-in (an action: and it changed what it acts on);
``told`` 2xx or a redirect that changed nothing (the page says why); ``no`` 403; ``hidden`` 404; ``login`` the
log-in page or 401; ``bad`` 400/409/422 (the request was heard and refused for its content or state).

A row the app does not answer as it states — a fault found when the row was written, and reported — stands in
``faults()`` instead, tried by ``test_known_faults``, which is expected to fail until the app is fixed.
"""
from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Max
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

ROLES = ("admin", "operator", "subdistrict", "district", "secretary", "worker", "gridworker", "property", "owners",
         "department", "volunteer", "resident", "newcomer", "buildinghead", "anonymous")

# --- who is who, by job ----------------------------------------------------------------------------------------
CITY = {"admin", "operator"}  # the administrator and the 12345 centre: the whole city
COMMUNITY = {"secretary", "worker", "gridworker"}  # the community side, down to the grid: field work, the registry
OVERSEERS = {"subdistrict", "district"}  # above the communities: oversee, urge, handle what is whistled up
HANDLERS = CITY | OVERSEERS | COMMUNITY  # the side that accepts, dispatches and closes appeals (接诉即办)
PARTIES = {"property", "owners", "department"}  # the handling parties: their own dispatched appeals only
STAFF = HANDLERS | PARTIES | {"volunteer"}
# residents: the verified one, one whose binding waits for the grid worker, and a verified one of the same building
# who heads it (楼栋长): a resident with one power more, not staff (access/scopes.py STAFF_ROLES)
PORTAL = {"resident", "newcomer", "buildinghead"}
SIGNED_IN = STAFF | PORTAL
EVERYONE = SIGNED_IN | {"anonymous"}
# who works the registry's people (docs/personal-data.md): the community side and the subdistrict see them, the
# partners see those they serve (property) or the owners among them (the owners' committee); nobody else does
REGISTRY = COMMUNITY | {"subdistrict", "admin"}
SEES_PEOPLE = REGISTRY | {"property", "owners"}
FIELD = COMMUNITY | {"admin"}  # door to door: edit the ledger, reveal a number (audited), verify bindings
LEDGER = {"worker", "secretary", "admin"}  # import and export the community's ledger
SUPERIORS = {"admin", "operator", "subdistrict", "district", "secretary"}  # 督办: over the handlers of a place
# a community's reply templates: those who handle its appeals keep them (the city's are the admin site's)
TEMPLATES = {"secretary", "worker", "subdistrict", "district"}
MANAGERS = {"secretary", "subdistrict", "admin"}  # grant roles, read the audit log
SHAPERS = {"secretary", "subdistrict", "operator", "admin"}  # draw the map, register organisations
# 协商议事: who runs the community's council (accepts topics, runs meetings and votes, keeps projects), and who
# follows its topics (every staff role whose area holds the topic's scope: the grid worker hers, the volunteer, the
# district's department that backs it; not a property company or owners' committee of another compound)
RUNNERS = {"secretary", "worker", "subdistrict", "admin"}
FOLLOWERS = CITY | OVERSEERS | COMMUNITY | {"volunteer", "department"}
COUNCIL_SEERS = FOLLOWERS - {"gridworker"}  # a community's council is not her grid's
# 志愿服务: those who keep a place's volunteers (approve them, lay out shifts, keep the points shop and the errands);
# the volunteer herself is on the staff (her community's map) but keeps nobody
KEEPERS = {"worker", "secretary", "subdistrict", "admin"}
# 关爱网络: who may see special-family tags over a place keeps its care network and logs visits there
CARERS = COMMUNITY | {"subdistrict", "admin"}
# the portal's volunteer pages send one who is no active volunteer to join before reading what she asks for
NOT_VOLUNTEERING = SIGNED_IN - {"volunteer"}
# verified residents of the resident's building, each for her own home there: its topics and owners' votes, the
# board's 我也遇到, an appeal or an errand for her home; what the resident filed stays hers ({"resident"} below)
VERIFIED = {"resident", "buildinghead"}
# 楼栋长 (docs/care.md): her building's households and how to reach them on the portal's care page, a visit logged at
# their door (a follow-up filed as the resident she is), a special family's request, a neighbour's errand
# confirmed or cancelled (care.permissions.building_scope, volunteers.permissions.heads): by her own grant only
HEAD = {"buildinghead"}


def X(ok=(), *, told=(), no=(), hidden=(), bad=(), rest="no", portal=None, anon="login"):
    """Expected class per role: the named sets, then ``rest`` for other staff, ``portal`` (default ``rest``) for
    residents, ``anon`` for a visitor."""
    out = {}
    for role in ROLES:
        out[role] = anon if role == "anonymous" else (portal or rest) if role in PORTAL else rest
    for cls, roles in (("ok", ok), ("told", told), ("no", no), ("hidden", hidden), ("bad", bad)):
        for role in roles:
            out[role] = cls
    return out


def public(**kw):
    return X(EVERYONE, anon="ok", **kw)


def signed_in(**kw):
    return X(SIGNED_IN, **kw)


@dataclass
class Row:
    method: str
    route: str  # the URL pattern's name (pages) or the API operation's url name, as enumerated below
    path: str  # with {key} placeholders filled from the objects of the role
    expect: dict
    data: object = None  # a dict, or a callable(objects, role) → dict
    watch: object = None  # callable() → a fingerprint of what the action changes; a refusal must leave it alone
    far: bool = True  # whether the row names objects: also try a far one and a missing id
    own: bool = False  # the objects are the user's own (her token, her batch): even the city does not reach others'
    absent: str = ""  # a list row: the far object's mark must not be in it, but for the city
    fresh: bool = False  # logs the client out: run it on a client of its own
    neighbour: bool = False  # also try the same kind of object in the next community of the same subdistrict
    away: frozenset = frozenset()  # roles sent elsewhere before the object is read: the same answer for any id

    def __post_init__(self):
        if self.path.startswith("/staff/"):  # the console refuses residents whatever they ask for
            self.expect = {**self.expect, **dict.fromkeys(PORTAL, "no")}

    @property
    def api(self):
        return self.path.startswith("/api/")

    def __str__(self):
        return f"{self.method} {self.path}"


def counted(*labels):
    """A probe of these models (``app.Model``): how many rows, and when one last changed."""
    def probe():
        found = []
        for label in labels:
            model = apps.get_model(label)
            stamped = any(f.name == "updated_at" for f in model._meta.get_fields())
            last = model.objects.aggregate(m=Max("updated_at"))["m"] if stamped else None
            found.append((model.objects.count(), last))
        return found
    return probe


def column(label, *names, **filters):
    """A probe of some columns of a model's rows (``app.Model``)."""
    return lambda: list(apps.get_model(label).objects.filter(**filters).order_by("pk").values_list("pk", *names))


def both(*probes):
    return lambda: tuple(p() for p in probes)


EVENTS = counted("appeals.AppealEvent", "appeals.Appeal")  # every appeal action writes an event
AUDIT = counted("core.AuditEvent")  # a reveal, an export
STEPS = counted("deliberation.TopicEvent", "deliberation.Topic")  # every step on a topic writes its timeline


def rows() -> list[Row]:
    """The matrix. Objects: ``area`` a building of the role's area (property and the owners' committee: a compound
    they serve), ``place`` her own area, ``compound``, ``household`` (``part`` its dwelling), ``resident``, ``org``
    an organisation of her area (a party: its own), ``link`` one of its served areas, appeals in the state an
    action needs — for the community side about the verified resident's home in the grid worker's grid, filed by
    that resident; for a party, dispatched to it. The building head's are those of the community side, but for
    her own home (``household``, ``resident``, ``part``) and ``place``, her building: the resident's."""
    appeal_actions = HANDLERS | {"resident"}
    return [
        # --- public -------------------------------------------------------------------------------------------
        Row("GET", "home", "/", signed_in(), far=False),  # where one lands: the log-in for a visitor
        Row("GET", "healthz", "/healthz", public(), far=False),
        Row("GET", "track", "/track/", public(), far=False),
        Row("GET", "track_link", "/t/{track_token}", public(), far=False),
        Row("GET", "board_index", "/board/", public(), far=False),
        Row("GET", "board", "/board/{community}/", public(), far=False),
        # 我也遇到: a verified resident of the community backs an accepted public appeal
        Row("POST", "board_support", "/board/{community}/{board}/support", X(VERIFIED, rest="told"),
            data={"support": "1"}, watch=counted("appeals.AppealSupport"), far=False),
        Row("POST", "large_text", "/large-text", public(), far=False),
        Row("POST", "set_language", "/i18n/setlang/", public(), data={"language": "zh-hans"}, far=False),
        # --- accounts -----------------------------------------------------------------------------------------
        Row("GET", "accounts:login", "/accounts/login/", public(), far=False),
        Row("POST", "accounts:logout", "/accounts/logout/", X(rest="login"), far=False, fresh=True),  # to the log-in
        Row("GET", "accounts:password_change", "/accounts/password/", signed_in(), far=False),
        Row("GET", "accounts:password_done", "/accounts/password/done/", signed_in(), far=False),
        Row("GET", "accounts:register", "/accounts/register/", public(), far=False),
        Row("GET", "accounts:password_forgotten", "/accounts/password/forgotten/", public(), far=False),
        Row("GET", "accounts:tokens", "/accounts/tokens/", signed_in(), far=False),
        Row("POST", "accounts:token_revoke", "/accounts/tokens/{token}/revoke", signed_in(),
            watch=column("accounts.ApiToken", "revoked_at"), own=True),
        # --- the staff console ----------------------------------------------------------------------------------
        Row("GET", "staff:dashboard", "/staff/", X(STAFF), far=False),
        Row("GET", "staff:audit_log", "/staff/audit/", X(MANAGERS), far=False),
        Row("GET", "staff:messages", "/staff/messages/", X(STAFF), far=False),
        # the map: every staff role sees the places of its area
        Row("GET", "staff:area_index", "/staff/areas/", X(STAFF), far=False, absent="{far_area_name}"),
        Row("GET", "staff:area_detail", "/staff/areas/{area}/", X(STAFF), neighbour=True),
        Row("POST", "staff:area_create", "/staff/areas/{compound}/children",
            X(SHAPERS, hidden={"gridworker"}, rest="told"),  # her grid is drawn over buildings, not compounds
            data={"kind": "building", "name": "矩阵新楼"}, watch=counted("registry.Area")),
        Row("POST", "staff:building_grid", "/staff/areas/{building}/grid", X(SHAPERS, rest="told"),
            data=lambda o, r: {"grid": o["other_grid"]}, watch=column("registry.Area", "grid_id", kind="building")),
        Row("POST", "staff:household_create", "/staff/areas/{building}/households", X(FIELD, rest="told"),
            data={"room": "9901"}, watch=counted("registry.Household")),
        # the registry's people
        Row("GET", "staff:resident_list", "/staff/residents/?q=远方矩阵", X(SEES_PEOPLE), far=False,
            absent="{far_resident_name}"),
        Row("GET", "staff:resident_detail", "/staff/residents/{resident}/", X(SEES_PEOPLE, rest="hidden"),
            neighbour=True),
        Row("POST", "staff:resident_reveal", "/staff/residents/{resident}/reveal",
            X(FIELD, no={"subdistrict", "property", "owners"}, rest="hidden"), watch=AUDIT),
        Row("GET", "staff:resident_edit", "/staff/residents/{resident}/edit",
            X(FIELD, no={"subdistrict", "property", "owners"}, rest="hidden")),
        Row("POST", "staff:resident_edit", "/staff/residents/{resident}/edit",
            X(FIELD, no={"subdistrict", "property", "owners"}, rest="hidden"),
            data=lambda o, r: o["resident_form"], watch=counted("registry.Resident", "core.AuditEvent")),
        Row("GET", "staff:household_list", "/staff/households/?q=F8808", X(SEES_PEOPLE), far=False,
            absent="{far_building_name}"),
        Row("GET", "staff:household_detail", "/staff/households/{household}/", X(SEES_PEOPLE, rest="hidden"),
            neighbour=True),
        Row("GET", "staff:resident_create", "/staff/households/{household}/residents/new",
            X(FIELD, no={"subdistrict", "property", "owners"}, rest="hidden")),
        Row("POST", "staff:resident_create", "/staff/households/{household}/residents/new",
            X(FIELD, no={"subdistrict", "property", "owners"}, rest="hidden"),
            data={"name": "矩阵新人", "relation": "other", "tenure": "tenant", "status": "present", "gender": "F"},
            watch=counted("registry.Resident")),
        # a household's exclusive parts (专有部分, what owners' votes count): kept by those who keep its residents;
        # those who only see them (the subdistrict, property, the owners' committee) read them on the household page
        Row("GET", "staff:part_create", "/staff/households/{household}/parts/new",
            X(FIELD, no={"subdistrict", "property", "owners"}, rest="hidden")),
        Row("POST", "staff:part_create", "/staff/households/{household}/parts/new",
            X(FIELD, no={"subdistrict", "property", "owners"}, rest="hidden"),
            data={"kind": "garage", "number": "矩阵B1-001", "measured_area": "15"},
            watch=counted("registry.ExclusivePart")),
        Row("GET", "staff:part_edit", "/staff/households/{household}/parts/{part}/edit",
            X(FIELD, no={"subdistrict", "property", "owners"}, rest="hidden")),
        Row("POST", "staff:part_edit", "/staff/households/{household}/parts/{part}/edit",
            X(FIELD, no={"subdistrict", "property", "owners"}, rest="hidden"),
            data=lambda o, r: {"kind": "dwelling", "measured_area": "99.99", "owner": o["part_owner"]},
            watch=column("registry.ExclusivePart", "measured_area", "owner_id", "updated_at")),
        # organisations: every staff role but the volunteer knows the bodies of its area
        Row("GET", "staff:organisation_list", "/staff/organisations/?q=远方矩阵", X(STAFF - {"volunteer"}), far=False,
            absent="{far_org_name}"),
        Row("GET", "staff:organisation_create", "/staff/organisations/new", X(SHAPERS), far=False),
        Row("GET", "staff:organisation_detail", "/staff/organisations/{org}/",
            X(STAFF - {"volunteer"}, rest="hidden"), neighbour=True),
        Row("POST", "staff:organisation_serve", "/staff/organisations/{org}/areas",
            X(SHAPERS, rest="told", hidden={"volunteer"}), data=lambda o, r: {"area": o["compound"], "role": "serves"},
            watch=counted("registry.OrganisationArea")),
        Row("POST", "staff:organisation_withdraw", "/staff/organisations/{org}/areas/{link}/remove",
            X(SHAPERS, rest="told", hidden={"volunteer"}), watch=counted("registry.OrganisationArea")),
        Row("POST", "staff:organisation_member_add", "/staff/organisations/{org}/members",
            X(SHAPERS, rest="told", hidden={"volunteer"}), data={"name": "矩阵成员"},
            watch=counted("registry.OrganisationMember")),
        # the ledger: the community's workers import and export it; a batch is its uploader's own
        Row("GET", "staff:ledger_import", "/staff/ledger/import", X(LEDGER), far=False),
        Row("GET", "staff:ledger_import_detail", "/staff/ledger/import/{ledger_batch}/",
            X(LEDGER, rest="hidden"), own=True),
        Row("POST", "staff:ledger_import_redo", "/staff/ledger/import/{ledger_batch}/redo",
            X(LEDGER, rest="hidden"), own=True, watch=column("registry.LedgerImport", "status", "updated_at")),
        Row("GET", "staff:ledger_import_errors", "/staff/ledger/import/{ledger_batch}/errors.xlsx",
            X(LEDGER, rest="hidden"), own=True),
        # a blank workbook with the ledger's columns: nothing in it to keep from anyone on the staff
        Row("GET", "staff:ledger_template", "/staff/ledger/template.xlsx", X(STAFF), far=False),
        Row("GET", "staff:ledger_export", "/staff/ledger/export?area={place}", X(LEDGER), watch=AUDIT),
        # bindings (实名认证): those who verify where the resident lives
        Row("GET", "staff:binding_queue", "/staff/bindings/", X(FIELD), far=False),
        Row("POST", "staff:binding_verify", "/staff/bindings/{pending_binding}/verify", X(FIELD, rest="hidden"),
            watch=column("accounts.HouseholdBinding", "status")),
        Row("POST", "staff:binding_reject", "/staff/bindings/{pending_binding}/reject", X(FIELD, rest="hidden"),
            data={"reason": "信息不符"}, watch=column("accounts.HouseholdBinding", "status")),
        Row("POST", "staff:account_password_reset", "/staff/accounts/{resident_user}/reset-password",
            X(FIELD), watch=column("accounts.User", "password")),
        # residents' requests about their data: the workers who keep their community's records (not the grid's)
        Row("GET", "staff:data_requests", "/staff/data-requests/", X(FIELD), far=False),
        Row("POST", "staff:data_request_decide", "/staff/data-requests/{data_request}/decide",
            X({"worker", "secretary", "admin"}, rest="hidden"), data={"grant": "0", "reply": "矩阵"},
            watch=column("accounts.DataRequest", "status")),
        Row("GET", "staff:grant_list", "/staff/roles/", X(MANAGERS), far=False),
        Row("POST", "staff:grant_revoke", "/staff/roles/{grant}/revoke", X(MANAGERS, rest="hidden"),
            data={"reason": "矩阵"}, watch=column("accounts.RoleGrant", "revoked_at")),
        # appeals: the queue lists what the viewer may see (the volunteer: nothing)
        Row("GET", "staff:appeal_queue", "/staff/appeals/?q={far_number}", X(STAFF), far=False,
            absent="{far_link}"),  # the search box says the number again: the far appeal's link must not be there
        Row("GET", "staff:appeal_export", "/staff/appeals/export.xlsx", X(STAFF), far=False),
        Row("GET", "staff:appeal_new", "/staff/appeals/new", X(HANDLERS), far=False),
        Row("POST", "staff:appeal_new", "/staff/appeals/new", X(HANDLERS),
            data=lambda o, r: {"channel": "desk", "area": o["compound"], "text": "矩阵：楼道灯坏了",
                               "contact_name": "张大爷"}, watch=EVENTS, far=False),
        Row("GET", "staff:hand_over", "/staff/appeals/hand-over", X(STAFF), far=False),
        # the desk's searches answer within the places and people she files for: nothing, for the others
        Row("GET", "staff:desk_resident_search", "/staff/appeals/new/residents?q=远方矩阵",
            X(STAFF), far=False, absent="{far_resident_name}"),
        Row("GET", "staff:desk_resident_pick", "/staff/appeals/new/resident?id={resident}",
            X(REGISTRY, rest="hidden")),
        Row("GET", "staff:desk_place_search", "/staff/appeals/new/places?area_q=矩阵", X(STAFF), far=False,
            absent="{far_area_name}"),
        Row("GET", "staff:desk_place_pick", "/staff/appeals/new/place?id={compound}", X(HANDLERS, rest="hidden")),
        Row("GET", "staff:appeal_detail", "/staff/appeals/{disp}/", X(HANDLERS | PARTIES, rest="hidden"),
            neighbour=True),
        Row("POST", "staff:appeal_contact", "/staff/appeals/{disp}/contact", X(HANDLERS | PARTIES, rest="hidden"),
            watch=AUDIT),
        Row("POST", "staff:appeal_act", "/staff/appeals/{sub}/accept", X(HANDLERS, rest="hidden"),
            data=lambda o, r: {"category": o["category"]}, watch=EVENTS),
        Row("POST", "staff:appeal_act", "/staff/appeals/{acc}/dispatch",
            X(HANDLERS, told={"department"}, rest="hidden"),  # the department is whistled in on it: sees it
            data=lambda o, r: {"party": o["department_org"]}, watch=EVENTS),
        Row("POST", "staff:appeal_act", "/staff/appeals/{disp}/take", X(PARTIES, told=HANDLERS, rest="hidden"),
            watch=EVENTS),
        Row("POST", "staff:appeal_act", "/staff/appeals/{prog}/resolve", X(PARTIES, told=HANDLERS, rest="hidden"),
            data={"reply": "已派维修工更换水管，矩阵测试 11月25日", "send_anyway": "1"}, watch=EVENTS),
        Row("POST", "staff:appeal_act", "/staff/appeals/{sub}/close_unresolved", X(HANDLERS, rest="hidden"),
            data={"outcome": "not_ours", "reply": "不属于本社区，已告知居民"}, watch=EVENTS),
        Row("POST", "staff:appeal_act", "/staff/appeals/{prog}/pause", X(HANDLERS | PARTIES, rest="hidden"),
            data={"reason": "等居民在家"}, watch=EVENTS),
        Row("POST", "staff:appeal_act", "/staff/appeals/{prog}/whistle", X(HANDLERS, told=PARTIES, rest="hidden"),
            data={"reason": "需要街道协调"}, watch=EVENTS),
        Row("POST", "staff:appeal_act", "/staff/appeals/{prog}/follow_up", X(HANDLERS, told=PARTIES,
                                                                             rest="hidden"),
            data={"reason": "电话回访"}, watch=EVENTS),
        Row("POST", "staff:appeal_act", "/staff/appeals/{prog}/urge",
            X(SUPERIORS, told=HANDLERS - SUPERIORS | PARTIES, rest="hidden"),
            data={"reason": "请加快"}, watch=EVENTS),
        Row("POST", "staff:request_decide", "/staff/requests/{req}/approve", X(HANDLERS, told=PARTIES,
                                                                                rest="hidden"),
            watch=both(EVENTS, column("appeals.AppealRequest", "state"))),
        Row("POST", "staff:supervision_answer", "/staff/supervisions/{sup}/answer",
            X(PARTIES | HANDLERS, rest="hidden"), data={"answer": "材料已到，明天上门更换，矩阵"},  # either side
            watch=column("appeals.Supervision", "answered_at")),
        Row("GET", "staff:cohandling", "/staff/whistles/", X(HANDLERS | {"department"}), far=False),
        Row("POST", "staff:whistle_act", "/staff/whistles/{whistle}/report-in",
            X({"department"}, told=HANDLERS, rest="hidden"), data={"handler_name": "吴涛"},
            watch=column("appeals.Whistle", "reported_at")),
        # the figures count the appeals the viewer sees: a party its own, the volunteer none
        Row("GET", "staff:appeal_figures", "/staff/figures/", X(STAFF), far=False),
        Row("GET", "staff:reply_templates", "/staff/reply-templates/", X(TEMPLATES), far=False),
        Row("POST", "staff:reply_template_retire", "/staff/reply-templates/{template}/retire", X(TEMPLATES),
            watch=column("appeals.ReplyTemplate", "is_active")),
        Row("GET", "staff:hotline_import", "/staff/hotline/", X(HANDLERS), far=False),
        Row("GET", "staff:hotline_template", "/staff/hotline/template", X(STAFF), far=False),  # a blank one
        Row("GET", "staff:hotline_import_detail", "/staff/hotline/{hotline_batch}/", X(HANDLERS, rest="hidden"),
            own=True),
        Row("POST", "staff:hotline_import_redo", "/staff/hotline/{hotline_batch}/redo", X(HANDLERS, rest="hidden"),
            own=True, watch=column("appeals.HotlineImport", "status", "updated_at")),
        Row("GET", "staff:hotline_import_errors", "/staff/hotline/{hotline_batch}/errors",
            X(HANDLERS, rest="hidden"), own=True),
        Row("GET", "staff:hotspots", "/staff/hotspots/", X(HANDLERS), far=False),
        # hotspots: of the areas whose appeals she handles; another area, for anyone, is as one that is not there
        Row("POST", "staff:hotspot_refresh", "/staff/hotspots/refresh?area={place}", X(HANDLERS, rest="hidden"),
            watch=counted("triage.HotspotRun")),
        Row("POST", "staff:hotspot_task", "/staff/hotspots/{hotspot}/task",
            X(HANDLERS - {"gridworker"}, told={"gridworker"}, rest="hidden"),
            watch=column("triage.Hotspot", "task_id")),
        Row("POST", "staff:reply_check", "/staff/appeals/{prog}/reply-check/", X(HANDLERS | PARTIES, rest="hidden"),
            data={"reply": "已修好"}),
        # --- 协商议事: the board, councils, a topic's steps, the tablet, votes, projects ------------------------
        Row("GET", "staff:topic_board", "/staff/deliberation/", X(STAFF), far=False, absent="{far_topic_title}"),
        Row("GET", "staff:deliberation_figures", "/staff/deliberation/figures/", X(STAFF), far=False),
        Row("GET", "staff:council_list", "/staff/deliberation/councils/", X(STAFF), far=False,
            absent="{far_council_name}"),
        Row("POST", "staff:council_list", "/staff/deliberation/councils/", X(RUNNERS, rest="told"), far=False,
            data=lambda o, r: {"area": o["community"], "name": "矩阵新议事会", "template": o["seat_template"]},
            watch=counted("deliberation.Council")),
        Row("GET", "staff:council_detail", "/staff/deliberation/councils/{council}/", X(COUNCIL_SEERS, rest="hidden")),
        Row("POST", "staff:council_detail", "/staff/deliberation/councils/{council}/",
            X(RUNNERS, told=COUNCIL_SEERS - RUNNERS, rest="hidden"),
            data=lambda o, r: {"seat": o["seat"], "name": "矩阵代表二"}, watch=counted("deliberation.CouncilMember")),
        Row("POST", "staff:member_unseat", "/staff/deliberation/members/{member}/unseat",
            X(RUNNERS, told=COUNCIL_SEERS - RUNNERS, rest="hidden"),
            watch=column("deliberation.CouncilMember", "ended_on")),
        Row("GET", "staff:topic_new", "/staff/deliberation/topics/new", X(RUNNERS), far=False),
        Row("POST", "staff:topic_new", "/staff/deliberation/topics/new", X(RUNNERS), far=False,
            data=lambda o, r: {"council": o["council"], "scope": o["building"], "title": "矩阵工作人员议题",
                               "body": "矩阵：工作人员提出的议题内容。"}, watch=counted("deliberation.Topic")),
        Row("GET", "staff:topic_detail", "/staff/deliberation/topics/{topic}/", X(FOLLOWERS, rest="hidden")),
        Row("POST", "staff:topic_act", "/staff/deliberation/topics/{proposed}/accept",
            X(RUNNERS, told=FOLLOWERS - RUNNERS, rest="hidden"), watch=STEPS),
        Row("POST", "staff:topic_act", "/staff/deliberation/topics/{topic}/schedule",
            X(RUNNERS, told=FOLLOWERS - RUNNERS, rest="hidden"),
            data=lambda o, r: {"kind": "hearing", "mode": "mobile", "starts_at": o["starts_at"], "place": "矩阵凉亭"},
            watch=STEPS),
        Row("POST", "staff:objection_act", "/staff/deliberation/objections/{objection}/dismiss",
            X(RUNNERS, told=FOLLOWERS - RUNNERS, rest="hidden"), data={"answer": "矩阵：异议不成立"},
            watch=column("deliberation.Objection", "state")),
        Row("GET", "staff:meeting", "/staff/deliberation/meetings/{meeting}/", X(FOLLOWERS, rest="hidden")),
        Row("POST", "staff:meeting_act", "/staff/deliberation/meetings/{meeting}/position",
            X(RUNNERS, told=FOLLOWERS - RUNNERS, rest="hidden"), data={"party": "矩阵方", "text": "矩阵意见"},
            watch=counted("deliberation.Position")),
        Row("GET", "staff:vote", "/staff/deliberation/votes/{cvote}/", X(FOLLOWERS, rest="hidden")),
        Row("POST", "staff:vote_act", "/staff/deliberation/votes/{cvote}/enter",
            X(RUNNERS, told=FOLLOWERS - RUNNERS, rest="hidden"),
            data=lambda o, r: {"member": o["member"], "choice": "yes"}, watch=counted("deliberation.Ballot")),
        # a paper sheet's photo (who voted how, in an open vote): for those who run the vote
        Row("GET", "staff:ballot_sheet", "/staff/deliberation/votes/{ovote}/ballots/{ballot}/sheet",
            X(RUNNERS, rest="hidden")),
        Row("GET", "staff:project", "/staff/deliberation/projects/{project}/", X(FOLLOWERS, rest="hidden")),
        Row("POST", "staff:project_act", "/staff/deliberation/projects/{project}/money",
            X(RUNNERS, told=FOLLOWERS - RUNNERS, rest="hidden"),
            data=lambda o, r: {"kind": "received", "source": "finance", "amount": "100", "key": f"matrix-{r}-money"},
            watch=counted("deliberation.MoneyEntry")),
        # the resident's: topics whose scope holds her verified home; anyone else finds none
        Row("GET", "portal:topics", "/portal/topics/", signed_in(), far=False, absent="{far_topic_title}"),
        Row("GET", "portal:topic_new", "/portal/topics/new", signed_in(), far=False),
        Row("POST", "portal:topic_new", "/portal/topics/new", X(VERIFIED, rest="told"), far=False,
            data=lambda o, r: {"council": o["council"], "scope": o["building"], "title": "矩阵居民议题",
                               "body": "矩阵：居民提出的议题内容。"}, watch=counted("deliberation.Topic")),
        Row("GET", "portal:topic_detail", "/portal/topics/{cosigning}/", X(VERIFIED, rest="hidden")),
        Row("POST", "portal:topic_act", "/portal/topics/{cosigning}/cosign", X(VERIFIED, rest="hidden"),
            watch=counted("deliberation.Cosign")),
        # resolutions that took effect, and their projects: public
        Row("GET", "resolutions", "/resolutions/", public(), far=False),
        Row("GET", "resolution", "/resolutions/{project_topic}/", public(), far=False),
        # --- the portal: every signed-in account is a resident too; an appeal's page is its reporter's --------
        Row("GET", "portal:home", "/portal/", signed_in(), far=False),
        Row("GET", "portal:households", "/portal/households/", signed_in(), far=False),
        Row("GET", "portal:bind", "/portal/households/bind/", signed_in(), far=False),
        Row("POST", "portal:unbind", "/portal/households/{binding}/unbind", X(PORTAL, rest="hidden"), own=True,
            watch=column("accounts.HouseholdBinding", "status")),
        Row("GET", "portal:appeals", "/portal/appeals/", signed_in(), far=False),  # her own: api:list_appeals
        Row("GET", "portal:appeal_new", "/portal/appeals/new", signed_in(), far=False),
        Row("GET", "portal:appeal_similar", "/portal/appeals/similar?where=area:{compound}", signed_in(), far=False),
        Row("GET", "portal:category_questions", "/portal/appeals/questions?category={category}", signed_in(),
            far=False),
        Row("GET", "portal:appeal_detail", "/portal/appeals/{res}/", X({"resident"}, rest="hidden"), own=True),
        Row("POST", "portal:appeal_rate", "/portal/appeals/{res}/rate", X({"resident"}, rest="hidden"), own=True,
            data={"rating": "satisfied"}, watch=EVENTS),
        Row("POST", "portal:appeal_reopen", "/portal/appeals/{res}/reopen", X({"resident"}, rest="hidden"),
            own=True, data={"reason": "又漏了"}, watch=EVENTS),
        Row("POST", "portal:appeal_urge", "/portal/appeals/{sub}/urge", X(told={"resident"}, rest="hidden"),
            own=True, data={"note": "请快点"}, watch=EVENTS),
        Row("POST", "portal:appeal_add_info", "/portal/appeals/{sub}/add", X({"resident"}, rest="hidden"),
            own=True, data={"text": "补充：晚上更严重"}, watch=EVENTS),
        Row("POST", "portal:appeal_withdraw", "/portal/appeals/{sub}/withdraw", X({"resident"}, rest="hidden"),
            own=True, data={"reason": "已经好了"}, watch=EVENTS),
        # a photo: to those who may see its appeal (its reporter, the side handling it)
        Row("GET", "portal:appeal_photo", "/portal/appeals/{res}/photos/{photo}",
            X(HANDLERS | {"resident"}, rest="hidden")),
        Row("GET", "portal:messages", "/portal/messages/", signed_in(), far=False),
        Row("GET", "portal:message_open", "/portal/messages/{message}", signed_in(), own=True,
            watch=column("notifications.Notification", "read_at")),
        Row("POST", "portal:messages_read", "/portal/messages/read", signed_in(), far=False),
        Row("GET", "portal:settings", "/portal/settings/", signed_in(), far=False),
        # her own data (个人信息保护法): every account sees and downloads what is held about it, and asks
        Row("GET", "portal:my_data", "/portal/my-data/", signed_in(), far=False),
        Row("GET", "portal:my_data_download", "/portal/my-data/download", signed_in(), far=False),
        Row("POST", "portal:data_request", "/portal/my-data/requests", signed_in(), far=False,
            data={"kind": "delete", "text": "矩阵"}, watch=counted("accounts.DataRequest")),
        # --- 志愿服务: the staff keep a place's volunteers, shifts, points shop and errands ------------------------
        Row("GET", "staff:volunteer_list", "/staff/volunteers/?q=远方矩阵", X(KEEPERS), far=False,
            absent="{far_volunteer_name}"),
        Row("GET", "staff:volunteer_new", "/staff/volunteers/new", X(KEEPERS), far=False),
        Row("POST", "staff:volunteer_new", "/staff/volunteers/new", X(KEEPERS), far=False,
            data=lambda o, r: {"home": o["community"], "name": "矩阵在册志愿者", "skills": "patrol"},
            watch=counted("volunteers.Volunteer")),
        Row("GET", "staff:volunteer_detail", "/staff/volunteers/{volunteer_rec}/", X(KEEPERS, rest="hidden"),
            neighbour=True),
        Row("POST", "staff:volunteer_act", "/staff/volunteers/{applicant}/approve", X(KEEPERS, rest="hidden"),
            watch=column("volunteers.Volunteer", "state")),
        Row("GET", "staff:rosters", "/staff/volunteers/rosters/", X(KEEPERS), far=False),
        Row("POST", "staff:rosters", "/staff/volunteers/rosters/", X(KEEPERS), far=False,
            data=lambda o, r: {"what": "shift", "area": o["community"], "kind": "cleaning", "title": "矩阵大扫除",
                               "starts_at": o["starts_at"], "ends_at": o["ends_at"], "capacity": "5"},
            watch=counted("volunteers.Shift")),
        Row("GET", "staff:shift_detail", "/staff/volunteers/shifts/{shift}/", X(KEEPERS, rest="hidden")),
        Row("POST", "staff:shift_act", "/staff/volunteers/shifts/{shift}/cancel", X(KEEPERS, rest="hidden"),
            data={"reason": "矩阵：场地占用"}, watch=column("volunteers.Shift", "cancelled_at")),
        Row("GET", "staff:volunteer_teams", "/staff/volunteers/teams/", X(KEEPERS), far=False),
        Row("GET", "staff:volunteer_hours", "/staff/volunteers/hours/", X(KEEPERS), far=False),
        Row("GET", "staff:shop", "/staff/volunteers/shop/", X(KEEPERS), far=False),
        Row("POST", "staff:shop", "/staff/volunteers/shop/", X(KEEPERS), far=False,
            data=lambda o, r: {"area": o["community"], "name": "矩阵洗衣液", "points": "100", "stock": "3"},
            watch=counted("volunteers.ShopItem")),
        Row("POST", "staff:item_act", "/staff/volunteers/shop/items/{item}/off", X(KEEPERS, rest="hidden"),
            watch=column("volunteers.ShopItem", "is_active")),
        Row("POST", "staff:shop_order_act", "/staff/volunteers/shop/orders/{order}/hand", X(KEEPERS, rest="hidden"),
            watch=column("volunteers.Order", "state")),
        Row("GET", "staff:errands", "/staff/volunteers/errands/", X(KEEPERS), far=False),
        Row("POST", "staff:errands", "/staff/volunteers/errands/", X(KEEPERS), far=False,  # for a resident, by phone
            data=lambda o, r: {"household": o["household"], "kind": "shopping", "items": "矩阵：挂面两把"},
            watch=counted("volunteers.Errand")),
        Row("POST", "staff:errand_act", "/staff/volunteers/errands/{errand}/cancel", X(KEEPERS, rest="hidden"),
            data={"reason": "矩阵：居民已自己买到"}, watch=column("volunteers.Errand", "state")),
        # the volunteer's phone pages: anyone signed in may join; one who is no active volunteer is sent to join
        Row("GET", "portal:volunteer_home", "/portal/volunteer/", signed_in(), far=False),
        Row("GET", "portal:volunteer_register", "/portal/volunteer/join", signed_in(), far=False),
        Row("POST", "portal:volunteer_register", "/portal/volunteer/join",
            X(NOT_VOLUNTEERING, told={"volunteer"}), far=False,  # she is one already
            data=lambda o, r: {"home": o["community"], "name": "矩阵报名", "skills": "errands"},
            watch=counted("volunteers.Volunteer")),
        Row("GET", "portal:volunteer_shifts", "/portal/volunteer/shifts/", signed_in(), far=False),
        Row("POST", "portal:volunteer_shift_act", "/portal/volunteer/shifts/{shift}/book",
            X({"volunteer"}, told=NOT_VOLUNTEERING), away=NOT_VOLUNTEERING, watch=counted("volunteers.Signup")),
        Row("POST", "portal:volunteer_signup_act", "/portal/volunteer/signups/{signup}/cancel",
            X({"volunteer"}, rest="hidden"), own=True, watch=column("volunteers.Signup", "state")),
        # the code at the place: whoever scans it sees the shift; only a volunteer who may serve it checks in
        Row("GET", "portal:volunteer_check", "/portal/volunteer/check/{now_code}", signed_in(), far=False),
        Row("POST", "portal:volunteer_check", "/portal/volunteer/check/{now_code}",
            X({"volunteer"}, told=NOT_VOLUNTEERING), far=False, watch=counted("volunteers.Signup")),
        Row("GET", "portal:volunteer_points", "/portal/volunteer/points/", signed_in(), far=False),
        Row("GET", "portal:volunteer_shop", "/portal/volunteer/shop/", signed_in(), far=False),
        Row("POST", "portal:volunteer_order", "/portal/volunteer/shop/{item}/order", X({"volunteer"}, rest="hidden"),
            data=lambda o, r: {"quantity": "1", "key": f"matrix-{r}"}, watch=counted("volunteers.Order")),
        Row("POST", "portal:volunteer_order_cancel", "/portal/volunteer/orders/{order}/cancel",
            X({"volunteer"}, rest="hidden"), own=True, watch=column("volunteers.Order", "state")),
        Row("GET", "portal:volunteer_errands", "/portal/volunteer/errands/", signed_in(), far=False),
        Row("POST", "portal:volunteer_errand_act", "/portal/volunteer/errands/{errand}/claim",
            X({"volunteer"}, told=NOT_VOLUNTEERING), away=NOT_VOLUNTEERING, watch=column("volunteers.Errand", "state")),
        # a team leader's day (the volunteer leads her community's team); staff of the place check in too
        Row("GET", "portal:volunteer_team", "/portal/volunteer/team/", X({"volunteer"}, rest="hidden"), far=False),
        Row("POST", "portal:volunteer_team_act", "/portal/volunteer/team/{now_shift}/{volunteer_rec}/in",
            X(KEEPERS | {"volunteer"}, rest="hidden"), watch=counted("volunteers.Signup")),
        # 温馨到家: a resident with a verified home asks; an errand is hers (and her household's) alone, and her
        # building head's (by her own grant, not by a wider power); staff ask on the staff page
        Row("GET", "portal:errands", "/portal/errands/", signed_in(), far=False),
        Row("POST", "portal:errands", "/portal/errands/", X(VERIFIED, rest="told"), far=False,  # for her own home
            data=lambda o, r: {"household": o["household"], "kind": "medicine", "items": "矩阵：降压药一盒"},
            watch=counted("volunteers.Errand")),
        # the resident's errands, for her home: in the building head's building
        Row("POST", "portal:errand_act", "/portal/errands/{errand}/cancel", X({"resident"} | HEAD, rest="hidden"),
            data={"reason": "矩阵：不用了"}, watch=column("volunteers.Errand", "state")),
        # brought (送达): confirmed by those who may cancel it, and the volunteer's points are granted
        Row("POST", "portal:errand_act", "/portal/errands/{delivered}/confirm", X({"resident"} | HEAD, rest="hidden"),
            watch=column("volunteers.Errand", "state")),
        # --- 关爱网络: special families, their party members, visits, patches, party members --------------------
        Row("GET", "staff:care_network", "/staff/care/", X(CARERS), far=False),
        # a party member (placed at his community) is not her grid's: the grid worker finds none to pair
        Row("POST", "staff:care_act", "/staff/care/do/pair", X(CARERS - {"gridworker"}, told={"gridworker"}),
            far=False, data=lambda o, r: {"member": o["party_member"], "resident": o["unpaired"]},
            watch=counted("care.Pairing")),
        Row("GET", "staff:care_visits", "/staff/care/visits/", X(STAFF), far=False),  # her own patches: none
        Row("GET", "staff:care_visit", "/staff/care/households/{household}/visit", X(CARERS, rest="hidden"),
            neighbour=True),
        Row("POST", "staff:care_visit", "/staff/care/households/{household}/visit", X(CARERS, rest="hidden"),
            data={"kind": "routine", "finding": "well", "note": "矩阵：一切正常"}, watch=counted("care.Visit")),
        Row("GET", "staff:care_patches", "/staff/care/patches/", X(MANAGERS), far=False),
        Row("POST", "staff:care_patches", "/staff/care/patches/", X(MANAGERS), far=False,
            data=lambda o, r: {"user": o["worker_user"], "area": o["compound"]}, watch=counted("care.Patch")),
        Row("GET", "staff:party", "/staff/care/party/", X(CARERS), far=False),
        # a service post is set by those who keep the community's volunteers: the grid worker keeps none
        Row("POST", "staff:party", "/staff/care/party/", X(KEEPERS, told={"gridworker"}), far=False,
            data=lambda o, r: {"what": "post", "area": o["community"], "title": "矩阵岗位", "slots": "3"},
            watch=counted("volunteers.ServicePost")),
        # the phone's: a family's visit and request for its paired member (the volunteer), her building head, the
        # staff of its place; the care page lists a building head's households (audited), anyone's own families
        Row("GET", "portal:care", "/portal/care/", signed_in(), far=False),
        Row("GET", "portal:care_visit", "/portal/care/households/{family_household}/visit?resident={family}",
            X(CARERS | {"volunteer"} | HEAD, rest="hidden")),
        Row("POST", "portal:care_visit", "/portal/care/households/{family_household}/visit?resident={family}",
            X(CARERS | {"volunteer"} | HEAD, rest="hidden"),
            data={"kind": "care", "finding": "well", "note": "矩阵：老人安好"}, watch=counted("care.Visit")),
        # the household as a whole (no one of it named: not the member's), with a follow-up: an appeal in the same
        # step, a patrol find for the staff, for her building head an appeal she files as the resident she is
        Row("POST", "portal:care_visit", "/portal/care/households/{family_household}/visit",
            X(CARERS | HEAD, rest="hidden"), data={"kind": "routine", "finding": "concern", "follow_up": "1",
                                                   "note": "矩阵：楼道扶手松了，老人下楼不便"},
            watch=both(counted("care.Visit"), EVENTS)),
        # who may ask for a special family: her household, her paired member, her building head, the staff handling
        # her place's appeals; to anyone else who she is stays unsaid
        Row("GET", "portal:care_ask", "/portal/care/ask?resident={family}", X(HANDLERS | {"volunteer"} | HEAD,
                                                                               rest="hidden")),
        Row("POST", "portal:care_ask", "/portal/care/ask?resident={family}", X(HANDLERS | {"volunteer"} | HEAD,
                                                                                rest="hidden"),
            data=lambda o, r: {"text": "矩阵：降压药吃完了，请帮忙开药", "key": f"matrix-{r}"}, watch=EVENTS),
        Row("POST", "portal:care_request_act", "/portal/care/requests/{care_req}/take",
            X({"volunteer"}, rest="hidden"), watch=EVENTS),
        Row("GET", "portal:party", "/portal/party/", signed_in(), far=False),
        Row("POST", "portal:party", "/portal/party/", X(NOT_VOLUNTEERING, told={"volunteer"}), far=False,
            data=lambda o, r: {"community": o["community"], "name": "矩阵党员", "joined_on": "2010-07-01",
                               "employer": "矩阵单位"}, watch=counted("volunteers.PartyMember")),
        Row("POST", "portal:party_post_act", "/portal/party/posts/{claim}/leave", X({"volunteer"}, rest="hidden"),
            own=True, watch=column("volunteers.PostClaim", "ended_at")),
        # --- the API: the same rules; a visitor gets 401 ------------------------------------------------------
        Row("GET", "api:openapi-json", "/api/v1/openapi.json", public(), far=False),
        Row("GET", "api:openapi-view", "/api/v1/docs", public(), far=False),
        Row("GET", "api:api-root", "/api/v1/", X(rest="hidden", anon="hidden"), far=False),  # no page of its own
        Row("POST", "api:obtain_token", "/api/v1/auth/token", public(), far=False,
            data=lambda o, r: {"username": "resident" if r == "anonymous" else r, "password": "gongzhi-demo"}),
        Row("GET", "api:token_list", "/api/v1/auth/tokens", signed_in(), far=False),
        Row("DELETE", "api:token_revoke", "/api/v1/auth/tokens/{token}", signed_in(), own=True,
            watch=column("accounts.ApiToken", "revoked_at")),
        Row("GET", "api:me", "/api/v1/me", signed_in(), far=False),
        Row("POST", "api:request_binding", "/api/v1/bindings", signed_in(), far=False,
            data=lambda o, r: {"household_id": o["unbound_household"], "claimed_name": "矩阵"}),
        Row("GET", "api:list_areas", "/api/v1/areas?kind=district", X(STAFF, portal="ok"), far=False,
            absent="{far_area_name}"),
        Row("GET", "api:get_area", "/api/v1/areas/{area}", X(STAFF, rest="hidden"), neighbour=True),
        Row("GET", "api:area_partners", "/api/v1/areas/{compound}/partners",
            X(STAFF - {"gridworker"}, rest="hidden")),  # her grid is drawn over buildings, not compounds
        Row("GET", "api:list_households", "/api/v1/households?q=F8808", X(SEES_PEOPLE), far=False,
            absent="F8808"),
        Row("GET", "api:get_household", "/api/v1/households/{household}", X(SEES_PEOPLE, rest="hidden"),
            neighbour=True),
        Row("GET", "api:list_residents", "/api/v1/residents?q=远方矩阵居民", X(SEES_PEOPLE), far=False,
            absent="{far_resident_name}"),
        Row("GET", "api:get_resident", "/api/v1/residents/{resident}", X(SEES_PEOPLE, rest="hidden"),
            neighbour=True),
        Row("POST", "api:reveal_personal_data", "/api/v1/residents/{resident}/personal-data",
            X(FIELD, no={"subdistrict", "property", "owners"}, rest="hidden"), watch=AUDIT),
        Row("GET", "api:list_organisations", "/api/v1/organisations?q=远方矩阵物业", X(SIGNED_IN),
            far=False, absent="{far_org_name}"),
        Row("GET", "api:get_organisation", "/api/v1/organisations/{org}", X(STAFF - {"volunteer"},
                                                                             rest="hidden"), neighbour=True),
        Row("GET", "api:categories", "/api/v1/appeal-categories", signed_in(), far=False),
        Row("POST", "api:file_appeal", "/api/v1/appeals", X(HANDLERS | VERIFIED, no=PARTIES | {"volunteer",
                                                                                                "newcomer"}),
            data=lambda o, r: ({"text": "矩阵：水管漏水", "area_id": o["home_area"], "household_id": o["household"]}
                               if r in PORTAL else {"text": "矩阵：楼道灯坏了", "area_id": o["compound"],
                                                    "channel": "desk", "contact_name": "张大爷"}),
            watch=EVENTS, far=False),
        Row("GET", "api:list_appeals", "/api/v1/appeals?number={far_number}", signed_in(), far=False,
            absent="{far_number}"),
        Row("GET", "api:get_appeal", "/api/v1/appeals/{disp}", X(appeal_actions | PARTIES, rest="hidden"),
            neighbour=True),
        Row("POST", "api:accept", "/api/v1/appeals/{sub}/accept", X(HANDLERS, no={"resident"}, rest="hidden"),
            data=lambda o, r: {"category_id": o["category"]}, watch=EVENTS),
        Row("POST", "api:dispatch", "/api/v1/appeals/{acc}/dispatch",
            X(HANDLERS, no={"resident", "department"}, rest="hidden"),
            data=lambda o, r: {"party_id": o["department_org"]}, watch=EVENTS),
        Row("POST", "api:take", "/api/v1/appeals/{disp}/take", X(PARTIES, no=HANDLERS | {"resident"},
                                                                rest="hidden"), watch=EVENTS),
        Row("POST", "api:return_", "/api/v1/appeals/{prog}/return", X(PARTIES, no=HANDLERS | {"resident"},
                                                                     rest="hidden"),
            data={"reason": "不归我们管"}, watch=counted("appeals.AppealRequest", "appeals.AppealEvent")),
        Row("POST", "api:extend", "/api/v1/appeals/{prog}/extend", X(PARTIES, no=HANDLERS | {"resident"},
                                                                    rest="hidden"),
            data=lambda o, r: {"due_at": o["due_at"], "reason": "等配件"},
            watch=counted("appeals.AppealRequest", "appeals.AppealEvent")),
        Row("POST", "api:decide", "/api/v1/requests/{req}/decide", X(HANDLERS, no=PARTIES | {"resident"},
                                                                    rest="hidden"),
            data={"approve": False, "reason": "请继续办理"}, watch=column("appeals.AppealRequest", "state")),
        Row("POST", "api:transfer", "/api/v1/appeals/{prog}/transfer", X(HANDLERS | PARTIES, no={"resident"},
                                                                        rest="hidden"),
            data=lambda o, r: {"party_id": o["transfer_to"], "reason": "转给更合适的单位"}, watch=EVENTS),
        Row("POST", "api:resolve", "/api/v1/appeals/{prog}/resolve", X(PARTIES, no=HANDLERS | {"resident"},
                                                                      rest="hidden"),
            data={"reply": "已派维修工更换水管，矩阵测试 11月25日", "after_warning": True}, watch=EVENTS),
        Row("POST", "api:close_unresolved", "/api/v1/appeals/{sub}/close-unresolved",
            X(HANDLERS, no={"resident"}, rest="hidden"),
            data={"outcome": "not_ours", "reply": "不属于本社区，已告知居民"}, watch=EVENTS),
        Row("POST", "api:rate", "/api/v1/appeals/{res}/rate", X({"resident"}, no=HANDLERS, rest="hidden"),
            data={"rating": "satisfied"}, watch=EVENTS),
        Row("POST", "api:reopen", "/api/v1/appeals/{res}/reopen", X({"resident"}, no=HANDLERS, rest="hidden"),
            data={"reason": "又漏了"}, watch=EVENTS),
        Row("POST", "api:pause", "/api/v1/appeals/{prog}/pause", X(HANDLERS | PARTIES, no={"resident"},
                                                                  rest="hidden"),
            data={"reason": "等居民在家"}, watch=EVENTS),
        Row("POST", "api:resume", "/api/v1/appeals/{paused}/resume", X(HANDLERS | PARTIES, no={"resident"},
                                                                      rest="hidden"), watch=EVENTS),
        Row("POST", "api:merge", "/api/v1/appeals/{sub}/merge", X(HANDLERS, no={"resident"}, rest="hidden"),
            data=lambda o, r: {"into": str(o["acc"])}, watch=EVENTS),
        Row("POST", "api:unpublish", "/api/v1/appeals/{acc}/unpublish",
            X(HANDLERS, no={"resident", "department"}, rest="hidden"),
            data={"reason": "含有个人信息"}, watch=EVENTS),
        Row("POST", "api:whistle", "/api/v1/appeals/{prog}/whistle",
            X(HANDLERS, no=PARTIES | {"resident"}, rest="hidden"), data={"reason": "需要街道协调"},
            watch=counted("appeals.Whistle", "appeals.AppealEvent")),
        Row("POST", "api:report_in", "/api/v1/whistles/{whistle}/report-in",
            X({"department"}, no=HANDLERS | {"resident"}, rest="hidden"),  # her appeal, not her whistle
            data={"handler_name": "吴涛"}, watch=column("appeals.Whistle", "reported_at")),
        # an order names its community: the grid worker handles none whole, and each row is refused with its reason
        Row("POST", "api:take_in_hotline_orders", "/api/v1/hotline/orders", X(HANDLERS - {"gridworker"},
                                                                              told={"gridworker"}), far=False,
            data=lambda o, r: [{"order_no": f"MX-{r}", "content": "矩阵热线：路灯不亮",
                                "community": o["community_name"]}],
            watch=EVENTS),
        Row("GET", "api:figures_rates", "/api/v1/figures/rates?start={start}&end={end}", signed_in(), far=False),
        Row("POST", "api:support", "/api/v1/appeals/{board}/support", X(VERIFIED, rest="no"), far=False,
            data={"support": True}, watch=counted("appeals.AppealSupport")),
        Row("GET", "api:hotspots", "/api/v1/hotspots?area={place}", X(HANDLERS, rest="hidden")),
        Row("POST", "api:hotspot_task", "/api/v1/hotspots/{hotspot}/task",
            X(HANDLERS - {"gridworker"}, no={"gridworker"}, rest="hidden"),
            watch=column("triage.Hotspot", "task_id")),
        Row("POST", "api:reply_check", "/api/v1/appeals/{prog}/reply-check",
            X(HANDLERS | PARTIES, no={"resident"}, rest="hidden"),  # for who writes the reply, not its reader
            data={"reply": "已修好"}),
        Row("GET", "api:list_topics", "/api/v1/deliberation/topics", signed_in(), far=False,
            absent="{far_topic_title}"),
        Row("GET", "api:get_topic", "/api/v1/deliberation/topics/{topic}", X(FOLLOWERS | VERIFIED, rest="hidden")),
        Row("GET", "api:get_tally", "/api/v1/deliberation/votes/{ovote}/tally",
            X(FOLLOWERS | VERIFIED, rest="hidden")),
        # an owner's ballot: hers only, for the parts she owns on the roll (both own their homes in its building)
        Row("POST", "api:cast_ballot", "/api/v1/deliberation/votes/{ovote}/ballots", X(VERIFIED, rest="hidden"),
            data={"choice": "yes"}, watch=counted("deliberation.Ballot")),
        Row("GET", "api:figures_replies", "/api/v1/figures/replies?start={start}&end={end}", signed_in(),
            far=False),
        # 志愿服务 on the phone: her standing (anyone's: none), the shifts she may take, the shop she may order from
        Row("GET", "api:volunteer_me", "/api/v1/volunteers/me", signed_in(), far=False),
        Row("GET", "api:list_shifts", "/api/v1/volunteers/shifts", X({"volunteer"}), far=False),
        Row("POST", "api:book_shift", "/api/v1/volunteers/shifts/{shift}/signups", X({"volunteer"}),
            away=NOT_VOLUNTEERING, watch=counted("volunteers.Signup")),
        Row("GET", "api:list_items", "/api/v1/volunteers/items", signed_in(), far=False),
        Row("POST", "api:place_order", "/api/v1/volunteers/orders", X({"volunteer"}, rest="hidden"),
            data=lambda o, r: {"item": o["item"], "quantity": 1}, watch=counted("volunteers.Order")),
        # the holder cancels hers; the shop's staff cancel at the counter only with a reason (none is sent here)
        Row("POST", "api:cancel_order", "/api/v1/volunteers/orders/{order}/cancel",
            X({"volunteer"}, bad=KEEPERS, rest="hidden"), watch=column("volunteers.Order", "state")),
    ]


def faults() -> list[Row]:
    """Rows the app does not answer as they state: faults found when they were written, reported, not yet fixed.
    ``test_known_faults`` tries each for every role and is expected to fail; once the app is fixed it passes, which
    fails it on purpose: then let the row replace its namesake in ``rows()``, which leaves out the part that fails
    (marked ``# faults()`` there)."""
    return []  # none known


# --- the objects -------------------------------------------------------------------------------------------------

# keys that name a row by id: swapped for a far object's or a missing id on the out-of-area tries
OBJECT_KEYS = ("area", "building", "compound", "household", "part", "resident", "org", "link", "sub", "acc", "disp",
               "prog", "paused", "res", "req", "sup", "whistle", "photo", "template", "hotspot", "ledger_batch",
               "hotline_batch", "token", "message", "binding", "pending_binding", "resident_user", "grant", "place",
               "data_request", "council", "member", "topic", "proposed", "meeting", "cvote", "ovote", "ballot",
               "objection", "project", "cosigning", "volunteer_rec", "applicant", "shift", "signup", "now_shift",
               "item", "order", "errand", "delivered", "family", "family_household", "care_req", "claim")
MISSING = 99_999_999


def _jpeg() -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def _deliberation(*, admin, community, building, owner, owner_user, tag: str) -> dict:
    """A council over ``community`` and topics on ``building`` at the stages the rows act on: one proposed, one with a
    meeting scheduled, one under deliberation, one with a council vote open, one with an owners' vote open (a paper
    sheet entered), one under notice with ``owner_user``'s objection, one carried out as a project, and one
    collecting co-signers (proposed by someone else of ``owner``'s household)."""
    from gongzhi.accounts.choices import BindingStatus
    from gongzhi.accounts.models import HouseholdBinding, User
    from gongzhi.deliberation import services as d
    from gongzhi.deliberation.models import RollEntry, SeatKind, SeatTemplate, Topic
    from gongzhi.deliberation.seats import seed
    from gongzhi.registry import services as registry

    seed(SeatTemplate, SeatKind)
    now = timezone.now()
    template = SeatTemplate.objects.get(code="7x")
    council = d.council_create(actor=admin, area=community, name=f"{tag}议事会", template=template,
                               cosign_threshold=5)
    member = d.member_seat(actor=admin, council=council, seat=template.kinds.get(code="two_committees"),
                           name=f"{tag}代表")

    def topic(title):
        return d.topic_propose(actor=admin, council=council, scope=building, title=f"{tag}{title}",
                               body="矩阵：议题的内容与说明。")

    def deliberating(title):
        t = topic(title)
        d.topic_accept(actor=admin, topic=t)
        m = d.meeting_schedule(actor=admin, topic=t, starts_at=now, place="矩阵议事厅")
        d.attendance_mark(actor=admin, attendance=m.attendance.first(), present=True)
        d.meeting_close(actor=admin, meeting=m, minutes="矩阵：各方发表意见，形成共识。")
        return t

    def resolved(title):
        t = deliberating(title)
        v = d.vote_open(actor=admin, topic=t, kind="council", question="矩阵成员表决", closes_at=now + timedelta(days=1))
        d.ballot_enter(actor=admin, vote=v, member=member, choice="yes", channel="meeting")
        d.vote_close(actor=admin, vote=v)
        d.resolution_publish(actor=admin, topic=t, body="矩阵：决议的内容与说明。")
        return t

    proposed = topic("待受理议题")
    prepared = topic("筹备议题")
    d.topic_accept(actor=admin, topic=prepared)
    meeting = d.meeting_schedule(actor=admin, topic=prepared, starts_at=now + timedelta(days=1), place="矩阵议事厅")
    main = deliberating("协商议题")
    unsold = registry.household_create(actor=admin, area=building, room="矩阵9901")  # the developer's: a paper ballot
    registry.part_create(actor=admin, household=unsold, measured_area="90", developer_held=True)
    cvote = d.vote_open(actor=admin, topic=deliberating("成员表决议题"), kind="council", question="矩阵成员表决",
                        closes_at=now + timedelta(days=1))
    ovote = d.vote_open(actor=admin, topic=deliberating("业主表决议题"), kind="owners", matter="use_fund",
                        question="矩阵业主表决", closes_at=now + timedelta(days=2))
    other = RollEntry.objects.filter(vote=ovote, part__household=unsold).get().part
    ballot = d.ballot_enter(actor=admin, vote=ovote, part=other, choice="no", channel="paper", sheet=_jpeg())
    publicised = resolved("公示议题")
    objection = d.objection_raise(actor=owner_user, topic=publicised, reason="矩阵：我对决议有异议")
    done = resolved("实施议题")
    Topic.objects.filter(pk=done.pk).update(notice_ends_at=now - timedelta(seconds=1))
    d.topics_take_effect()
    project = d.project_start(actor=admin, topic=done, title="矩阵项目", lead="矩阵", budget="1000",
                              funding=[("finance", "1000", "")], milestones=[("完工", now.date() + timedelta(days=30))])
    family = User.objects.create_user(f"matrix-family-{owner.pk}", display_name=f"{tag}家属")
    HouseholdBinding.objects.create(user=family, household=owner.household, claimed_name=f"{tag}家属",
                                    status=BindingStatus.VERIFIED)
    cosigning = d.topic_propose(actor=family, council=council, scope=building, title=f"{tag}联署议题",
                                body="矩阵：居民提出、征集联署的议题。")
    return {"council": council.pk, "member": member.pk, "topic": main.pk, "proposed": proposed.pk,
            "meeting": meeting.pk, "cvote": cvote.pk, "ovote": ovote.pk, "ballot": ballot.pk,
            "objection": objection.pk, "project": project.pk, "project_topic": done.pk, "cosigning": cosigning.pk,
            "seat": template.kinds.get(code="residents").pk, "seat_template": template.pk,
            "starts_at": timezone.localtime(now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")}


def _volunteering(*, staff, community, household, asker, volunteer_user, tag: str) -> dict:
    """``community``'s volunteers as the rows act on them: ``volunteer_user`` registered, approved by ``staff``,
    leading a team, with points, booked on a shift and with an order waiting at the counter; one enrolled by the
    staff (no account of her own), one waiting for approval; a shift ahead, one on now (the team's), an item on the
    shelf, and ``asker``'s errands for ``household``: one open for a volunteer to claim, one brought by
    ``volunteer_user`` waiting to be confirmed."""
    from gongzhi.accounts.models import User
    from gongzhi.registry.choices import OrgKind
    from gongzhi.registry.models import Organisation
    from gongzhi.volunteers import services as v

    now = timezone.now()
    team = (Organisation.objects.filter(kind=OrgKind.VOLUNTEER_TEAM, home_area=community, is_active=True)
            .order_by("id").first()
            or Organisation.objects.create(kind=OrgKind.VOLUNTEER_TEAM, name=f"{tag}巡逻队", home_area=community))
    me = v.volunteer_register(actor=volunteer_user, home=community, name=f"{tag}志愿者", skills=["patrol"])
    me = v.volunteer_decide(actor=staff, volunteer=me, decision="approve")
    v.team_join(actor=staff, team=team, volunteer=me, leader=True)
    account = v.account_of(me)
    v.points_adjust(actor=staff, account=account, delta=500, reason="矩阵：起始积分")
    enrolled = v.volunteer_enrol(actor=staff, home=community, name=f"{tag}在册志愿者")
    applicant = v.volunteer_register(actor=User.objects.create_user(f"matrix-applicant-{community.pk}"),
                                     home=community, name=f"{tag}报名者")

    def shift(start, hours=2, **kw):
        return v.shift_create(actor=staff, area=community, kind="patrol", title=f"{tag}巡逻", starts_at=start,
                              ends_at=start + timedelta(hours=hours), capacity=3, **kw)

    ahead, booked = shift(now + timedelta(days=1)), shift(now + timedelta(days=3))
    on_now = shift(now - timedelta(minutes=10), hours=8, team=team)  # checked in by the code or the leader
    item = v.item_create(actor=staff, area=community, name=f"{tag}毛巾", points=30, stock=10)
    errand = v.errand_request(actor=asker, household=household, kind="shopping", items="矩阵：挂面两把、鸡蛋一斤")
    delivered = v.errand_request(actor=asker, household=household, kind="medicine", items="矩阵：降压药一盒")
    v.errand_claim(actor=volunteer_user, errand=delivered)
    v.errand_deliver(actor=volunteer_user, errand=delivered, amount="36.50")
    return {"volunteer_rec": enrolled.pk, "applicant": applicant.pk, "shift": ahead.pk, "now_shift": on_now.pk,
            "now_code": on_now.code, "signup": v.signup_book(actor=volunteer_user, shift=booked).pk,
            "item": item.pk, "errand": errand.pk, "delivered": delivered.pk,
            "order": v.order_place(actor=volunteer_user, account=account, item=item, key=f"{tag}-order").pk,
            "ends_at": timezone.localtime(now + timedelta(days=2, hours=2)).strftime("%Y-%m-%dT%H:%M")}


def _caring(*, staff, community, families, member_user, tag: str) -> dict:
    """``community``'s care network: ``member_user`` reported as a party member, paired with the first of two
    residents made special families (the other waits for a member), holding her request, and claiming a service
    post."""
    from gongzhi.care import services as care
    from gongzhi.registry.choices import OrgKind, SpecialFamily
    from gongzhi.registry.models import Organisation, ResidentSpecialFamily
    from gongzhi.volunteers import services as v
    from gongzhi.volunteers.services.party import branch_of

    if branch_of(community) is None:
        Organisation.objects.create(kind=OrgKind.PARTY_ORG, name=f"中共{tag}社区委员会", home_area=community)
    member = v.party_member_report(actor=member_user, community=community, name=f"{tag}党员",
                                   joined_on=timezone.localdate() - timedelta(days=3650), employer=f"{tag}医院")
    for person in families:
        ResidentSpecialFamily.objects.get_or_create(resident=person, kind=SpecialFamily.SOLITARY)
    family, unpaired = families
    care.pair(actor=staff, member=member, resident=family)
    post = v.post_create(actor=staff, area=community, title=f"{tag}楼门长助理", slots=5)
    return {"family": family.pk, "family_household": family.household_id, "unpaired": unpaired.pk,
            "party_member": member.pk, "claim": v.post_claim(actor=member_user, post=post).pk,
            "care_req": care.care_request_file(actor=staff, resident=family, text="矩阵：降压药吃完了，请帮忙开药").pk}


def _build() -> dict:
    """The appeals, batches, tokens… each role acts on, once per module; and the far district's."""
    from gongzhi.access.roles import Role
    from gongzhi.accounts.choices import BindingStatus
    from gongzhi.accounts.models import DataRequest, HouseholdBinding, User
    from gongzhi.accounts.services import api_token_issue, verified_households
    from gongzhi.appeals import services
    from gongzhi.appeals.choices import Channel
    from gongzhi.appeals.models import Category, HotlineFile, HotlineImport, ReplyTemplate
    from gongzhi.appeals.tracking import tracking_token
    from gongzhi.notifications.models import Notification
    from gongzhi.registry import services as registry
    from gongzhi.registry.choices import AreaKind, OrgKind
    from gongzhi.registry.models import (
        Area,
        ExclusivePart,
        Household,
        LedgerFile,
        LedgerImport,
        Organisation,
        Resident,
    )
    from gongzhi.registry.views import _resident_initial
    from gongzhi.triage.models import Hotspot, HotspotRun
    from gongzhi.volunteers.services import volunteer_enrol
    from tests import factories

    get = User.objects.get
    admin, resident_user, newcomer = get(username="admin"), get(username="resident"), get(username="newcomer")
    leak = Category.objects.get(code="property-leak")
    home = verified_households(resident_user).select_related("area").get()
    person = Resident.objects.filter(household=home).order_by("id").first()
    building = Area.objects.get(pk=home.building_id)
    compound, community = Area.objects.get(pk=home.compound_id), Area.objects.get(pk=home.community_id)
    grid = Area.objects.get(pk=home.grid_id)
    other_grid = Area.objects.filter(kind=AreaKind.GRID, community=community).exclude(pk=grid.pk).order_by("id").first()
    # the building head heads the resident's building (accounts/demo.py takes both from the grid worker's grid): the
    # resident's home and errands, and the special families below, are of her building
    head = get(username="buildinghead")
    head_home = verified_households(head).get()
    assert head.role_grants.get().area_id == head_home.building_id == building.pk, \
        "the matrix expects the building head to live in and head the resident's building"
    now = timezone.now()

    def org_of(username):
        return get(username=username).role_grants.get().organisation

    def committee(area):
        return Organisation.objects.filter(kind=OrgKind.RESIDENTS_COMMITTEE, area_roles__area_id=area.community_id
                                           ).order_by("id").first()

    def file(where, *, by=admin, household=None, text="矩阵：水管漏水"):
        channel = Channel.DESK if by == admin else Channel.PORTAL
        return services.appeal_submit(channel=channel, text=text, area=where, household=household, actor=by,
                                      category=leak, public=True, contact_name="张大爷", contact_phone="13912345678")

    def accepted(where, **kw):
        appeal = file(where, **kw)
        return services.appeal_accept(appeal=appeal, actor=admin)

    def dispatched(where, party, **kw):
        return services.appeal_dispatch(appeal=accepted(where, **kw), actor=admin, party=party)

    def taken(where, party, staff, **kw):
        return services.appeal_take(appeal=dispatched(where, party, **kw), actor=staff)

    def resolved(where, **kw):
        return services.appeal_resolve(appeal=accepted(where, **kw), actor=admin,
                                       reply="已派维修工更换水管，矩阵测试 11月25日", after_warning=True)

    def party_set(where, party, staff, **kw):
        """The appeals a party works: dispatched, taken, paused, one with a return waiting, one urged."""
        prog = taken(where, party, staff, **kw)
        paused = services.appeal_pause(appeal=taken(where, party, staff, **kw), actor=admin, reason="等居民在家")
        req = services.appeal_return(appeal=taken(where, party, staff, **kw), actor=staff, reason="不归我们管")
        sup = services.appeal_urge(appeal=prog, actor=admin, note="请加快")
        return {"disp": dispatched(where, party, **kw).pk, "prog": prog.pk, "paused": paused.pk, "req": req.pk,
                "sup": sup.pk, "transfer_to": committee(where).pk}

    def batch(model, file_model, user, name="file.xlsx"):
        """A failed import whose file is kept: its uploader may start it again (重新导入)."""
        made = model.objects.create(uploaded_by=user, file_name=name, sha256="0", status="failed")
        file_model.objects.create(batch=made, data=b"")
        return made.pk

    # the far district: a place of every kind, its people, a property company with its clerk, their appeals
    d = registry.area_create(actor=admin, kind="district", name="远方矩阵区")
    s = registry.area_create(actor=admin, kind="subdistrict", name="远方矩阵街道", parent=d)
    c = registry.area_create(actor=admin, kind="community", name="远方矩阵社区", parent=s)
    g = registry.area_create(actor=admin, kind="grid", name="远方矩阵一网格", parent=c)
    k = registry.area_create(actor=admin, kind="compound", name="远方矩阵小区", parent=c)
    b = registry.area_create(actor=admin, kind="building", name="远方矩阵1号楼", parent=k, grid=g)
    hh = registry.household_create(actor=admin, area=b, room="F8808")
    far_person = registry.resident_create(actor=admin, household=hh, name="远方矩阵居民", relation="head",
                                          tenure="owner", status="present", phone="13800001111")
    far_org = factories.organisation(name="远方矩阵物业", serving=[k], staff_role=Role.PROPERTY_STAFF)
    factories.organisation(kind=OrgKind.RESIDENTS_COMMITTEE, name="远方矩阵居委会", serving=[c])
    far_staff = get(username=f"staff-{far_org.pk}")
    far_user = User.objects.create_user("far-resident", display_name="远方矩阵居民", phone="13800001111")
    far_binding = HouseholdBinding.objects.create(user=far_user, household=hh, resident=far_person,
                                                  claimed_name=far_person.name, status=BindingStatus.VERIFIED,
                                                  decided_at=now)
    far_waiting = HouseholdBinding.objects.create(user=User.objects.create_user("far-newcomer"), household=hh,
                                                  claimed_name="远方新人")
    far_res = resolved(b, by=far_user, household=hh)
    far_acc = accepted(b)
    far_whistle = services.appeal_whistle(appeal=far_acc, actor=admin, reason="需要街道协调")
    far_part = registry.part_create(actor=admin, household=hh, measured_area="88", owner=far_person)
    far = {"area": b.pk, "building": b.pk, "compound": k.pk, "household": hh.pk, "part": far_part.pk,
           "resident": far_person.pk,
           "org": far_org.pk, "link": far_org.area_roles.get().pk, "sub": file(b).pk, "acc": far_acc.pk,
           "res": far_res.pk, "whistle": far_whistle.pk, "place": c.pk,
           **{key: v for key, v in party_set(b, far_org, far_staff).items() if key != "transfer_to"},
           "photo": services.appeal_add_photos(appeal=far_res, actor=far_user, files=[_jpeg()])[0].pk,
           "template": ReplyTemplate.objects.create(community=c, title="远方模板",
                                                    text="您好，问题已经处理完毕，感谢您的反映。").pk,
           # another's batches, their files kept: the city's roles would start them again were they not hers
           "ledger_batch": batch(LedgerImport, LedgerFile, far_staff),
           "hotline_batch": batch(HotlineImport, HotlineFile, far_staff),
           "token": api_token_issue(user=far_staff, name="far")[0].pk,
           "message": Notification.objects.create(user=far_staff, title="远方", key="matrix").pk,
           "binding": far_binding.pk, "pending_binding": far_waiting.pk, "resident_user": far_user.pk,
           "data_request": DataRequest.objects.create(user=far_user, community=c, kind="correct", text="远方").pk,
           "grant": far_staff.role_grants.get().pk,
           "far_number": far_res.number, "far_area_name": "远方矩阵", "far_resident_name": "远方矩阵居民",
           "far_org_name": "远方矩阵物业", "far_building_name": b.name,
           "far_link": f"/staff/appeals/{far_res.pk}/"}

    far_talks = _deliberation(admin=admin, community=c, building=b, owner=far_person, owner_user=far_user,
                              tag="远方矩阵")
    far.update({k: v for k, v in far_talks.items() if k in OBJECT_KEYS},
               far_topic_title="远方矩阵协商议题", far_council_name="远方矩阵议事会")
    far_volunteer = User.objects.create_user("far-volunteer", display_name="远方矩阵志愿者")
    far.update({k: v for k, v in _volunteering(staff=admin, community=c, household=hh, asker=far_user,
                                               volunteer_user=far_volunteer, tag="远方矩阵").items()
                if k in OBJECT_KEYS}, far_volunteer_name="远方矩阵在册志愿者")
    lonely = registry.resident_create(actor=admin, household=hh, name="远方矩阵独居老人", relation="other",
                                      tenure="tenant", status="present")
    far.update({k: v for k, v in _caring(staff=admin, community=c, families=[far_person, lonely],
                                         member_user=far_user, tag="远方矩阵").items() if k in OBJECT_KEYS})

    run = HotspotRun.objects.create(scope=None, start=now - timedelta(days=30), end=now)

    def hotspot(place):
        return Hotspot.objects.create(run=run, rank=1, place=place, community_id=place.community_id,
                                      subdistrict_id=place.subdistrict_id, category=leak, title="矩阵热点",
                                      appeal_ids=[], appeals=3, reporters=3, supports=0, recent=3, before=0,
                                      heat=3.0, first_at=now - timedelta(days=3), last_at=now).pk

    far["hotspot"] = hotspot(k)

    # the community side's: about the verified resident's home, filed by her
    mine = {"by": resident_user, "household": home}
    res = resolved(building, **mine)
    acc = accepted(building, **mine)
    department = org_of("department")
    whistle = services.appeal_whistle(appeal=acc, actor=admin, reason="需要住建委协调", department=department)
    common = {
        "community": community.pk, "community_name": community.name, "category": leak.pk,
        "department_org": department.pk, "home_area": home.area_id,
        "sub": file(building, **mine).pk, "acc": acc.pk, "board": accepted(building).pk,
        "unbound_household": Household.objects.filter(building=building, bindings__isnull=True).order_by("id")
        .first().pk, "res": res.pk, "whistle": whistle.pk,
        "photo": services.appeal_add_photos(appeal=res, actor=resident_user, files=[_jpeg()])[0].pk,
        "track_token": tracking_token(res),
        "template": services.reply_template_save(actor=get(username="secretary"), community=community,
                                                 title="矩阵模板", text="您好，问题已经处理完毕，感谢您的反映。").pk,
        "hotspot": hotspot(compound), "pending_binding": newcomer.bindings.get().pk,
        "resident_user": resident_user.pk, "grant": get(username="gridworker").role_grants.get().pk,
        "data_request": DataRequest.objects.create(user=resident_user, community=community, kind="correct",
                                                   text="出生日期有误").pk,
        "due_at": (now + timedelta(days=20)).isoformat(), "start": (now - timedelta(days=30)).date().isoformat(),
        "end": now.date().isoformat(),
        **{key: value for key, value in far.items() if key.startswith("far_")},  # what lists must not show
    }
    bound = resident_user.bindings.get().resident
    registry.part_create(actor=admin, household=home, kind="garage", number="矩阵G-1", measured_area="15", owner=bound)
    common.update(_deliberation(admin=admin, community=community, building=building, owner=bound,
                                owner_user=resident_user, tag="矩阵"))
    # the volunteer account serves her community (and leads its team), and as a party member cares for a family
    common.update(_volunteering(staff=get(username="worker"), community=community, household=home,
                                asker=resident_user, volunteer_user=get(username="volunteer"), tag="矩阵"))
    # two of the grid's people, neither of a home bound to an account, as special families: of the resident's
    # building, which the building head heads
    unbound = Resident.objects.filter(building=building, status="present").exclude(household__bindings__isnull=False)
    common.update(_caring(staff=get(username="worker"), community=community, families=list(unbound.order_by("id")[:2]),
                          member_user=get(username="volunteer"), tag="矩阵"),
                  worker_user=get(username="worker").pk)
    # where each role works: the community side in the resident's grid, the partners where they serve
    places = {"community": {"area": building, "compound": compound, "person": person, "org": committee(building),
                            "grid": other_grid}}
    for role in ("property", "owners"):
        org = org_of(role)
        served = Area.objects.get(pk=org.area_roles.order_by("id").first().area_id)
        owner = Resident.objects.filter(compound=served, tenure="owner").order_by("id").first()
        places[role] = {"area": Area.objects.filter(kind=AreaKind.BUILDING, compound=served).order_by("id").first(),
                        "compound": served, "person": owner, "org": org, "grid": other_grid}
    places["department"] = {**places["community"], "org": department}
    places["buildinghead"] = {**places["community"], "person": head.bindings.get().resident}  # her own home
    sets = {"community": party_set(building, department, get(username="department"), **mine),
            "property": party_set(places["property"]["compound"], org_of("property"), get(username="property")),
            "owners": party_set(places["owners"]["compound"], org_of("owners"), get(username="owners"))}
    sets["department"] = sets["buildinghead"] = sets["community"]

    own_place = {"gridworker": grid, "subdistrict": Area.objects.get(pk=community.subdistrict_id),
                 "district": Area.objects.get(pk=community.district_id),
                 "department": Area.objects.get(pk=community.district_id),
                 "property": places["property"]["compound"], "owners": places["owners"]["compound"],
                 "buildinghead": building}
    batches = {}
    for username in HANDLERS:
        user = get(username=username)
        batches[username] = (batch(LedgerImport, LedgerFile, user) if username in LEDGER else None,
                             batch(HotlineImport, HotlineFile, user))
    per_role = {}
    for role in ROLES:
        username = "resident" if role == "anonymous" else role
        user = get(username=username)
        side = role if role in places else "community"
        where = places[side]
        objects = {**common, **sets[side],
                   "area": where["area"].pk, "building": where["area"].pk, "compound": where["compound"].pk,
                   "household": where["person"].household_id,
                   "part": ExclusivePart.objects.filter(household_id=where["person"].household_id, kind="dwelling")
                   .get().pk,
                   "part_owner": ExclusivePart.objects.filter(household_id=where["person"].household_id,
                                                              kind="dwelling").get().owner_id or "",
                   "resident": where["person"].pk, "org": where["org"].pk,
                   "link": where["org"].area_roles.order_by("id").first().pk, "other_grid": where["grid"].pk,
                   "place": own_place.get(role, community).pk,
                   "ledger_batch": batches[role][0] if role in LEDGER else batches["secretary"][0],
                   "hotline_batch": batches.get(role, batches["operator"])[1],
                   "token": api_token_issue(user=user, name="matrix")[0].pk,
                   "message": Notification.objects.create(user=user, title="矩阵", key=f"matrix-{role}").pk,
                   "binding": (user if role in PORTAL else resident_user).bindings.get().pk}
        objects["resident_form"] = {k: ("" if v is None else v) for k, v in
                                    _resident_initial(where["person"]).items()} | {"note": "矩阵：已上门核实"}
        if role in HEAD:
            objects["home_area"] = head_home.area_id  # where she files for her home
        per_role[role] = objects
    # the next community of the same subdistrict: the subdistrict's, not the community's
    other = Area.objects.filter(kind=AreaKind.COMMUNITY, subdistrict_id=community.subdistrict_id).exclude(
        pk=community.pk).order_by("id").first()
    next_door = Resident.objects.filter(community=other, relation="head").order_by("id").first()
    next_compound = Area.objects.get(pk=next_door.compound_id)
    neighbour = {"area": next_door.building_id, "household": next_door.household_id, "resident": next_door.pk,
                 "org": committee(next_compound).pk, "disp": dispatched(next_compound, department).pk,
                 "volunteer_rec": volunteer_enrol(actor=get(username="subdistrict"), home=other, name="邻社区志愿者").pk}
    return {"roles": per_role, "far": far, "neighbour": neighbour}


@pytest.fixture(scope="module")
def objects(django_db_setup, django_db_blocker):
    """Built once for the module in a transaction rolled back at its end (each test rolls back its own inside)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# --- asking ------------------------------------------------------------------------------------------------------


def classify(response) -> str:
    status = response.status_code
    if status >= 500:
        return "error"
    if status == 401:
        return "login"
    if 300 <= status < 400:
        return "login" if "/login/" in response["Location"] else "ok"
    if status < 300:
        return "ok"
    return {403: "no", 404: "hidden", 405: "method"}.get(status, "bad")


def ask(client: Client, row: Row, objects: dict, role: str) -> tuple[str, str, bool, str]:
    """The class of the answer, the path asked, whether what the row watches changed, and the page when a list
    row needs reading. Rolled back after."""
    path = row.path.format(**objects)
    data = row.data(objects, role) if callable(row.data) else (row.data or {})
    with transaction.atomic():
        before = row.watch() if row.watch else None
        if row.api and row.method != "GET":
            response = client.generic(row.method, path, data=json.dumps(data),
                                      content_type="application/json")
        elif row.method == "GET":
            response = client.get(path)
        else:
            response = client.generic(row.method, path, data=urlencode(
                data, doseq=True), content_type="application/x-www-form-urlencoded")
        changed = row.watch is not None and row.watch() != before
        transaction.set_rollback(True)
    cls = classify(response)
    if cls == "ok" and row.watch is not None and row.method != "GET" and not changed:
        cls = "told"
    body = ""
    if cls == "ok" and row.absent:  # JSON escapes Chinese: read it back to compare
        is_json = response.get("Content-Type", "").startswith("application/json")
        body = json.dumps(response.json(), ensure_ascii=False) if is_json else response.content.decode()
    return cls, path, changed, body


def client_for(role: str) -> Client:
    from gongzhi.accounts.models import User

    client = Client()
    if role != "anonymous":
        client.force_login(User.objects.get(username=role))
    return client


# --- the endpoints -----------------------------------------------------------------------------------------------

# the Django admin has its own staff flag and permissions: tests/web/test_admin_pages.py walks it
SEPARATELY = ("admin:",)


def endpoints() -> set[tuple[str, str]]:
    """Every page (by URL name) and every API operation (by url name and method) the project serves."""
    from gongzhi.api import api

    found: set[tuple[str, str]] = set()

    def walk(resolver, namespace=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                if not inner.startswith(SEPARATELY):
                    walk(pattern, inner)
            elif isinstance(pattern, URLPattern):
                assert pattern.name, f"a URL without a name cannot be held to the matrix: {pattern.pattern}"
                name = f"{namespace}{pattern.name}"
                if name.startswith("api:"):
                    continue  # the API's operations are listed by method below
                found.add((name, "*"))

    walk(get_resolver())
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for method in operation.methods:
                    name = getattr(operation, "url_name", "") or api.get_operation_url_name(operation, router=router)
                    found.add((f"api:{name}", method))
    # ninja's own: the schema, its page and the root
    found |= {("api:openapi-json", "GET"), ("api:openapi-view", "GET"), ("api:api-root", "GET")}
    return found


def test_every_endpoint_has_an_expectation():
    covered = {(r.route, r.method if r.api else "*") for r in rows() + faults()}
    missing = sorted(endpoints() - covered)
    assert not missing, f"endpoints with no row in the role matrix (add one, by the role's job): {missing}"
    stale = sorted(covered - endpoints())
    assert not stale, f"rows for endpoints that no longer exist: {stale}"


def test_the_matrix_states_every_role():
    for row in rows() + faults():
        assert set(row.expect) == set(ROLES), row


# --- the matrix --------------------------------------------------------------------------------------------------


def _outside(row: Row, role: str, inside: str, missing: str) -> str | None:
    """What she must get for the far district's object: the city's roles what they get inside (their own rows
    aside), others 404 where they may act inside and otherwise what a missing id gets. None: not asked (an action
    of the city's on the far objects, which are in other states)."""
    if role in row.away:
        return inside
    if role in CITY and not row.own:
        return inside if row.method == "GET" else None
    return "hidden" if inside in ("ok", "told", "bad") else missing


def _try(client: Client, row: Row, role: str, objects: dict) -> list[str]:
    """What is wrong in the answers ``role`` gets to ``row``: on her own objects, on the far district's and a missing
    id, and in the next community."""
    mine, far = objects["roles"][role], objects["far"]
    elsewhere = {**mine, **{k: far[k] for k in OBJECT_KEYS if k in far}}
    nowhere = {**mine, **dict.fromkeys(OBJECT_KEYS, MISSING)}
    wrong = []
    expected = row.expect[role]
    asking = client_for(role) if row.fresh else client
    got, path, changed, body = ask(asking, row, mine, role)
    if got != expected:
        wrong.append(f"{row.method} {path}: expected {expected}, got {got}")
    if changed and got != "ok":
        wrong.append(f"{row.method} {path}: refused ({got}) but changed what it acts on")
    if row.absent and got == "ok" and role not in CITY and row.absent.format(**far) in body:
        wrong.append(f"{row.method} {path}: lists the far district's {row.absent.format(**far)}")
    if row.absent and role == "admin" and body and row.absent.format(**far) not in body:
        # the administrator sees the whole city: were the far object missing here too, the check above
        # could not fail for anyone
        wrong.append(f"{row.method} {path}: does not list {row.absent.format(**far)} even to the administrator")
    if not row.far:
        return wrong
    if role in row.away:  # sent away before the object is read: a missing id gets the same
        missing, path, _changed, _body = ask(client, row, nowhere, role)
        if missing != expected:
            wrong.append(f"{row.method} {path} (a missing id): expected {expected}, got {missing}")
    else:
        missing = ask(client, row, nowhere, role)[0] if expected not in ("ok", "told", "bad") else "hidden"
    out = _outside(row, role, expected, missing)
    if out is None:
        return wrong
    got, path, changed, _body = ask(client, row, elsewhere, role)
    if got != out:
        wrong.append(f"{row.method} {path} (outside her area): expected {out}, got {got}")
    if changed and got != "ok":
        wrong.append(f"{row.method} {path} (outside her area): refused ({got}) but changed what it acts on")
    if row.neighbour and role in COMMUNITY | OVERSEERS | CITY | {"volunteer"}:
        # the next community is the subdistrict's and the district's, not the community's
        out = expected if role in OVERSEERS | CITY else "hidden" if expected == "ok" else expected
        got, path, _changed, _body = ask(client, row, {**mine, **objects["neighbour"]}, role)
        if got != out:
            wrong.append(f"{row.method} {path} (the next community): expected {out}, got {got}")
    return wrong


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(role, objects):
    client = client_for(role)
    wrong = [line for row in rows() for line in _try(client, row, role, objects)]
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


@pytest.mark.django_db
@pytest.mark.parametrize("row", faults(), ids=str)
@pytest.mark.xfail(strict=True, reason="a known fault of the app's (see faults()): once fixed, move the row to rows()")
def test_known_faults(row, objects):
    wrong = [f"{role}: {line}" for role in ROLES for line in _try(client_for(role), row, role, objects)]
    assert not wrong, "\n".join(wrong)
