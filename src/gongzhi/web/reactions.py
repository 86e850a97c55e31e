"""What happens after what: every domain event, the handlers that react to it, and the slots that apps above
fill on lower apps' pages. The one place to read "what happens after X" (see core/events.py for the rules:
handlers in the transaction share it and may refuse it; the others run once it is committed and never undo it).

| event (published by)                       | handler                              | when            |
|--------------------------------------------|--------------------------------------|-----------------|
| appeals.AppealSubmitted (intake)           | triage.read_new_appeal               | on commit       |
| appeals.AppealsImported (12345 import)     | triage.read_imported                 | on commit       |
| appeals.AppealResolved (resolve)           | triage.reply_record (may WeakReply)  | in transaction  |
| registry.BuildingRegridded (grid redrawn)  | appeals.follow_grid                  | in transaction  |
| accounts.BindingDecided (verify, reject)   | notifications.binding_decided        | in transaction  |
| accounts.CodeSent (register, reset)        | notifications.code_sent (SMS)        | in transaction  |
| accounts.TemporaryPassword (staff reset)   | notifications.temporary_password     | in transaction  |
| accounts.DataRequestDecided (privacy)      | notifications.data_request_decided   | in transaction  |
| accounts.AccountErased (deletion granted)  | notifications.account_erased,        | in transaction  |
|                                            | appeals.forget_reporter              |                 |
| appeals.AppealsEscalated (sweep, a ladder) | care.hand_up (to the rung's person)  | in transaction  |

| slot (page)                        | filled by              |
|------------------------------------|------------------------|
| appeals.DETAIL (staff appeal page) | triage.appeal_page     |
| appeals.FIGURES (figures page)     | triage.figures_page    |

| intake channel (appeals.INTAKE)    | who may file through it |
|------------------------------------|-------------------------|
| care (a special family's request)  | care.intake_check       |
"""
from gongzhi.accounts.events import (
    AccountErased,
    BindingDecided,
    CodeSent,
    DataRequestDecided,
    TemporaryPassword,
)
from gongzhi.appeals import extensions as appeal_pages
from gongzhi.appeals.choices import Channel
from gongzhi.appeals.events import AppealResolved, AppealsEscalated, AppealsImported, AppealSubmitted
from gongzhi.appeals.handlers import follow_grid, forget_reporter
from gongzhi.care import services as care
from gongzhi.core.events import subscribe
from gongzhi.notifications.handlers import (
    account_erased,
    binding_decided,
    code_sent,
    data_request_decided,
    temporary_password,
)
from gongzhi.registry.events import BuildingRegridded
from gongzhi.triage import handlers as triage
from gongzhi.triage.services import reply_record

# (event, handler, runs inside the publisher's transaction)
REACTIONS = [
    (AppealSubmitted, triage.read_new_appeal, False),
    (AppealsImported, triage.read_imported, False),
    (AppealResolved, reply_record, True),
    (BuildingRegridded, follow_grid, True),
    (BindingDecided, binding_decided, True),
    (CodeSent, code_sent, True),
    (TemporaryPassword, temporary_password, True),
    (DataRequestDecided, data_request_decided, True),
    (AccountErased, account_erased, True),
    (AccountErased, forget_reporter, True),
    (AppealsEscalated, care.hand_up, True),
]
SLOTS = [
    (appeal_pages.DETAIL, triage.appeal_page),
    (appeal_pages.FIGURES, triage.figures_page),
]


INTAKE = [
    (Channel.CARE, care.intake_check),
]
HOLDER_PAGES = [
    (care.LADDER, "portal:care"),  # a party member works the requests handed to her on her phone
]


def connect() -> None:
    for event_type, handler, in_transaction in REACTIONS:
        subscribe(event_type, handler, in_transaction=in_transaction)
    for slot, provider in SLOTS:
        slot.provide(provider)
    for channel, check in INTAKE:
        appeal_pages.INTAKE[channel] = check
    for ladder, page in HOLDER_PAGES:
        appeal_pages.HOLDER_PAGE[ladder] = page
