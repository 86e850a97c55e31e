"""Appeals' pages by who uses them: staff (queue, desk, an appeal, the three rates), the resident's portal, the
public board, the 12345 centre's file import. Thin: they parse, call a service or selector, and render."""
from .board import board_index, board_page, board_support
from .cohandling import cohandling_list, whistle_act
from .handover import hand_over
from .hotline import (
    hotline_import_detail,
    hotline_import_errors,
    hotline_import_redo_view,
    hotline_import_view,
    hotline_template_view,
)
from .portal import (
    category_questions,
    portal_appeal_add_info,
    portal_appeal_detail,
    portal_appeal_new,
    portal_appeal_rate,
    portal_appeal_reopen,
    portal_appeal_similar,
    portal_appeal_urge,
    portal_appeal_withdraw,
    portal_appeals,
)
from .requests import request_decide, supervision_answer
from .staff import (
    appeal_act,
    appeal_contact,
    appeal_detail,
    appeal_export,
    appeal_new,
    appeal_photo,
    appeal_queue,
    desk_place_pick,
    desk_place_search,
    desk_resident_pick,
    desk_resident_search,
    figures,
)
from .templates import reply_template_retire, reply_templates
from .track import track_link, track_lookup

__all__ = [
    "appeal_act", "appeal_contact", "cohandling_list", "appeal_detail", "appeal_export", "appeal_new", "appeal_photo", "appeal_queue", "board_index",
    "board_page", "board_support", "desk_place_pick", "desk_place_search", "desk_resident_pick",
    "desk_resident_search", "figures", "hand_over", "hotline_import_detail", "hotline_import_errors", "hotline_import_redo_view", "hotline_import_view",
    "hotline_template_view", "portal_appeal_detail", "portal_appeal_new", "portal_appeal_rate",
    "portal_appeal_reopen", "portal_appeals", "reply_template_retire", "reply_templates", "request_decide", "supervision_answer", "portal_appeal_urge", "portal_appeal_add_info",
    "portal_appeal_withdraw", "portal_appeal_similar", "category_questions", "track_link", "track_lookup", "whistle_act",
]
