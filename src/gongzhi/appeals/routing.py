"""Who handles an appeal: routing rules over the compound's six partners (社区治理合伙人, 002)."""
from gongzhi.registry.choices import PLACE_KINDS
from gongzhi.registry.models import Organisation, OrganisationArea

from .models import Appeal, RoutingRule


def _chain(appeal: Appeal) -> list[int]:
    """The appeal's area and its ancestors, most specific first."""
    return [pk for kind in reversed(PLACE_KINDS) if (pk := getattr(appeal, f"{kind}_id"))]


def candidate_rules(appeal: Appeal) -> list[RoutingRule]:
    """Rules that may apply, best first: the sub-category's before its parent's, a nearer area before a
    farther one (no area = anywhere, last), then by position."""
    if appeal.category_id is None:
        return []
    categories = [appeal.category_id] + ([appeal.category.parent_id] if appeal.category.parent_id else [])
    chain = _chain(appeal)
    rules = list(RoutingRule.objects.filter(category_id__in=categories).select_related("organisation"))
    rules = [r for r in rules if r.area_id is None or r.area_id in chain]

    def rank(rule):
        area_rank = chain.index(rule.area_id) if rule.area_id else len(chain)
        return (categories.index(rule.category_id), area_rank, rule.position, rule.id)

    return sorted(rules, key=rank)


def _serving(chain: list[int], role: str, kind: str) -> list[Organisation]:
    """Organisations serving the appeal's place in ``role``, nearest area first (so a compound's own property
    company comes before the community's red steward)."""
    links = OrganisationArea.objects.filter(area_id__in=chain, role=role, organisation__is_active=True)
    if kind:
        links = links.filter(organisation__kind=kind)
    links = sorted(links.select_related("organisation"), key=lambda link: (chain.index(link.area_id), link.organisation_id))
    return [link.organisation for link in links]


def route(appeal: Appeal) -> tuple[Organisation, RoutingRule] | None:
    """The party the first applicable rule names, with that rule; None when no rule finds anyone."""
    chain = _chain(appeal)
    for rule in candidate_rules(appeal):
        if rule.organisation_id:
            if rule.organisation.is_active:
                return rule.organisation, rule
            continue
        if found := _serving(chain, rule.role, rule.organisation_kind):
            return found[0], rule
    return None
