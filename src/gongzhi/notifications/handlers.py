"""Messages the notifications app sends when lower apps report a change (wired in web/reactions.py)."""
from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.accounts.events import BindingDecided, CodeSent, TemporaryPassword

from .services import Message, notify_many, queue_sms


def binding_decided(event: BindingDecided) -> None:
    """The resident hears that her household binding was approved (she can file and vote now) or why not."""
    if event.verified:
        title, body = _("您的房屋绑定已通过认证"), _("现在可以为这户人家反映问题、参加议事和投票了。")
    else:
        title, body = _("您的房屋绑定没有通过"), event.reason
    notify_many([Message(event.user_id, f"binding:{event.binding_id}", title, body, reverse("portal:households"))])


def code_sent(event: CodeSent) -> None:
    queue_sms(phone=event.phone, subject=_("共治验证码"),
              body=_("您的验证码是 %(code)s，10分钟内有效。如非本人操作，请忽略。") % {"code": event.code})


def temporary_password(event: TemporaryPassword) -> None:
    queue_sms(phone=event.phone, subject=_("共治临时密码"),
              body=_("社区工作人员为您重置了密码，临时密码 %(password)s。请登录后在“设置”里改成您自己的密码。") % {
                  "password": event.password})
