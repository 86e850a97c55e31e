"""Who stands on each rung of a special family's care ladder: her paired member, his centre household's keeper, the
centre's branch, then the community (None: the appeal goes to the community's queue)."""
from gongzhi.registry.models import OrganisationMember

from .models import CentreHousehold, CentreMember, Pairing


def chain_of(resident_id: int | None) -> dict:
    """{"member": user id | None, "centre": user id | None, "branch": user id | None} for the resident's active
    pairing; empty values where a link is missing or the person has no account."""
    out = {"member": None, "centre": None, "branch": None, "pairing": None}
    if resident_id is None:
        return out
    pairing = (Pairing.objects.filter(resident_id=resident_id, ended_at__isnull=True)
               .select_related("member").first())
    if pairing is None:
        return out
    out["pairing"] = pairing
    out["member"] = pairing.member.user_id
    link = (CentreMember.objects.filter(member_id=pairing.member_id, ended_at__isnull=True, centre__ended_at__isnull=True)
            .select_related("centre__keeper").first())
    # a keeper's own family: he is the centre, so it goes from him straight to his branch
    own = None if link else CentreHousehold.objects.filter(keeper_id=pairing.member_id, ended_at__isnull=True).first()
    branch_id = link.centre.branch_id if link else own.branch_id if own else None
    if link is not None:
        out["centre"] = link.centre.keeper.user_id
    if branch_id is not None:
        out["branch"] = (OrganisationMember.objects.filter(organisation_id=branch_id, user__isnull=False,
                                                           ended_on__isnull=True)
                         .order_by("-is_contact", "id").values_list("user_id", flat=True).first())
    return out


RUNGS = ("member", "centre", "branch")


def holder_at(chain: dict, target: str) -> int | None:
    """The first person with an account at ``target`` or above it (a centre keeper without a phone hands it on to
    the branch); None once it reaches the community."""
    if target not in RUNGS:
        return None
    for rung in RUNGS[RUNGS.index(target):]:
        if chain.get(rung):
            return chain[rung]
    return None
