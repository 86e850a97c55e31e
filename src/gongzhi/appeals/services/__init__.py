"""Every change to an appeal: one function per thing a person can do, one transaction, one timeline event each.

By use case (each module reads as a list of what a user can do):

- ``intake``: file an appeal from the portal, the desk, a patrol, a hotspot task or one API order;
- ``handling``: accept (受理), apply the machine's first read, dispatch (派单), take (接单), transfer
  (转派), reclassify, pause and resume the clock, follow up (回访), unpublish;
- ``closing``: resolve with a reply, close unresolved, rate, reopen;
- ``requests``: 退单 and 延期, which the party asks and the community approves;
- ``supervision``: 催办 and the answers to every 督办;
- ``merge``: merge duplicates into one group;
- ``whistle``: 街乡吹哨, 部门报到 and the co-handling (协办) that follows;
- ``resident``: what the resident adds to her open appeal, or withdrawing it;
- ``photos`` and ``support`` (我也遇到);
- ``lifecycle``: the one writer of an appeal's states, clocks and place, which all of the above, the 12345
  import, the sweep and the demo go through.

Who may do what is ``appeals.permissions``; what the apps above hear of it is ``appeals.events``.
"""
from .closing import (
    MIN_REPLY,
    appeal_close_unresolved,
    appeal_rate,
    appeal_rate_by_link,
    appeal_reopen,
    appeal_resolve,
    link_rating_open,
    rating_open,
)
from .handling import (
    appeal_accept,
    appeal_assign,
    appeal_assign_grid,
    appeal_dispatch,
    appeal_follow_up,
    appeal_pause,
    appeal_reclassify,
    appeal_resume,
    appeal_take,
    appeal_transfer,
    appeal_triage_apply,
    appeal_unpublish,
    appeals_hand_over,
    appeals_hand_up,
)
from .intake import MAX_TEXT, appeal_submit
from .lifecycle import appeal_numbers
from .merge import appeal_merge
from .photos import MAX_PHOTOS, appeal_add_photos
from .requests import appeal_request_decide, appeal_request_extension, appeal_return
from .resident import appeal_add_info, appeal_withdraw
from .supervision import appeal_urge, supervision_answer, urger_label
from .support import appeal_support
from .templates import reply_template_retire, reply_template_save
from .whistle import appeal_whistle, whistle_confirm, whistle_feedback, whistle_report_in, whistle_send_back

__all__ = [
    "appeals_hand_up",
    "MAX_PHOTOS", "MAX_TEXT", "MIN_REPLY", "appeal_accept", "appeal_assign", "appeals_hand_over", "appeal_assign_grid", "appeal_add_photos", "appeal_close_unresolved",
    "appeal_dispatch", "appeal_follow_up", "appeal_merge", "appeal_numbers", "appeal_pause", "appeal_rate", "appeal_rate_by_link", "link_rating_open",
    "appeal_reclassify", "appeal_reopen", "appeal_resolve", "appeal_resume", "appeal_return", "appeal_submit",
    "appeal_support", "appeal_take", "appeal_transfer", "appeal_triage_apply", "appeal_unpublish",
    "appeal_whistle", "rating_open", "whistle_confirm", "whistle_feedback", "whistle_report_in",
    "whistle_send_back", "reply_template_retire", "reply_template_save",
    "appeal_request_decide", "appeal_request_extension", "appeal_urge", "supervision_answer", "urger_label",
    "appeal_add_info", "appeal_withdraw",
]
