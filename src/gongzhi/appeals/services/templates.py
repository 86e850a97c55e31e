"""答复模板 a community keeps for itself: its workers add, edit and retire them in the console (the city's own are
an administrator's, in the admin site)."""
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core.errors import InvalidInput, NotPermitted
from gongzhi.core.text import LONG, free_text
from gongzhi.registry.models import Area

from ..models import Category, ReplyTemplate
from ..selectors import template_communities

PLACEHOLDERS = ("{number}", "{place}", "{party}", "{date}")


def _require_community(actor, community: Area) -> None:
    if not template_communities(actor).filter(pk=community.pk).exists():
        raise NotPermitted(_("只能编辑本社区的答复模板"))


@transaction.atomic
def reply_template_save(*, actor, community: Area, title: str, text: str, category: Category | None = None,
                        template: ReplyTemplate | None = None) -> ReplyTemplate:
    """Add a template for the community, or change one of its own."""
    _require_community(actor, community)
    if template is not None and template.community_id != community.pk:
        raise NotPermitted(_("全市通用的答复模板由系统管理员维护"))
    title = free_text(title, field="title", limit=ReplyTemplate._meta.get_field("title").max_length,
                      required=_("请填写模板名称"))
    text = free_text(text, field="text", limit=LONG)
    if len(text) < 10:
        raise InvalidInput(_("模板内容太短，请写明做了什么、谁办的、什么时候（可用 {number} {place} {party} {date}）"),
                           field="text")
    template = template or ReplyTemplate(community=community)
    template.title, template.text, template.category, template.is_active = title, text, category, True
    template.save()
    return template


@transaction.atomic
def reply_template_retire(*, actor, template: ReplyTemplate) -> None:
    if template.community_id is None:
        raise NotPermitted(_("全市通用的答复模板由系统管理员维护"))
    _require_community(actor, template.community)
    template.is_active = False
    template.save(update_fields=["is_active"])
