"""Test data made on purpose, instead of picked out of the demo city by id: each factory says what the test needs.

Plain functions, each returning a saved row; a new test reaches for these instead of ``order_by("id").first()``.
"""
from __future__ import annotations

import itertools

from gongzhi.accounts.models import RoleGrant, User
from gongzhi.registry.choices import OrgKind, PartnerRole
from gongzhi.registry.models import Organisation, OrganisationArea

_seq = itertools.count(1)


def organisation(*, kind: str = OrgKind.PROPERTY_COMPANY, name: str = "", serving=(), role: str = PartnerRole.SERVES,
                 active: bool = True, staff_role: str | None = None) -> Organisation:
    """An organisation serving the given areas (with ``role`` there); with ``staff_role``, one person holding it."""
    org = Organisation.objects.create(kind=kind, name=name or f"测试单位{next(_seq)}", is_active=active)
    OrganisationArea.objects.bulk_create([OrganisationArea(organisation=org, area=area, role=role)
                                          for area in serving])
    if staff_role:
        staff = User.objects.create_user(f"staff-{org.pk}", display_name=f"{org.name}职员")
        RoleGrant.objects.create(user=staff, role=staff_role, organisation=org)
    return org
