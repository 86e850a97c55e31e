"""Every write of the volunteers app: one function per use case (see each module)."""
from .errands import (
    errand_cancel,
    errand_claim,
    errand_confirm,
    errand_deliver,
    errand_release,
    errand_request,
)
from .party import member_of, party_member_add, party_member_report, post_claim, post_create, post_leave
from .people import (
    loan_create,
    loan_end,
    team_join,
    team_leave,
    volunteer_decide,
    volunteer_enrol,
    volunteer_register,
)
from .points import InsufficientPoints, account_of, points_adjust, points_help
from .shifts import (
    check_in,
    check_out,
    lay_out,
    lay_out_all,
    mark_no_show,
    roster_create,
    roster_stop,
    settle,
    shift_by_code,
    shift_cancel,
    shift_create,
    signup_book,
    signup_cancel,
    signup_offer,
    signup_take,
)
from .shop import (
    Redeemed,
    expire,
    item_create,
    item_restock,
    item_update,
    order_cancel,
    order_hand_over,
    order_place,
    order_redeem,
)

__all__ = [
    "InsufficientPoints", "account_of", "check_in", "check_out", "errand_cancel", "errand_claim", "errand_confirm",
    "errand_deliver", "errand_release", "errand_request", "expire", "item_create", "item_restock", "item_update",
    "lay_out", "lay_out_all", "member_of", "party_member_add", "party_member_report", "post_claim", "post_create",
    "post_leave", "loan_create", "loan_end", "mark_no_show", "order_cancel", "order_hand_over",
    "order_place", "order_redeem", "Redeemed", "points_adjust", "points_help", "roster_create", "roster_stop",
    "settle", "shift_by_code",
    "shift_cancel", "shift_create", "signup_book", "signup_cancel", "signup_offer", "signup_take", "team_join",
    "team_leave", "volunteer_decide", "volunteer_enrol", "volunteer_register",
]
