"""Every change in deliberation: one function per thing a person can do, one transaction, a timeline line each.

- ``councils``: set up a council over an area from a seat template; seat and unseat representatives;
- ``topics``: propose (residents with co-signers, staff, from an appeal or a hotspot), co-sign, accept or
  decline, name stakeholders, add materials, end;
- ``meetings``: schedule, roll call, positions, hearing speakers, minutes;
- ``votes``: open (owners' roll frozen), cast online, enter paper/proxy/meeting ballots, close and count;
- ``publicity``: publish and revise the resolution, objections, taking effect when the period ends;
- ``projects``: the project, its milestones and money ledger, completion, evaluation, closing.

Who may do what is ``deliberation.permissions``; the procedure's table is ``deliberation.transitions``.
"""
from .councils import council_create, member_seat, member_unseat
from .meetings import (
    attendance_mark,
    attendee_add,
    meeting_cancel,
    meeting_close,
    meeting_open,
    meeting_schedule,
    position_record,
    speaker_heard,
    speaker_list,
)
from .projects import (
    balance,
    evaluation_give,
    milestone_done,
    money_record,
    paid_by,
    project_complete,
    project_start,
    topic_close,
)
from .publicity import (
    current_resolution,
    objection_decide,
    objection_raise,
    resolution_publish,
    resolution_revise,
    topics_take_effect,
)
from .topics import (
    material_add,
    stakeholder_add,
    topic_accept,
    topic_cosign,
    topic_decline,
    topic_end,
    topic_propose,
)
from .votes import ballot_cast, ballot_enter, count, vote_close, vote_open, votes_close_due

__all__ = [
    "attendance_mark", "attendee_add", "balance", "ballot_cast", "ballot_enter", "council_create", "count",
    "current_resolution", "evaluation_give", "material_add", "meeting_cancel", "meeting_close", "meeting_open",
    "meeting_schedule", "member_seat", "member_unseat", "milestone_done", "money_record", "objection_decide",
    "objection_raise", "paid_by", "position_record", "project_complete", "project_start", "resolution_publish",
    "resolution_revise", "speaker_heard", "speaker_list", "stakeholder_add", "topic_accept", "topic_close",
    "topic_cosign", "topic_decline", "topic_end", "topic_propose", "topics_take_effect", "vote_close", "vote_open",
    "votes_close_due",
]
