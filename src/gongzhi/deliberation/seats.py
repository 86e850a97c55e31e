"""The seat templates of the seeds, to start from (7+X, 五方议事, 1351N, a building's council). Administrators add
their own in the admin; ``seed`` adds these where missing (the migration, and the demo after a flush)."""

TEMPLATES = [
    ("7x", "7+X", "七类常设代表，加上按议题确定的协商对象X（徐州绿地北社区“协商民主议事苑”）", [
        ("leaders", "街道领导", 1, False),
        ("two_committees", "社区“两委”成员", 2, False),
        ("deputies", "“两代表一委员”", 1, False),
        ("lawyers", "党员律师", 1, False),
        ("owners_committee", "业委会代表", 1, False),
        ("residents", "群众代表", 3, False),
        ("retired", "热心退休老干部", 1, False),
        ("x", "协商对象（X）", 0, True),
    ]),
    ("five_parties", "五方议事", "居委会、物业、社区社会组织、社会单位、专业社会组织（北京双合家园）", [
        ("residents_committee", "居委会", 1, False),
        ("property", "物业服务企业", 1, False),
        ("community_orgs", "社区社会组织", 1, False),
        ("partner_units", "社会单位（共建单位）", 1, False),
        ("professional_orgs", "专业社会组织", 1, False),
        ("x", "相关居民与利益相关方", 0, True),
    ]),
    ("1351n", "1351N", "1个社区党委核心，3委共治，5方议事，N个社区社会组织（北京双合家园）", [
        ("party_committee", "社区党委", 1, False),
        ("residents_committee", "居民委员会", 1, False),
        ("social_affairs", "社会事务协调委员会", 1, False),
        ("property", "物业服务企业", 1, False),
        ("community_orgs", "社区社会组织", 1, False),
        ("partner_units", "社会单位", 1, False),
        ("professional_orgs", "专业社会组织", 1, False),
        ("n", "N个社区社会组织", 0, False),
        ("x", "议题相关方", 0, True),
    ]),
    ("building", "楼院议事会", "单元长、楼门长、居民代表、产权单位与物业（阳泉北苑居小区听证协商会）", [
        ("unit_heads", "单元长/楼门长", 2, False),
        ("residents", "居民代表", 3, False),
        ("party", "党组织代表", 1, False),
        ("property", "物业或产权单位", 1, False),
        ("x", "议题相关方", 0, True),
    ]),
]


def seed(SeatTemplate, SeatKind) -> None:
    for code, name, description, kinds in TEMPLATES:
        template, _ = SeatTemplate.objects.get_or_create(code=code, defaults={"name": name,
                                                                            "description": description})
        for position, (kcode, kname, seats, per_topic) in enumerate(kinds):
            SeatKind.objects.get_or_create(template=template, code=kcode, defaults={
                "name": kname, "seats": seats, "per_topic": per_topic, "position": position})
