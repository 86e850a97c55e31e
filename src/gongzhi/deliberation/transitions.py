"""Which step may follow which: the one table of a topic's procedure (``docs/deliberation.md``). ``services`` is
the only code that applies it; ``permissions.steps_for`` reads it to offer what may be done now."""
from .choices import OPEN_STAGES, Action, Stage

S = Stage
# action → (stages it may start from, stage it leads to); None keeps the stage
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    Action.COSIGN: (frozenset({S.COSIGNING}), None),
    Action.SUBMIT: (frozenset({S.COSIGNING}), S.PROPOSED),
    Action.ACCEPT: (frozenset({S.PROPOSED}), S.PREPARING),
    Action.DECLINE: (frozenset({S.COSIGNING, S.PROPOSED}), S.DECLINED),
    Action.STAKEHOLDER: (frozenset({S.PREPARING, S.DELIBERATING}), None),
    Action.MATERIAL: (frozenset({S.PREPARING, S.DELIBERATING, S.VOTING}), None),
    Action.SCHEDULE: (frozenset({S.PREPARING, S.DELIBERATING}), None),
    Action.MEET: (frozenset({S.PREPARING, S.DELIBERATING}), S.DELIBERATING),
    Action.OPEN_VOTE: (frozenset({S.DELIBERATING}), S.VOTING),
    Action.CLOSE_VOTE: (frozenset({S.VOTING}), S.DELIBERATING),
    Action.PUBLICISE: (frozenset({S.DELIBERATING}), S.PUBLICISING),
    Action.REVISE: (frozenset({S.PUBLICISING}), S.PUBLICISING),
    Action.OBJECT: (frozenset({S.PUBLICISING}), None),
    Action.UPHOLD: (frozenset({S.PUBLICISING}), S.DELIBERATING),
    Action.DISMISS: (frozenset({S.PUBLICISING}), None),
    # an adopted resolution is carried out; one not adopted closes the topic (TAKE_EFFECT picks)
    Action.TAKE_EFFECT: (frozenset({S.PUBLICISING}), S.CARRYING_OUT),
    Action.START_PROJECT: (frozenset({S.CARRYING_OUT}), None),
    Action.MILESTONE: (frozenset({S.CARRYING_OUT}), None),
    Action.MONEY: (frozenset({S.CARRYING_OUT, S.EVALUATING, S.CLOSED}), None),  # arrears after closing
    Action.COMPLETE: (frozenset({S.CARRYING_OUT}), S.EVALUATING),
    Action.EVALUATE: (frozenset({S.EVALUATING}), None),
    Action.CLOSE: (frozenset({S.EVALUATING}), S.CLOSED),
    Action.END: (OPEN_STAGES - {S.PUBLICISING}, S.ENDED),
}


def allows(action: str, stage: str) -> bool:
    return stage in TRANSITIONS[action][0]
