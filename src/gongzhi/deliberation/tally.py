"""Counting a vote. Pure functions over plain rows, so the tally is reproducible from the roll and the ballots alone
and the same code counts the live figures, the closing result and the tests.

Owners (民法典 art. 278, 《建筑物区分所有权解释》 arts. 8–9):

* the base is every exclusive part on the roll: its area, and its head (one per part, a buyer of several parts
  once, the developer's unsold or undelivered parts once together: ``registry.models.headcount_key``);
* quorum: the participating parts hold ≥ 2/3 of the area **and** their heads are ≥ 2/3 of the heads;
* majority (``Rule.MAJORITY``): more than half of the participating area **and** of the participating heads say
  yes; ``Rule.SPECIAL`` (raising the maintenance fund, rebuilding, changing the use of shared parts): ≥ 3/4 of both.
  An abstention participates and does not agree.
* A head with several parts participates once. Where the ballots of its parts differ (one on paper, one
  online), the head counts with the ballot of its largest part (the lowest part id on a tie): the area still
  counts part by part.

A council's members: the base is the members seated when the vote opened; quorum more than half of them take
part; majority more than half of all members say yes, special ≥ 3/4 of them.

All comparisons are exact (integers and Decimals multiplied out, never floats).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from .choices import Choice, Rule

ZERO = Decimal("0")


@dataclass(frozen=True)
class Count:
    area: Decimal = ZERO
    heads: int = 0


@dataclass(frozen=True)
class Tally:
    rule: str
    total: Count
    participating: Count
    yes: Count
    no: Count
    abstain: Count
    ballots: int
    quorum_area: bool
    quorum_heads: bool
    majority_area: bool
    majority_heads: bool
    failed: tuple[str, ...] = field(default=())  # which thresholds failed: quorum_area, quorum_heads, …
    parts_without_area: int = 0

    @property
    def quorum(self) -> bool:
        return self.quorum_area and self.quorum_heads

    @property
    def passed(self) -> bool:
        return not self.failed

    def as_dict(self) -> dict:
        """JSON for ``Vote.result`` (areas as strings, exact)."""
        out = asdict(self)
        for key in ("total", "participating", "yes", "no", "abstain"):
            out[key] = {"area": str(out[key]["area"]), "heads": out[key]["heads"]}
        out["failed"] = list(self.failed)
        out["passed"] = self.passed
        return out

    @classmethod
    def from_dict(cls, data: dict) -> Tally:
        counts = {k: Count(Decimal(data[k]["area"]), data[k]["heads"])
                  for k in ("total", "participating", "yes", "no", "abstain")}
        return cls(rule=data["rule"], ballots=data["ballots"], quorum_area=data["quorum_area"],
                   quorum_heads=data["quorum_heads"], majority_area=data["majority_area"],
                   majority_heads=data["majority_heads"], failed=tuple(data["failed"]),
                   parts_without_area=data.get("parts_without_area", 0), **counts)


def _agrees(yes, of, rule: str) -> bool:
    """``yes`` out of ``of`` meets the rule: more than half, or at least three quarters."""
    if rule == Rule.SPECIAL:
        return yes * 4 >= of * 3 and of > 0
    return yes * 2 > of


def owners(roll: Iterable[tuple[int, Decimal | None, str]], ballots: Iterable[tuple[int, str]], rule: str) -> Tally:
    """``roll``: (part id, area, head key) of every entitled part; ``ballots``: (part id, choice)."""
    parts: dict[int, tuple[Decimal, str]] = {}
    heads: set[str] = set()
    total_area = ZERO
    without_area = 0
    for part_id, area, head in roll:
        if area is None:
            without_area += 1
            area = ZERO
        parts[part_id] = (area, head)
        heads.add(head)
        total_area += area
    area_by = {Choice.YES: ZERO, Choice.NO: ZERO, Choice.ABSTAIN: ZERO}
    head_choice: dict[str, tuple[Decimal, int, str]] = {}  # head → (area, -part id, choice) of its deciding ballot
    count = 0
    for part_id, choice in ballots:
        if part_id not in parts:  # not on the roll: cannot happen through the services; never counted
            continue
        count += 1
        area, head = parts[part_id]
        area_by[choice] += area
        candidate = (area, -part_id, choice)
        if head not in head_choice or candidate[:2] > head_choice[head][:2]:
            head_choice[head] = candidate
    heads_by = {Choice.YES: 0, Choice.NO: 0, Choice.ABSTAIN: 0}
    for _area, _pid, choice in head_choice.values():
        heads_by[choice] += 1
    participating = Count(sum(area_by.values(), ZERO), len(head_choice))
    total = Count(total_area, len(heads))
    yes = Count(area_by[Choice.YES], heads_by[Choice.YES])
    quorum_area = total.area > 0 and participating.area * 3 >= total.area * 2
    quorum_heads = total.heads > 0 and participating.heads * 3 >= total.heads * 2
    majority_area = _agrees(yes.area, participating.area, rule) and participating.area > 0
    majority_heads = _agrees(yes.heads, participating.heads, rule) and participating.heads > 0
    failed = tuple(name for name, ok in (("quorum_area", quorum_area), ("quorum_heads", quorum_heads),
                                         ("majority_area", majority_area), ("majority_heads", majority_heads))
                   if not ok)
    return Tally(rule=rule, total=total, participating=participating, yes=yes,
                 no=Count(area_by[Choice.NO], heads_by[Choice.NO]),
                 abstain=Count(area_by[Choice.ABSTAIN], heads_by[Choice.ABSTAIN]), ballots=count,
                 quorum_area=quorum_area, quorum_heads=quorum_heads, majority_area=majority_area,
                 majority_heads=majority_heads, failed=failed, parts_without_area=without_area)


def council(members: Iterable[int], ballots: Iterable[tuple[int, str]], rule: str) -> Tally:
    """``members``: ids of the members seated when the vote opened; ``ballots``: (member id, choice)."""
    seated = set(members)
    by = {Choice.YES: 0, Choice.NO: 0, Choice.ABSTAIN: 0}
    for member_id, choice in ballots:
        if member_id in seated:
            by[choice] += 1
    taking_part = sum(by.values())
    quorum = taking_part * 2 > len(seated)
    majority = _agrees(by[Choice.YES], len(seated), rule) and len(seated) > 0
    failed = tuple(name for name, ok in (("quorum_heads", quorum), ("majority_heads", majority)) if not ok)
    return Tally(rule=rule, total=Count(ZERO, len(seated)), participating=Count(ZERO, taking_part),
                 yes=Count(ZERO, by[Choice.YES]), no=Count(ZERO, by[Choice.NO]),
                 abstain=Count(ZERO, by[Choice.ABSTAIN]), ballots=taking_part, quorum_area=True,
                 quorum_heads=quorum, majority_area=True, majority_heads=majority, failed=failed)
