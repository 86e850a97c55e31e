"""Filing an appeal (诉求受理前): the resident's portal, the service desk, a grid worker's patrol, a hotspot task,
one 12345 order through the API. Bulk 12345 files go through ``appeals.hotline`` on the same lifecycle rules."""
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.access.scopes import Perm, scope_for
from gongzhi.accounts.choices import BindingStatus
from gongzhi.accounts.models import User
from gongzhi.accounts.services import has_verified_home, verified_households
from gongzhi.core import events
from gongzhi.core.db import insert_new, next_ids
from gongzhi.core.errors import Conflict, InvalidInput, NotPermitted
from gongzhi.core.text import free_text
from gongzhi.notifications.models import Notification, OutboxMessage
from gongzhi.registry.choices import AreaKind
from gongzhi.registry.models import Area, Household, Resident
from gongzhi.registry.validators import validate_phone

from .. import notify
from ..choices import Action, Channel, Priority, State, Step
from ..events import AppealSubmitted
from ..extensions import INTAKE
from ..models import Appeal, AppealEvent, Category
from ..permissions import shared_compounds
from .lifecycle import appeal_numbers, place, start_clock
from .photos import prepare_photos, store_photos

MAX_TEXT = 5000


def clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("请写下您遇到的问题"), field="text")
    if len(text) > MAX_TEXT:
        raise InvalidInput(_("诉求内容不能超过%(n)d字") % {"n": MAX_TEXT}, field="text")
    return text


def _check_channel(channel: str, *, actor, area: Area, household: Household | None) -> None:
    """Who may file through which channel, for which place: a resident for her verified home's community; staff
    for the places they handle, at the desk, on patrol or logging a 12345 call; no one by hand as Open311, whose
    orders come only from its own authenticated clients."""
    if channel == Channel.PORTAL:
        # a resident acts for a household only after a worker verified the binding (实名认证)
        if household is not None and not has_verified_home(actor, household_id=household.pk):
            raise NotPermitted(_("只能为自己绑定的房屋反映问题") if verified_households(actor).exists()
                               else _("请先绑定并通过实名认证，再反映问题"))
        if household is not None and household.community_id != area.community_id:
            raise NotPermitted(_("只能为自己居住的社区反映问题"))  # her home, but a place in another community
        if household is None and not has_verified_home(actor, community_id=area.community_id):
            raise NotPermitted(_("只能为自己居住的社区反映问题") if verified_households(actor).exists()
                               else _("请先绑定并通过实名认证，再反映问题"))
    elif channel in (Channel.DESK, Channel.PATROL, Channel.HOTLINE):
        scope = scope_for(actor, Perm.HANDLE_APPEALS)
        # her places, and for a grid worker the compounds her grid covers part of (permissions.shared_compounds)
        if not (scope.covers(area) or (area.kind == AreaKind.COMPOUND and area.pk in shared_compounds(actor))):
            raise NotPermitted(_("您无权为该地点登记诉求"))
        if household is not None and not scope.covers(household):  # a home outside her area, by its id
            raise NotPermitted(_("您无权为该户登记诉求"))
    elif channel in INTAKE:  # a channel an app above owns checks who may file through it
        INTAKE[channel](actor=actor, area=area, household=household)
    elif channel == Channel.OPEN311:
        raise NotPermitted(_("Open311 工单只能由已接入的 Open311 客户端提交"))
    else:
        raise NotPermitted(_("该渠道暂不受理诉求"))


def _check_input(*, channel: str, priority: str, area: Area, category: Category | None, hotline_order_no: str):
    if channel not in Channel.values:
        raise InvalidInput(_("未知的诉求来源"), field="channel")
    if priority and priority not in Priority.values:
        raise InvalidInput(_("未知的优先级"), field="priority")
    if area.kind in (AreaKind.DISTRICT, AreaKind.SUBDISTRICT):
        raise InvalidInput(_("请选择到社区、小区或楼栋"), field="area")
    if category is not None and not category.is_active:
        raise InvalidInput(_("该类别已停用，请重新选择"), field="category")
    if channel == Channel.HOTLINE and not hotline_order_no:
        raise InvalidInput(_("热线工单必须有工单号"), field="hotline_order_no")


def _valid_phone_or_blank(phone: str | None) -> str:
    try:
        return validate_phone(phone or "")
    except InvalidInput:  # an old account's malformed number must not stop her filing
        return ""


def _reporter_and_contact(channel: str, actor, resident: Resident | None, name: str, phone: str):
    """Who follows and rates the appeal, and how to reach her: a resident filing is reached as her account has
    her; one found at the desk as the ledger has her, and if she has a verified account of her own she follows
    it, is told of each step and rates it, as if she had filed it. What the form said comes first."""
    name = free_text(name, field="contact_name", limit=Appeal._meta.get_field("contact_name").max_length)
    reporter = actor if channel == Channel.PORTAL else None
    if reporter is not None:
        name = name or reporter.display_name
        phone = phone or _valid_phone_or_blank(reporter.phone)
    if resident is not None:
        name = name or resident.name
        phone = phone or resident.phone
        reporter = reporter or User.objects.filter(
            bindings__resident=resident, bindings__status=BindingStatus.VERIFIED).order_by("bindings__id").first()
    return reporter, (name or "").strip()[:50], validate_phone(phone)


