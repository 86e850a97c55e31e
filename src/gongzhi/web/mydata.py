"""What the system holds about one resident, and who looked at it (个人信息保护法 art. 45): read from every app for
her 我的信息 page and its download. It lives in the shell because it reads across the apps; nothing writes here."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from gongzhi.accounts.choices import BindingStatus
from gongzhi.accounts.models import DataRequest, HouseholdBinding
from gongzhi.appeals.models import Appeal
from gongzhi.core.models import AuditEvent
from gongzhi.notifications.models import Notification
from gongzhi.registry.choices import PLACE_KINDS
from gongzhi.registry.models import ExclusivePart, Resident

MAX_APPEALS = 500
MAX_VIEWS = 200


@dataclass
class MyData:
    user: object
    bindings: list = field(default_factory=list)
    residents: list = field(default_factory=list)  # her records in the ledger, through her verified bindings
    appeals: list = field(default_factory=list)
    notifications: int = 0
    views: list = field(default_factory=list)  # who looked at or exported her data, newest first
    requests: list = field(default_factory=list)


def my_data(user) -> MyData:
    bindings = list(HouseholdBinding.objects.filter(user=user).select_related(
        "household__compound", "household__building", "household__unit").order_by("-id"))
    resident_ids = [b.resident_id for b in bindings if b.status == BindingStatus.VERIFIED and b.resident_id]
    residents = list(Resident.objects.filter(pk__in=resident_ids).select_related(
        "household__compound", "household__building", "household__unit").prefetch_related(
        "special_families", Prefetch("owned_parts", queryset=ExclusivePart.objects.select_related(
            "household__compound", "household__building", "household__unit"))))
    appeals = list(Appeal.objects.filter(reporter=user).select_related("category").order_by("-id")[:MAX_APPEALS])
    return MyData(
        user=user, bindings=bindings, residents=residents, appeals=appeals,
        notifications=Notification.objects.filter(user=user).count(),
        views=list(_views(user, residents, appeals)),
        requests=list(DataRequest.objects.filter(user=user).order_by("-id")),
    )


def _views(user, residents: list[Resident], appeals: list[Appeal]):
    """Staff looking at her record, her account or her appeals' contact, and exports of a ledger she is in."""
    places = {str(pk) for r in residents for kind in PLACE_KINDS if (pk := getattr(r, f"{kind}_id", None))}
    about_her = (
        Q(target_type="registry.resident", target_id__in=[str(r.pk) for r in residents])
        | Q(target_type="accounts.user", target_id=str(user.pk))
        | Q(target_type="appeals.appeal", target_id__in=[str(a.pk) for a in appeals],
            action=AuditEvent.Action.VIEW_PERSONAL_DATA)
        | Q(target_type="registry.area", target_id__in=places, action=AuditEvent.Action.EXPORT_PERSONAL_DATA)
    )
    return (AuditEvent.objects.filter(about_her).exclude(actor=user).select_related("actor")
            .order_by("-at", "-id")[:MAX_VIEWS])


def as_download(data: MyData) -> dict:
    """Everything on her page, as one JSON document she keeps."""
    user = data.user
    return {
        "account": {"username": user.username, "name": user.display_name, "phone": user.phone or "",
                    "joined": user.date_joined, "last_login": user.last_login},
        "households": [{"address": b.household.address, "claimed_name": b.claimed_name,
                        "status": b.get_status_display(), "since": b.created_at} for b in data.bindings],
        "ledger": [{
            "name": r.name, "gender": r.get_gender_display(), "birth_date": r.birth_date, "id_number": r.id_number,
            "phone": r.phone, "address": r.household.address, "relation": r.get_relation_display(),
            "tenure": r.get_tenure_display(),
            "owned_parts": [{"address": p.household.address, "kind": p.get_kind_display(), "number": p.number,
                             "measured_area": p.measured_area, "contract_area": p.contract_area}
                            for p in r.owned_parts.all()],
            "lives_alone": r.lives_alone,
            "party_member": r.is_party_member, "volunteer": r.is_volunteer,
            "special_families": [s.get_kind_display() for s in r.special_families.all()],
            "status": r.get_status_display(), "note": r.note} for r in data.residents],
        "appeals": [{"number": a.number, "filed": a.created_at, "state": a.get_state_display(), "text": a.text,
                     "contact_name": a.contact_name, "contact_phone": a.contact_phone} for a in data.appeals],
        "messages": data.notifications,
        "viewed_by": [{"at": e.at, "who": str(e.actor) if e.actor else "", "what": e.get_action_display(),
                       "summary": e.summary} for e in data.views],
        "requests": [{"kind": r.get_kind_display(), "text": r.text, "status": r.get_status_display(),
                      "reply": r.reply, "filed": r.created_at, "handled": r.handled_at} for r in data.requests],
    }
