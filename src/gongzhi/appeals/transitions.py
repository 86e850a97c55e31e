"""Which state may follow which: the one table of an appeal's moves. ``services.lifecycle`` is the only code that
applies it; ``permissions.actions_for`` reads it to offer what may be done now."""
from .choices import MERGE_TARGET_STATES, OPEN_STATES, Action, State

# action → (states it may start from, state it leads to); None keeps the state (follow-ups, pauses, whistles)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    Action.ACCEPT: (frozenset({State.SUBMITTED}), State.ACCEPTED),
    Action.DISPATCH: (frozenset({State.ACCEPTED, State.RETURNED}), State.DISPATCHED),
    Action.TAKE: (frozenset({State.DISPATCHED}), State.IN_PROGRESS),
    Action.RETURN: (frozenset({State.DISPATCHED, State.IN_PROGRESS}), State.RETURNED),
    Action.TRANSFER: (frozenset({State.DISPATCHED, State.IN_PROGRESS}), State.DISPATCHED),
    # the community may settle a small matter itself, right after accepting it
    Action.RESOLVE: (frozenset({State.ACCEPTED, State.IN_PROGRESS}), State.RESOLVED),
    Action.CLOSE_UNRESOLVED: (frozenset({State.SUBMITTED, State.ACCEPTED, State.RETURNED, State.DISPATCHED,
                                         State.IN_PROGRESS}), State.CLOSED_UNRESOLVED),
    Action.RATE: (frozenset({State.RESOLVED}), State.CLOSED),
    Action.CLOSE: (frozenset({State.RESOLVED}), State.CLOSED),
    Action.REOPEN: (frozenset({State.RESOLVED, State.CLOSED, State.CLOSED_UNRESOLVED}), State.ACCEPTED),
    Action.PAUSE: (frozenset({State.ACCEPTED, State.DISPATCHED, State.IN_PROGRESS}), None),
    Action.RESUME: (frozenset({State.ACCEPTED, State.DISPATCHED, State.IN_PROGRESS}), None),
    Action.FOLLOW_UP: (frozenset(State.values), None),
    Action.WHISTLE: (frozenset({State.ACCEPTED, State.DISPATCHED, State.IN_PROGRESS, State.RETURNED}), None),
    Action.REPORT_IN: (frozenset({State.ACCEPTED, State.DISPATCHED, State.IN_PROGRESS, State.RETURNED}), None),
    # co-handling goes on beside the appeal's own handling, and may be confirmed after its reply
    Action.COHANDLE_FEEDBACK: (MERGE_TARGET_STATES | {State.CLOSED, State.CLOSED_UNRESOLVED}, None),
    Action.COHANDLE_CONFIRM: (MERGE_TARGET_STATES | {State.CLOSED, State.CLOSED_UNRESOLVED}, None),
    Action.COHANDLE_SEND_BACK: (OPEN_STATES, None),
    Action.MERGE: (OPEN_STATES, State.MERGED),
    Action.MERGED_IN: (MERGE_TARGET_STATES, None),
    Action.UNPUBLISH: (frozenset(State.values), None),
    Action.TRIAGE: (frozenset({State.SUBMITTED}), None),
    Action.RECLASSIFY: (OPEN_STATES, None),
    Action.WARN: (frozenset(State.values), None),
    Action.ESCALATE: (frozenset(State.values), None),
    Action.RELOCATE: (frozenset(State.values), None),
    Action.ASSIGN: (OPEN_STATES, None),
    Action.URGE: (OPEN_STATES, None),
    Action.SUPPLEMENT: (OPEN_STATES, None),
    Action.WITHDRAW: (OPEN_STATES, State.CLOSED_UNRESOLVED),
    Action.SUPERVISION_ANSWER: (frozenset(State.values), None),
    Action.RETURN_REQUEST: (frozenset({State.DISPATCHED, State.IN_PROGRESS}), None),
    Action.EXTEND_REQUEST: (frozenset({State.DISPATCHED, State.IN_PROGRESS}), None),
    Action.EXTEND: (frozenset({State.DISPATCHED, State.IN_PROGRESS}), None),
    Action.REQUEST_REJECTED: (frozenset(State.values), None),
}


def allows(action: str, state: str) -> bool:
    return state in TRANSITIONS[action][0]
