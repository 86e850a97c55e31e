"""Triage reads: what the staff appeal page shows of the machine's first read, and ranked duplicates."""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from gongzhi.appeals.choices import State
from gongzhi.appeals.models import Appeal, Category
from gongzhi.appeals.permissions import acts_for_community
from gongzhi.appeals.selectors import merge_candidates

from . import loaded, similar, text
from .models import Triage

# candidates this alike (text, plus the place bonus) are offered as likely duplicates
DUPLICATE_AT = 0.35


@dataclass
class Suggestion:
    category: Category
    score: float

    @property
    def percent(self) -> int:
        return round(self.score * 100)


def triage_panel(*, viewer, appeal: Appeal) -> dict | None:
    """For the community side only: the suggestions (as categories), how sure, whether applied, the place read
    from the text; ``model`` False when no classifier is trained yet."""
    if not acts_for_community(viewer, appeal):
        return None
    triage = Triage.objects.filter(appeal=appeal).select_related("place_area").first()
    version, _model = loaded.current()
    suggestions = []
    if triage is not None and triage.suggestions:
        categories = Category.objects.select_related("parent").in_bulk([s["category"] for s in triage.suggestions])
        suggestions = [Suggestion(categories[s["category"]], s["score"]) for s in triage.suggestions
                       if s["category"] in categories]
    return {
        "triage": triage, "suggestions": suggestions, "model": version is not None,
        "threshold": min(round(settings.GONGZHI["TRIAGE"]["AUTO_APPLY"] * 100), 100),
        "waiting": appeal.state == State.SUBMITTED,
        "categories": Category.objects.filter(is_active=True).select_related("parent"),
    }


@dataclass
class Duplicate:
    appeal: Appeal
    score: float
    words: list[str]

    @property
    def percent(self) -> int:
        return round(self.score * 100)

    @property
    def marked(self):
        return similar.highlight(self.appeal.text[:200], self.words)

    @property
    def likely(self) -> bool:
        return self.score >= DUPLICATE_AT


def duplicate_candidates(*, viewer, appeal: Appeal, limit: int = 8) -> list[Duplicate]:
    """Open appeals about the same place in the last 30 days (appeals.selectors.merge_candidates), ranked by how
    alike their text reads, with a bonus for the same building and the same category family; the words both
    use are marked. Only suggested: merging stays a person's decision."""
    pool = merge_candidates(viewer=viewer, appeal=appeal, limit=200)
    if not pool:
        return []
    mine = similar.shingles(appeal.text)
    family = (appeal.category.parent_id or appeal.category_id) if appeal.category_id else None
    ranked = []
    for other in pool:
        score = similar.cosine(mine, similar.shingles(other.text))
        if appeal.building_id and other.building_id == appeal.building_id:
            score += 0.1
        if family and other.category_id and (other.category.parent_id or other.category_id) == family:
            score += 0.05
        ranked.append((min(score, 1.0), other))
    ranked.sort(key=lambda pair: (-pair[0], -pair[1].pk))
    words = set(text.words(appeal.text))
    return [Duplicate(other, round(score, 3), similar.shared_words(words, other.text))
            for score, other in ranked[:limit]]
