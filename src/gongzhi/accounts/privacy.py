"""A resident's rights over her personal data (个人信息保护法 arts. 44–47): to see it (the portal's 我的信息 page,
``web.mydata``), to correct it and to have it deleted, by a request the workers of her community grant or refuse
with a reply. What must be kept, and why, is stated to her before she asks (``RETENTION``)."""
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.access.scopes import Perm, scope_for
from gongzhi.core import events
from gongzhi.core.audit import Action, audit
from gongzhi.core.errors import Conflict, InvalidInput, NotFound, NotPermitted
from gongzhi.registry.models import Resident

from .choices import BindingStatus
from .events import AccountErased, DataRequestDecided
from .models import ApiToken, DataRequest, HouseholdBinding, PhoneCode, User

MAX_TEXT = 1000

# What the system keeps, for how long, and what a granted deletion removes: shown on her page, in her words.
RETENTION = (
    (gettext_lazy("账号、房屋绑定、站内消息"),
     gettext_lazy("删除申请获准后注销账号，删除手机号、姓名、房屋绑定和站内消息。")),
    (gettext_lazy("诉求记录"),
     gettext_lazy("作为政务服务办理记录保存；删除申请获准后，您的姓名和电话从您的诉求中删除，诉求内容不再与您关联，"
                  "仅用于统计。")),
    (gettext_lazy("社区居民台账"),
     gettext_lazy("由社区依法登记管理，您在本社区居住期间保留，不因注销账号而删除；内容有误请申请更正，迁出后由社区按规定处理。")),
    (gettext_lazy("查看记录（审计日志）"),
     gettext_lazy("谁在何时查看、导出过您的信息，依《网络安全法》至少保存六个月，任何人不能修改或删除。")),
)


def _community(user: User):
    """Where her request is handled: the community of her verified home (the first), else nowhere in particular
    (the administrator)."""
    binding = (HouseholdBinding.objects.filter(user=user, status=BindingStatus.VERIFIED)
               .select_related("household__community").order_by("id").first())
    return binding.household.community if binding else None


def data_request_file(*, user: User, kind: str, text: str) -> DataRequest:
    """She asks to correct something (saying what is wrong) or to delete her data; one open request of each kind."""
    if kind not in DataRequest.Kind.values:
        raise InvalidInput(_("请选择申请事项"), field="kind")
    text = (text or "").strip()
    if kind == DataRequest.Kind.CORRECT and not text:
        raise InvalidInput(_("请写明哪一项信息有误、应当是什么"), field="text")
    if len(text) > MAX_TEXT:
        raise InvalidInput(_("申请内容不能超过%(n)d字") % {"n": MAX_TEXT}, field="text")
    try:
        with transaction.atomic():
            return DataRequest.objects.create(user=user, community=_community(user), kind=kind, text=text)
    except IntegrityError:
        raise Conflict(_("您已有一份同类申请正在处理，请等待答复"), code="request_open") from None


def records_of(users) -> dict[int, list[Resident]]:
    """Their records in the ledger, through their verified bindings, by user id (one query for a page)."""
    found: dict[int, list[Resident]] = {}
    bindings = (HouseholdBinding.objects.filter(user__in=users, status=BindingStatus.VERIFIED, resident__isnull=False)
                .select_related("resident__household").order_by("resident_id"))
    for binding in bindings:
        found.setdefault(binding.user_id, []).append(binding.resident)
    return found


def data_requests_for(actor) -> QuerySet[DataRequest]:
    """The requests ``actor`` handles: those of the communities where she keeps the residents' records; the
    administrator's also those of residents without a verified home."""
    scope = scope_for(actor, Perm.EDIT_RESIDENTS)
    if scope.everywhere:
        return DataRequest.objects.all()
    if not scope:
        return DataRequest.objects.none()
    return DataRequest.objects.filter(Q(community__isnull=False) & scope.q("community__"))


@transaction.atomic
def data_request_decide(*, actor, data_request: DataRequest, grant: bool, reply: str, request=None) -> DataRequest:
    """Grant or refuse, with a reply she reads (required when refusing). A correction is made by editing her
    record as usual, then granted; a granted deletion closes her account and removes what may be removed."""
    data_request = data_requests_for(actor).select_for_update().filter(pk=data_request.pk).first()
    if data_request is None:
        raise NotFound(_("未找到该申请，或您无权办理"))
    if data_request.status != DataRequest.Status.OPEN:
        raise Conflict(_("该申请已经办理过了"), code="already_decided")
    if data_request.user_id == actor.pk:
        raise NotPermitted(_("不能办理自己的申请，请由同事办理"))
    reply = (reply or "").strip()
    if not grant and not reply:
        raise InvalidInput(_("不予办理时请写明理由"), field="reply")
    if len(reply) > MAX_TEXT:
        raise InvalidInput(_("答复不能超过%(n)d字") % {"n": MAX_TEXT}, field="reply")
    data_request.status = DataRequest.Status.DONE if grant else DataRequest.Status.REFUSED
    data_request.reply, data_request.handled_by, data_request.handled_at = reply, actor, timezone.now()
    data_request.save()
    audit(actor=actor, action=Action.CHANGE, target=data_request, request=request,
          summary=_("办理个人信息申请：%(kind)s") % {"kind": data_request.get_kind_display()},
          data={"granted": grant})
    if grant and data_request.kind == DataRequest.Kind.DELETE:
        _erase(data_request.user)
    else:
        events.publish(DataRequestDecided(request_id=data_request.pk, user_id=data_request.user_id, granted=grant,
                                          reply=reply))
    return data_request


def _erase(user: User) -> None:
    """Close the account and remove its personal data; the apps above remove theirs (``AccountErased``)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.phone:
        PhoneCode.objects.filter(phone=user.phone).delete()
    HouseholdBinding.objects.filter(user=user, status__in=[BindingStatus.PENDING, BindingStatus.VERIFIED]).update(
        status=BindingStatus.REVOKED, updated_at=timezone.now())
    HouseholdBinding.objects.filter(user=user).update(claimed_name="", claimed_id_last4="")
    user.username = f"erased-{user.pk}"
    user.display_name = user.first_name = user.last_name = user.email = ""
    user.phone = None
    user.is_active = False
    user.set_unusable_password()
    user.save()
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    events.publish(AccountErased(user_id=user.pk))