def clean_details(category: Category | None, answers: dict | None) -> dict | None:
    """The answers to the category's intake questions (``Category.questions``): known keys only, each at most
    200 characters, a choice among its choices, the required ones present — when the caller asked them (a form
    sends a dict, maybe empty); ``None`` says it did not (a machine client, a bulk import), and nothing is
    required then. None when nothing was answered."""
    questions = (category.questions if category is not None else None) or []
    asked = answers is not None
    answers = answers or {}
    out = {}
    for q in questions:
        value = str(answers.get(q["key"], "") or "").strip()[:200]
        if q.get("choices") and value and value not in q["choices"]:
            raise InvalidInput(_("请从选项中选择：%(q)s") % {"q": q["label"]}, field=f"q_{q['key']}")
        if q.get("required") and asked and not value:
            raise InvalidInput(_("请回答：%(q)s") % {"q": q["label"]}, field=f"q_{q['key']}")
        if value:
            out[q["key"]] = value
    return out or None


def appeal_submit(
    *, channel: str, text: str, area: Area, actor, category: Category | None = None, priority: str = "",
    household: Household | None = None, resident: Resident | None = None, contact_name: str = "",
    contact_phone: str = "", contact_preference: str = "", public: bool = False, hotline_order_no: str = "",
    photos=(), idempotency_key: str = "", details: dict | None = None, ladder: str = "", holder=None,
) -> Appeal:
    """Take in an appeal from any channel; it waits for the community to accept it. With an idempotency key
    (a retried request, a double tap), the appeal that key already filed is returned and nothing new is made.
    On an app's own ``ladder`` (a care request), ``holder`` holds it first: she accepts and resolves it, and the
    sweep hands it up that ladder when she is late."""
    idempotency_key = (idempotency_key or "").strip()[:64] if getattr(actor, "pk", None) else ""
    hotline_order_no = (hotline_order_no or "").strip()[:40]
    _check_input(channel=channel, priority=priority, area=area, category=category, hotline_order_no=hotline_order_no)
    _check_channel(channel, actor=actor, area=area, household=household)
    answers = clean_details(category, details)
    prepared = prepare_photos(photos)
    now = timezone.now()
    text = clean_text(text)
    contact_preference = free_text(contact_preference, field="contact_preference",
                                   limit=Appeal._meta.get_field("contact_preference").max_length)
    reporter, contact_name, contact_phone = _reporter_and_contact(channel, actor, resident, contact_name,
                                                                  contact_phone)
    # the number first, on its own: outside a caller's transaction the day's counter is locked only for that
    # one statement, not while the appeal is written (a gap if what follows fails; never a number twice)
    number = appeal_numbers(now)[0]
    appeal = Appeal(
        number=number, channel=channel, text=text, household=household,
        resident=resident, reporter=reporter, entered_by=actor,
        category=category, priority=priority or (category.priority if category else Priority.NORMAL),
        contact_name=contact_name, contact_phone=contact_phone,
        contact_preference=contact_preference, public=public,
        proactive=channel == Channel.PATROL, hotline_order_no=hotline_order_no, client_key=idempotency_key,
        details=answers, ladder=ladder, assignee=holder if ladder else None,
    )
    place(appeal, area)
    start_clock(appeal, Step.RESPOND, now)
    try:
        # every intake passes here: the appeal, its timeline event and its receipt are written with ids taken
        # beforehand, in one round trip (core.db.insert_new) — inside a caller's transaction, a savepoint
        with transaction.atomic():
            return _submit(appeal, actor=actor, now=now, prepared=prepared)
    except IntegrityError:
        if idempotency_key:  # the same request, retried while the first was being saved
            earlier = Appeal.objects.filter(entered_by=actor, client_key=idempotency_key).first()
            if earlier is not None:
                earlier.replayed = True
                return earlier
        if hotline_order_no:
            earlier = Appeal.objects.filter(hotline_order_no=hotline_order_no).only("id", "number").first()
            refusal = Conflict(_("工单号 %(order)s 已登记为诉求 %(n)s，没有重复登记") % {
                "order": hotline_order_no, "n": earlier.number if earlier else "—"},
                code="hotline_order_exists", field="hotline_order_no")
            refusal.details = {"appeal_id": earlier.pk if earlier else None}
            raise refusal from None
        raise


def _submit(appeal: Appeal, *, actor, now, prepared) -> Appeal:
    appeal.pk, event_id, note_id, sms_id = next_ids(Appeal, AppealEvent, Notification, OutboxMessage)
    appeal.submit_event = AppealEvent(pk=event_id, appeal=appeal, at=now, actor=actor, action=Action.SUBMIT,
                                      to_state=State.SUBMITTED, data={"channel": appeal.channel})
    receipt = notify.received(appeal, now=now, reporter=appeal.reporter, ids=(note_id, sms_id))
    insert_new(appeal, appeal.submit_event, *receipt)
    store_photos(appeal, actor, prepared)
    events.publish(AppealSubmitted(appeal_id=appeal.pk))
    return appeal
