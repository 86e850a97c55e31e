"""Messages the notifications app sends when lower apps report a change (wired in web/reactions.py)."""
from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.accounts.events import (
    AccountErased,
    BindingDecided,
    CodeSent,
    DataRequestDecided,
    TemporaryPassword,
)

from .models import Notification, OutboxMessage
from .services import Message, notify_many, queue_sms


def binding_decided(event: BindingDecided) -> None:
    """The resident hears that her household binding was approved (she can file and vote now) or why not."""
    if event.verified:
        title, body = _("您的房屋绑定已通过认证"), _("现在可以为这户人家反映问题、参加议事和投票了。")
    else:
        title, body = _("您的房屋绑定没有通过"), event.reason
    notify_many([Message(event.user_id, f"binding:{event.binding_id}", title, body, reverse("portal:households"))])


def code_sent(event: CodeSent) -> None:
    queue_sms(phone=event.phone, subject=_("共治验证码"), secret=True,
              body=_("您的验证码是 %(code)s，10分钟内有效。如非本人操作，请忽略。") % {"code": event.code})


def temporary_password(event: TemporaryPassword) -> None:
    queue_sms(phone=event.phone, subject=_("共治临时密码"), secret=True,
              body=_("社区工作人员为您重置了密码，临时密码 %(password)s。请登录后在“设置”里改成您自己的密码。") % {
                  "password": event.password})


def data_request_decided(event: DataRequestDecided) -> None:
    """She hears how her request to correct her data went, and the reply."""
    title = _("您的个人信息申请已办理") if event.granted else _("您的个人信息申请未予办理")
    notify_many([Message(event.user_id, f"data-request:{event.request_id}", title, event.reply,
                         reverse("portal:my_data"))])


def account_erased(event: AccountErased) -> None:
    """An erased account's inbox goes, and with it what was still waiting to be sent to her."""
    OutboxMessage.objects.filter(notification__user_id=event.user_id).exclude(
        state=OutboxMessage.State.SENT).delete()
    Notification.objects.filter(user_id=event.user_id).delete()
