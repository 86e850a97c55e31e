"""Registry permissions: every registry read and write asks here, and here asks ``access.scopes`` only.

Rows outside the viewer's scope are not found (404), never "forbidden": their existence is not revealed.
"""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.access.scopes import Perm, Scope, scope_for
from gongzhi.core.errors import NotFound, NotPermitted
from gongzhi.core.masking import mask_id_number, mask_phone

from .choices import PLACE_KINDS, Tenure
from .models import Area, ExclusivePart, Household, Organisation, OrganisationArea, Resident


def areas_visible_to(user) -> QuerySet[Area]:
    return Area.objects.filter(scope_for(user, Perm.VIEW_AREAS).q())


def _rows(user, *, owners) -> Q:
    """Where ``user`` sees people: all of them where she holds VIEW_RESIDENTS; the owners (``owners(scope)``, a filter
    given her VIEW_OWNERS scope) where she holds VIEW_OWNERS (an owners' committee)."""
    everyone, only_owners = scope_for(user, Perm.VIEW_RESIDENTS), scope_for(user, Perm.VIEW_OWNERS)
    if everyone.everywhere:
        return Q()
    rows = everyone.q()
    if only_owners:
        rows |= owners(only_owners)
    return rows


def sees_residents(user) -> bool:
    """Whether ``user`` has a resident list at all (everyone somewhere, or owners somewhere)."""
    return bool(scope_for(user, Perm.VIEW_RESIDENTS)) or bool(scope_for(user, Perm.VIEW_OWNERS))


def _owned_parts(scope: Scope) -> QuerySet[ExclusivePart]:
    return ExclusivePart.objects.filter(scope.q(), owner__isnull=False)


def households_visible_to(user) -> QuerySet[Household]:
    """An owners' committee sees the homes there of an owner: a resident whose tenure is owner, or a part whose buyer
    of record the registry holds."""
    def owners(scope: Scope) -> Q:
        return scope.q() & (Q(pk__in=Resident.objects.filter(scope.q(), tenure=Tenure.OWNER).values("household_id"))
                            | Q(pk__in=_owned_parts(scope).values("household_id")))

    return Household.objects.filter(_rows(user, owners=owners))


def residents_visible_to(user) -> QuerySet[Resident]:
    """An owners' committee sees the owners there (tenure owner) and the buyers of record of the parts there, who may
    live elsewhere in the community (民法典 art. 278: they are the ones who vote)."""
    def owners(scope: Scope) -> Q:
        return (scope.q() & Q(tenure=Tenure.OWNER)) | Q(pk__in=_owned_parts(scope).values("owner_id"))

    return Resident.objects.filter(_rows(user, owners=owners))


def sees_care_data(user, resident: Resident) -> bool:
    """Special-family, disability and subsistence tags, ages, living alone, party membership and ID numbers
    (even masked): for those who care for the resident, not for partners (docs/personal-data.md)."""
    return can(user, Perm.VIEW_CARE_DATA, resident)


def _ancestor_ids(scope: Scope) -> set[int]:
    """Areas at or above the places of ``scope``: a department backing the subdistrict serves my grid too."""
    ids = {pk for _kind, pk in scope.places}
    for row in Area.objects.filter(pk__in=ids).values(*(f"{k}_id" for k in PLACE_KINDS)):
        ids.update(v for v in row.values() if v)
    return ids


def organisations_visible_to(user) -> QuerySet[Organisation]:
    scope = scope_for(user, Perm.VIEW_ORGANISATIONS)
    if scope.everywhere:
        return Organisation.objects.all()
    if not scope:
        return Organisation.objects.none()
    serving = OrganisationArea.objects.filter(Q(area_id__in=_ancestor_ids(scope)) | scope.q("area__"))
    homed = Area.objects.filter(scope.q())
    return Organisation.objects.filter(Q(pk__in=serving.values("organisation_id")) | Q(home_area__in=homed))


def require(user, perm: Perm, obj=None, *, message=None) -> None:
    """Raise NotPermitted unless ``user`` holds ``perm`` somewhere (or over ``obj`` when given)."""
    scope = scope_for(user, perm)
    if not (scope.covers(obj) if obj is not None else bool(scope)):
        raise NotPermitted(message or _("您没有权限执行此操作"))


def can(user, perm: Perm, obj) -> bool:
    return scope_for(user, perm).covers(obj)


def can_manage_organisation(user, organisation: Organisation) -> bool:
    scope = scope_for(user, Perm.MANAGE_ORGANISATIONS)
    if scope.everywhere:
        return True
    return organisation.home_area_id is not None and scope.covers(organisation.home_area)


def get_visible(queryset: QuerySet, pk):
    """The row ``pk`` from an already scoped queryset, or NotFound: out of scope looks like absent."""
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("未找到该记录，或您无权查看")) from None


class PersonalData:
    """A resident's personal data as one viewer may see it: full where allowed, masked elsewhere, and the ID
    number and age not at all for a viewer without care data (a partner)."""

    def __init__(self, resident: Resident, *, full: bool, care: bool = True):
        self.full, self.care = full, care
        self.id_number = (resident.id_number if full else mask_id_number(resident.id_number)) if care else None
        self.phone = resident.phone if full else mask_phone(resident.phone)
        self.birth_date = resident.birth_date if full else None
        self.birth_year = resident.birth_date.year if resident.birth_date and care else None


def personal_data(user, resident: Resident, *, reveal: bool = False) -> PersonalData:
    """What ``user`` sees of ``resident``'s personal data: masked, or in full once she asks (``reveal``) and may."""
    return PersonalData(resident, full=reveal and can(user, Perm.VIEW_PERSONAL_DATA, resident),
                        care=sees_care_data(user, resident))
