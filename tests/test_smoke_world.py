def test_the_postgresql_pass_really_runs_on_postgresql(pytestconfig, db):
    from django.db import connection

    expected = "postgresql" if pytestconfig.getoption("--postgresql") else "sqlite"
    assert connection.vendor == expected


def test_world_has_an_account_for_every_role(users, world):
    from gongzhi.access.roles import Role

    held = {g.role for name in ["admin", "operator", "subdistrict", "district", "secretary", "worker", "gridworker", "property",
                                "owners", "department", "volunteer", "buildinghead"] for g in users(name).role_grants.all()}
    assert held == set(Role.values) - {Role.RESIDENT}
    assert users("resident").bindings.get().status == "verified"
    assert world.community != world.other_community
