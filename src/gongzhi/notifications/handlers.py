"""Messages the notifications app sends when lower apps report a change (wired in web/reactions.py)."""
from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.accounts.events import BindingDecided

from .services import Message, notify_many


def binding_decided(event: BindingDecided) -> None:
    """The resident hears that her household binding was approved (she can file and vote now) or why not."""
    if event.verified:
        title, body = _("您的房屋绑定已通过认证"), _("现在可以为这户人家反映问题、参加议事和投票了。")
    else:
        title, body = _("您的房屋绑定没有通过"), event.reason
    notify_many([Message(event.user_id, f"binding:{event.binding_id}", title, body, reverse("portal:households"))])
