"""Measurements that run inside a Django process (settings from the environment the caller sets up).

    python -m bench.tasks NAME '{"json": "kwargs"}'   → prints one JSON object on the last line
"""
import json
import sys
import time


def _setup():
    import django

    django.setup()


def build(residents: int, accounts: bool = True) -> dict:
    from gongzhi.accounts.demo import build_accounts
    from gongzhi.registry.demo import build_registry

    started = time.perf_counter()
    summary = build_registry(residents=residents, quiet=False)
    if accounts:
        build_accounts()
    return {"seconds": time.perf_counter() - started, "residents": summary.residents,
            "households": summary.households, "areas": summary.areas}


def _largest_community():
    from django.db.models import Count

    from gongzhi.registry.models import Resident

    row = (Resident.objects.values("community_id").annotate(n=Count("id")).order_by("-n", "community_id").first())
    return row["community_id"], row["n"]


def _bench_secretary(community_id: int):
    """A secretary of ``community_id``: the viewer whose scope the staff list applies."""
    from gongzhi.accounts.models import RoleGrant, User

    user, _created = User.objects.get_or_create(username="bench-secretary", defaults={"display_name": "压测书记"})
    RoleGrant.objects.get_or_create(user=user, role="community_secretary", area_id=community_id,
                                    revoked_at=None)
    return User.objects.get(pk=user.pk)


def scope_query(iterations: int = 300) -> dict:
    """'Residents under community X, first page and total', as the staff list asks it."""
    from gongzhi.registry.filters import ResidentFilter
    from gongzhi.registry.selectors import attach_places

    community_id, size = _largest_community()
    viewer = _bench_secretary(community_id)
    timings = []
    for i in range(iterations + 20):
        started = time.perf_counter()
        filters = ResidentFilter({"area": str(community_id)}, viewer=viewer)
        assert filters.is_valid(), filters.errors
        qs = filters.qs
        page = attach_places(list(qs[:50]))  # what the list shows: addresses and grids
        total = qs.count()
        elapsed = (time.perf_counter() - started) * 1000
        if i >= 20:  # warm-up first
            timings.append(elapsed)
        viewer = type(viewer).objects.get(pk=viewer.pk)  # a new request: no cached scope
    assert len(page) == 50 and total > 0
    return {"timings": timings, "community_residents": size, "total": total}


def session(community_id: int | None = None) -> dict:
    """A logged-in session cookie for the bench secretary of the largest (or given) community."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    if community_id is None:
        community_id, _n = _largest_community()
    user = _bench_secretary(community_id)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]  # the one that checks passwords
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return {"cookie": f"{settings.SESSION_COOKIE_NAME}={store.session_key}", "community_id": community_id}


def operator_session() -> dict:
    """A logged-in session cookie for a 12345 centre operator: the whole city is her queue."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import Count

    from gongzhi.accounts.models import RoleGrant, User
    from gongzhi.appeals.models import Appeal

    user, _created = User.objects.get_or_create(username="bench-operator", defaults={"display_name": "压测运营"})
    RoleGrant.objects.get_or_create(user=user, role="city_operator", area=None, organisation=None, revoked_at=None)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    district = Appeal.objects.values("district_id").annotate(n=Count("id")).order_by("-n").first()
    return {"cookie": f"{settings.SESSION_COOKIE_NAME}={store.session_key}", "district_id": district["district_id"],
            "district_appeals": district["n"]}


def export_appeals(rows: int = 100_000) -> dict:
    """The operator's export of ``rows`` appeals, as the queue's export writes it (appeals.export.appeals_xlsx):
    the file streamed out in full; seconds, the file's size and this process's peak memory."""
    import resource

    from gongzhi.accounts.models import User
    from gongzhi.appeals import export
    from gongzhi.appeals.selectors import appeal_list

    operator = User.objects.get(username="bench-operator")
    appeals = appeal_list(viewer=operator, state="")
    last = appeals.values_list("pk", flat=True).first()
    appeals = appeals.filter(pk__gt=last - rows)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    response = export.appeals_xlsx(appeals, filename="bench")
    size = sum(len(chunk) for chunk in response.streaming_content)
    seconds = time.perf_counter() - started
    response.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "rows": appeals.count(), "bytes": size, "rss_mb": peak, "rss_before_mb": before}


def make_ledger(path: str, rows: int) -> dict:
    """A ledger file of ``rows`` new residents in the community of the worker who imports it (import_ledger), as a
    community would keep it."""
    import random
    from datetime import date

    from openpyxl import Workbook

    from gongzhi.registry.choices import AreaKind
    from gongzhi.registry.demo import Namer
    from gongzhi.registry.ledger import HEADERS
    from gongzhi.registry.models import Area

    rng = random.Random(20261123)
    namer = Namer(rng, regions=("440103", "440104", "440105", "440106"))  # people new to the demo city
    from gongzhi.accounts.models import User

    community = User.objects.get(username="worker").role_grants.get(area__kind=AreaKind.COMMUNITY).area
    grids = list(Area.objects.filter(kind=AreaKind.GRID, community=community).order_by("id"))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("居民台账")
    sheet.append(list(HEADERS))
    written = 0
    compound_no = 0
    while written < rows:
        compound_no += 1
        grid = grids[compound_no % len(grids)].name
        for building in range(1, 13):
            for unit in range(1, 4):
                for floor in range(1, 19):
                    for door in range(1, 3):
                        room = f"{floor}{door:02d}"
                        for member in range(rng.choice((1, 2, 2, 3, 3, 4))):
                            if written >= rows:
                                break
                            head = member == 0
                            age = rng.randint(25, 85) if head else rng.randint(1, 60)
                            born = date(2026 - age, rng.randint(1, 12), rng.randint(1, 28))
                            gender = rng.choice("MF")
                            sheet.append([
                                "", community.name, grid, f"压测家园{compound_no}期", f"{building}号楼",
                                f"{unit}单元", room, namer.surname() + namer.given(born, gender),
                                "男" if gender == "M" else "女", born.isoformat(), namer.id_number(born, gender),
                                namer.mobile() if head else "", "户主" if head else "子女",
                                "业主" if head else "同住家属", f"{rng.randint(45, 140)}.5" if head else "",
                                "是" if head and age > 75 and rng.random() < 0.3 else "否",
                                "是" if rng.random() < 0.08 else "否", "否", "", "在册", "",
                            ])
                            written += 1
    workbook.save(path)
    return {"rows": written, "community": community.name}


def import_ledger(path: str) -> dict:
    from gongzhi.accounts.models import User
    from gongzhi.registry.ledger import ledger_import

    worker = User.objects.get(username="worker")
    with open(path, "rb") as f:
        data = f.read()
    started = time.perf_counter()
    batch = ledger_import(actor=worker, data=data, file_name="bench.xlsx")
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": batch.rows, "created": batch.created, "updated": batch.updated,
            "unchanged": batch.unchanged, "refused": batch.refused, "status": batch.status,
            "errors": batch.errors[:3]}


def make_hotline_file(path: str, rows: int) -> dict:
    """A hotline export of ``rows`` orders spread over the demo city's communities and compounds."""
    import random

    from openpyxl import Workbook

    from gongzhi.appeals.models import Category
    from gongzhi.registry.models import Area

    rng = random.Random(12345)
    compounds = list(Area.objects.filter(kind="compound").select_related("community").order_by("id"))
    leaves = list(Category.objects.filter(parent__isnull=False).select_related("parent").order_by("id"))
    problems = ["电梯停运", "楼道堆物无人清理", "夜间施工噪音", "小区路灯不亮", "下水道堵塞返水", "暖气不热",
                "车辆占用消防通道", "楼上漏水", "垃圾清运不及时", "绿地被占用"]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("派单明细")
    sheet.append(["工单号", "来电时间", "诉求内容", "社区", "小区", "类别", "来电人", "联系电话"])
    for n in range(rows):
        compound = compounds[int(rng.paretovariate(1.2)) % len(compounds)]  # a few busy compounds
        leaf = rng.choice(leaves)
        sheet.append([f"BJ12345-{n:08d}", f"2026-11-{rng.randint(1, 22):02d} {rng.randint(8, 21):02d}:00",
                      f"{compound.name}{rng.choice(problems)}，请尽快处理", compound.community.name, compound.name,
                      f"{leaf.parent.name}/{leaf.name}", "市民", f"139{rng.randint(0, 99999999):08d}"])
    workbook.save(path)
    return {"rows": rows}


def import_hotline(path: str) -> dict:
    from gongzhi.accounts.models import User
    from gongzhi.appeals.hotline import hotline_import

    operator = User.objects.get(username="admin")
    with open(path, "rb") as f:
        data = f.read()
    started = time.perf_counter()
    outcome = hotline_import(actor=operator, data=data, file_name="hotline.xlsx")
    return {"seconds": time.perf_counter() - started, "rows": outcome.rows, "created": outcome.created,
            "existing": outcome.existing, "refused": outcome.refused}


def _bench_areas(communities: int, compound_names: list[str]) -> tuple[list, list]:
    """One district, a subdistrict per 100 communities, and these compounds in every community."""
    from gongzhi.registry.choices import AreaKind
    from gongzhi.registry.models import Area
    from gongzhi.registry.services import areas_bulk_create

    district = areas_bulk_create([Area(kind=AreaKind.DISTRICT, name="压测区")])[0]
    subs = areas_bulk_create([Area(kind=AreaKind.SUBDISTRICT, parent=district, name=f"压测{i}街道")
                              for i in range((communities + 99) // 100)])
    comms = areas_bulk_create([Area(kind=AreaKind.COMMUNITY, parent=subs[i // 100], name=f"压测{i}社区")
                               for i in range(communities)])
    compounds = areas_bulk_create([Area(kind=AreaKind.COMPOUND, parent=c, name=name)
                                   for c in comms for name in compound_names])
    return comms, compounds


def appeal_city(communities: int, appeals: int, open_share: float, overdue_share: float) -> dict:
    """A city-sized set of appeals on PostgreSQL: ``communities`` communities (one compound each, grouped 100
    to a subdistrict), property companies serving them, and ``appeals`` appeals of the last 30 days, of which
    ``open_share`` are still open and ``overdue_share`` (of all) past their resolve deadline. Written with
    INSERT … SELECT generate_series: the point is the queries on top, not the loader."""
    from django.db import connection

    from gongzhi.appeals.models import Category
    from gongzhi.registry.choices import OrgKind, PartnerRole
    from gongzhi.registry.models import Organisation, OrganisationArea

    started = time.perf_counter()
    comms, compounds = _bench_areas(communities, ["一号院"])
    companies = Organisation.objects.bulk_create([Organisation(kind=OrgKind.PROPERTY_COMPANY, name=f"压测物业{i}")
                                                  for i in range(200)])
    OrganisationArea.objects.bulk_create([OrganisationArea(organisation=companies[i % 200], area=c,
                                                           role=PartnerRole.STEWARD)
                                          for i, c in enumerate(compounds)])
    leaves = list(Category.objects.filter(parent__isnull=False).values_list("pk", flat=True))
    first_compound, last_compound = compounds[0].pk, compounds[-1].pk
    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO appeals_appeal (
                number, channel, category_id, priority, state, text, area_id, district_id, subdistrict_id,
                community_id, compound_id, contact_name, contact_phone, contact_preference, public, proactive,
                hotline_order_no, client_key, reply, outcome, rating, rating_comment, pause_reason, reopen_count,
                party_id, created_at, updated_at, accepted_at, responded_at, respond_due_at, resolve_due_at,
                resolve_warn_at, resolved_at, closed_at)
            SELECT 'B' || lpad(g::text, 9, '0'), CASE WHEN g %% 2 = 0 THEN 'hotline' ELSE 'desk' END,
                   (%(leaves)s::bigint[])[1 + g %% array_length(%(leaves)s::bigint[], 1)], 'normal',
                   st.state, '压测诉求', c.id, c.district_id, c.subdistrict_id, c.community_id, c.id,
                   '', '', '', false, false, CASE WHEN g %% 2 = 0 THEN 'B' || g ELSE '' END, '', '',
                   CASE WHEN st.state = 'closed_unresolved' THEN 'explained' ELSE '' END,
                   CASE WHEN st.state = 'closed' THEN (ARRAY['satisfied','basically','dissatisfied'])[1 + g %% 3]
                        ELSE '' END, '', '', 0,
                   oa.organisation_id, t.created, t.created, t.created + interval '1 hour',
                   t.created + interval '1 hour', t.created + interval '2 hours', t.due, t.due - interval '1 hour',
                   CASE WHEN st.state = 'closed' THEN t.created + interval '1 day' END,
                   CASE WHEN st.state IN ('closed', 'closed_unresolved') THEN t.created + interval '2 days' END
            FROM generate_series(1, %(n)s) AS g
            JOIN registry_area c ON c.id = %(first)s + (hashint4(g) & 2147483647) %% (%(last)s - %(first)s + 1)
            LEFT JOIN registry_organisationarea oa ON oa.area_id = c.id AND oa.role = 'steward'
            CROSS JOIN LATERAL (SELECT CASE
                WHEN (g %% 1000) < %(overdue)s THEN 'in_progress'
                WHEN (g %% 1000) < %(open)s THEN (ARRAY['accepted','dispatched','in_progress'])[1 + g %% 3]
                WHEN g %% 10 = 0 THEN 'closed_unresolved' ELSE 'closed' END AS state) st
            CROSS JOIN LATERAL (SELECT now() - (g %% 43200) * interval '1 minute' AS created,
                CASE WHEN (g %% 1000) < %(overdue)s THEN now() - interval '1 hour'
                     ELSE now() + interval '3 days' END AS due) t
        """, {"leaves": leaves, "n": appeals, "first": first_compound, "last": last_compound,
              "overdue": int(overdue_share * 1000), "open": int(open_share * 1000)})
        cursor.execute("ANALYZE appeals_appeal")
    return {"seconds": time.perf_counter() - started, "communities": len(comms), "appeals": appeals}


def sweep_once() -> dict:
    from gongzhi.appeals.sweep import sweep

    started = time.perf_counter()
    counts = sweep()
    return {"seconds": time.perf_counter() - started, **counts}


def rates_city(runs: int = 5) -> dict:
    from datetime import timedelta

    from django.utils import timezone

    from gongzhi.accounts.models import User
    from gongzhi.appeals.figures import rates

    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"is_superuser": True})
    today = timezone.localdate()
    timings, rows = [], []
    for _i in range(runs):
        started = time.perf_counter()
        rows = rates(viewer=admin, group_by="community", start=today - timedelta(days=30), end=today)
        timings.append((time.perf_counter() - started) * 1000)
    return {"timings": timings, "groups": len(rows), "appeals": sum(r["total"] for r in rows)}


def busiest_community_session() -> dict:
    from django.db.models import Count

    from gongzhi.appeals.models import Appeal

    row = Appeal.objects.values("community_id").annotate(n=Count("id")).order_by("-n").first()
    return {**session(row["community_id"]), "appeals": row["n"]}


def intake_setup() -> dict:
    """A resident's API token and the body of a portal appeal about her home (the demo city's resident)."""
    from gongzhi.accounts.models import User
    from gongzhi.accounts.services import api_token_issue, verified_households
    from gongzhi.appeals.models import Category

    resident = User.objects.get(username="resident")
    home = verified_households(resident).get()
    _token, key = api_token_issue(user=resident, name="bench")
    body = {"channel": "portal", "text": "单元门禁坏了，晚上关不上，外人随便进", "area_id": home.area_id,
            "household_id": home.pk, "category_id": Category.objects.get(code="property-access").pk,
            "public": True}
    return {"token": key, "body": body}


def intake_counts() -> dict:
    from gongzhi.appeals.models import Appeal, AppealEvent
    from gongzhi.notifications.models import OutboxMessage

    return {"appeals": Appeal.objects.filter(channel="portal", text__startswith="单元门禁坏了").count(),
            "submit_events": AppealEvent.objects.filter(action="submit", appeal__text__startswith="单元门禁坏了").count(),
            "outbox": OutboxMessage.objects.filter(subject__contains="已收到您的诉求").count()}


def triage_drain() -> dict:
    """What beat's triage sweep does after a burst of filings: every waiting appeal read, batch after batch."""
    import time

    from gongzhi.appeals.models import Appeal
    from gongzhi.triage.tasks import drain

    started = time.perf_counter()
    done = drain()
    waiting = Appeal.objects.filter(state="submitted", triage__isnull=True).count()
    return {"triaged": done, "seconds": round(time.perf_counter() - started, 2), "still_waiting": waiting}


def _shared_raw_messages() -> list[str]:
    """Real raw messages (hot.csv and replies.csv: title and body as residents wrote them)."""
    import csv

    from django.conf import settings

    folder = settings.GONGZHI["TRIAGE"]["DATA_DIR"]
    texts = []
    for name in ("hot.csv", "replies.csv"):
        with (folder / name).open(encoding="utf-8") as f:
            texts += [f"{row['title']} {row['body']}" for row in csv.DictReader(f)]
    return texts


def triage_city(communities: int, appeals: int, days: int = 30) -> dict:
    """A city's month for hotspots and duplicates: ``communities`` communities (100 to a subdistrict) of five
    compounds each, ``appeals`` appeals over the last ``days`` days with real raw texts (hot.csv, replies.csv; cut
    to 300 characters). Busy compounds get most appeals; 40% of a compound's appeals repeat one of its three
    troubles (the same text from other people), the rest are any message; the category follows the text."""
    from django.db import connection

    from gongzhi.appeals.models import Category

    started = time.perf_counter()
    texts = [t[:300] for t in _shared_raw_messages()]
    comms, compounds = _bench_areas(communities, [f"{k + 1}号院" for k in range(5)])
    leaves = list(Category.objects.filter(parent__isnull=False).order_by("id").values_list("pk", flat=True))
    first, last = compounds[0].pk, compounds[-1].pk
    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO appeals_appeal (
                number, channel, category_id, priority, state, text, area_id, district_id, subdistrict_id,
                community_id, compound_id, contact_name, contact_phone, contact_preference, public, proactive,
                hotline_order_no, client_key, reply, outcome, rating, rating_comment, pause_reason, reopen_count,
                created_at, updated_at)
            SELECT 'T' || lpad(g::text, 9, '0'), 'hotline',
                   (%(leaves)s::bigint[])[1 + x.t %% array_length(%(leaves)s::bigint[], 1)], 'normal',
                   CASE WHEN g %% 3 = 0 THEN 'accepted' ELSE 'closed' END,
                   (%(texts)s::text[])[1 + x.t], c.id, c.district_id, c.subdistrict_id, c.community_id, c.id,
                   '', '139' || lpad((g %% 90000000)::text, 8, '0'), '', false, false, 'T' || g, '', '', '', '',
                   '', '', 0, now() - (g %% (%(days)s * 1440)) * interval '1 minute',
                   now() - (g %% (%(days)s * 1440)) * interval '1 minute'
            FROM generate_series(1, %(n)s) AS g
            CROSS JOIN LATERAL (SELECT %(first)s + floor((%(last)s - %(first)s + 1)
                   * power((hashint4(g) & 2147483647) / 2147483648.0, 2))::int AS compound) p
            JOIN registry_area c ON c.id = p.compound
            CROSS JOIN LATERAL (SELECT CASE WHEN g %% 10 < 4 THEN (c.id * 31 + g %% 3) %% %(ntexts)s
                   ELSE (hashint4(g + 7) & 2147483647) %% %(ntexts)s END AS t) x
        """, {"leaves": leaves, "texts": texts, "ntexts": len(texts), "n": appeals, "first": first, "last": last,
              "days": days})
        cursor.execute("ANALYZE appeals_appeal")
    return {"seconds": time.perf_counter() - started, "communities": len(comms), "compounds": len(compounds),
            "appeals": appeals}


def hotspots_city(runs: int = 3) -> dict:
    """The hourly job: the whole city's hotspots of the last 30 days."""
    from datetime import timedelta

    from django.db.models import Max

    from gongzhi.appeals.models import Appeal
    from gongzhi.triage.services import hotspots_refresh

    # the month the data was written for (the kept cluster may be days old)
    end = Appeal.objects.aggregate(last=Max("created_at"))["last"] + timedelta(minutes=1)
    timings, made = [], None
    for _ in range(runs):
        started = time.perf_counter()
        made = hotspots_refresh(days=30, now=end)
        timings.append(time.perf_counter() - started)
    return {"timings": timings, "appeals": made.appeals, "hotspots": made.groups}


def duplicates_city(samples: int = 200) -> dict:
    """Candidate search for one new appeal: the merge box of an open appeal in a busy compound (its same-place
    appeals of 30 days, ranked by text, shared words marked), as the appeal page computes it for a worker."""
    import random

    from django.db.models import Count

    from gongzhi.access.roles import Role
    from gongzhi.accounts.models import RoleGrant, User
    from gongzhi.appeals.models import Appeal
    from gongzhi.triage.selectors import duplicate_candidates

    viewer, _ = User.objects.get_or_create(username="bench-city", defaults={"display_name": "压测"})
    RoleGrant.objects.get_or_create(user=viewer, role=Role.ADMINISTRATOR)  # sees and handles every appeal
    busy = list(Appeal.objects.values("compound_id").annotate(n=Count("id")).order_by("-n")
                .values_list("compound_id", "n")[:50])
    rng = random.Random(1)
    picks = []
    for compound, _n in busy:
        picks += list(Appeal.objects.filter(compound_id=compound, state="accepted").order_by("-id")
                      .values_list("pk", flat=True)[:20])
    picks = rng.sample(picks, min(samples, len(picks)))
    duplicate_candidates(viewer=viewer, appeal=Appeal.objects.select_related("category").get(pk=picks[0]))
    latencies, found = [], []
    for pk in picks:
        t0 = time.perf_counter()
        appeal = Appeal.objects.select_related("category").get(pk=pk)
        found.append(len(duplicate_candidates(viewer=viewer, appeal=appeal)))
        latencies.append((time.perf_counter() - t0) * 1000)
    latencies.sort()
    return {"samples": len(picks), "p50_ms": latencies[len(latencies) // 2],
            "p95_ms": latencies[int(len(latencies) * 0.95)], "max_ms": latencies[-1],
            "busiest_compound_appeals": busy[0][1], "candidates_median": sorted(found)[len(found) // 2]}


def _catalogue_model():
    """The model a new community gets (the catalogue's words and the shared data: the recipe in use), trained on
    the benchmark's freshly migrated database and timed."""
    import time

    from django.conf import settings

    from gongzhi.triage import classifier
    from gongzhi.triage.services import training_set

    data = training_set(own=False)
    started = time.perf_counter()
    model = classifier.fit(data.texts, data.labels, weights=data.weights,
                           temperature=settings.GONGZHI["TRIAGE"]["TEMPERATURE"])
    return model, time.perf_counter() - started, len(data.texts)


def triage_classify() -> dict:
    """Messages/s on one core, in batches and one at a time, with the model in use (catalogue and shared data)."""
    import resource
    import time

    from gongzhi.triage import classifier, loaded

    model, _seconds, _examples = _catalogue_model()
    path = model.save(loaded.model_path("bench-catalogue.npz"))
    model = classifier.Classifier.load(path)  # as a worker loads it
    model.top(["预热"])
    texts = _shared_raw_messages()
    started = time.perf_counter()
    for i in range(0, len(texts), 256):
        model.top(texts[i:i + 256])
    batch_rate = len(texts) / (time.perf_counter() - started)
    latencies = []
    for t in texts:
        t0 = time.perf_counter()
        model.top([t])
        latencies.append((time.perf_counter() - t0) * 1000)
    latencies.sort()
    return {"messages": len(texts), "labels": len(model.labels), "batch_per_s": round(batch_rate, 1),
            "single_per_s": round(len(texts) / (sum(latencies) / 1000), 1),
            "p50_ms": round(latencies[len(latencies) // 2], 3), "p99_ms": round(latencies[int(len(latencies) * 0.99)], 3),
            "max_ms": round(latencies[-1], 3), "chars_median": sorted(len(t) for t in texts)[len(texts) // 2],
            "model_file_mb": round(path.stat().st_size / 2**20, 2), "model_mb": round(model.nbytes / 2**20, 1),
            "process_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def triage_train(runs: int = 3) -> dict:
    """Training the model in use from scratch (the catalogue's words and the shared train.csv), seconds per run."""
    timings = []
    for _ in range(runs):
        _model, seconds, examples = _catalogue_model()
        timings.append(seconds)
    return {"examples": examples, "timings": timings}


def make_hostile(directory: str) -> dict:
    """Write the generated hostile uploads (gongzhi.testing.hostile) to ``directory``; returns their names."""
    from pathlib import Path

    from gongzhi.testing import hostile

    names = []
    for make in (*hostile.TABLES, *hostile.PHOTOS):
        name, data = make()
        (Path(directory) / name).write_bytes(data)
        names.append(name)
    return {"files": names}


def _importer(name: str):
    from gongzhi.accounts.models import User
    from gongzhi.appeals.hotline import hotline_import_process, hotline_import_start
    from gongzhi.registry.ledger import ledger_import_process, ledger_import_start

    if name.endswith((".csv", ".json")):  # a 12345 file; an .xlsx is a ledger
        return hotline_import_start, hotline_import_process, User.objects.get(username="admin")
    return ledger_import_start, ledger_import_process, User.objects.get(username="worker")


def upload_file(path: str) -> dict:
    """The web side of an upload as the page takes it: the form's checks, then the file kept with its batch for a
    worker (a photo is checked and re-encoded here: it is the request's own work). Peak memory of this process,
    Django and all."""
    import resource
    from pathlib import Path

    from django.core.files.uploadedfile import UploadedFile

    from gongzhi.appeals.forms import HotlineUploadForm
    from gongzhi.appeals.services.photos import prepare_photos
    from gongzhi.core.errors import InvalidInput
    from gongzhi.registry.forms import LedgerUploadForm

    name = Path(path).name
    started = time.perf_counter()
    # on disk, as Django keeps an upload above FILE_UPLOAD_MAX_MEMORY_SIZE (a TemporaryUploadedFile)
    upload = UploadedFile(open(path, "rb"), name=name, size=Path(path).stat().st_size)  # noqa: SIM115
    outcome: dict = {}
    if name.endswith((".png", ".jpg")):
        try:
            prepare_photos([upload])
            outcome = {"status": "done"}
        except InvalidInput as e:
            outcome = {"status": "failed", "failure": str(e.message)}
    else:
        form_class = HotlineUploadForm if name.endswith((".csv", ".json")) else LedgerUploadForm
        form = form_class(data={}, files={"file": upload})
        if not form.is_valid():
            outcome = {"status": "failed", "failure": "; ".join(str(m) for m in form.errors["file"])}
        else:
            start, _process, actor = _importer(name)
            upload = form.cleaned_data["file"]
            upload.seek(0)
            outcome = {"status": "kept", "batch": start(actor=actor, data=upload.read(), file_name=name).pk}
    return {**outcome, "seconds": time.perf_counter() - started, "bytes": Path(path).stat().st_size,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def process_upload(file_name: str, batch: int) -> dict:
    """The worker side: import (or refuse) a kept upload. Peak memory of this process, Django and all."""
    import resource

    _start, process, _actor = _importer(file_name)
    started = time.perf_counter()
    done = process(batch)
    return {"status": done.status, "failure": done.failure, "rows": done.rows, "refused": done.refused,
            "created": getattr(done, "created", 0), "seconds": time.perf_counter() - started,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


# --- 协商议事 -----------------------------------------------------------------------------------------------------


def owners_estate(parts: int = 10_000, voted: float = 0.8, accounts: int = 0, seed: int = 23) -> dict:
    """A compound of ``parts`` exclusive parts as a big estate has them: 3% unsold (the developer's), 4% of buyers
    with a second flat or a garage, 10% of owners the registry does not hold (they live elsewhere); an owners'
    vote opened on it (the roll frozen); ``voted`` of the parts already balloted. With ``accounts``, that many
    owners get a verified account and an API token each (their keys go to the file named in the answer)."""
    import hashlib
    import random
    import secrets
    from datetime import timedelta
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from gongzhi.accounts.models import ApiToken, HouseholdBinding, User
    from gongzhi.deliberation import services
    from gongzhi.deliberation.models import Ballot, RollEntry, SeatTemplate
    from gongzhi.registry.models import Area, ExclusivePart, Household, Resident
    from gongzhi.registry.services import areas_bulk_create

    rng = random.Random(seed)
    secretary = User.objects.get(username="secretary")
    community = secretary.role_grants.get().area
    started = time.perf_counter()
    with transaction.atomic():
        compound = areas_bulk_create([Area(kind="compound", name=f"议事压测苑{parts}", parent=community)])[0]
        per_building = 120
        buildings = areas_bulk_create([Area(kind="building", name=f"{i + 1}号楼", parent=compound)
                                       for i in range((parts + per_building - 1) // per_building)])
        households = []
        for i in range(parts):
            b = buildings[i // per_building]
            h = Household(area=b, room=f"{(i % per_building) // 4 + 1}{(i % 4) + 1:02d}")
            h.place_at(b)
            households.append(h)
        households = Household.objects.bulk_create(households, batch_size=2000)
        owners, plan = [], []
        for h in households:
            roll = rng.random()
            if roll < 0.03:
                plan.append((h, "developer", None))
            elif roll < 0.07 and owners:
                plan.append((h, "second", rng.choice(owners)))  # a buyer of several parts: counts once by head
            else:
                r = Resident(household=h, name=f"业主{h.pk}", tenure="owner",
                             status="present" if rng.random() > 0.1 else "moved_out")
                r.place_at(h.area)
                owners.append(r)
                plan.append((h, "owner", r))
        Resident.objects.bulk_create(owners, batch_size=2000)
        part_rows = []
        for h, kind, owner in plan:
            area = Decimal(rng.randrange(4500, 14500)) / 100
            p = ExclusivePart(household=h, number=h.room, measured_area=area if rng.random() > 0.05 else None,
                              contract_area=area, owner=owner if kind != "developer" else None,
                              developer_held=kind == "developer")
            p.place_at(h.area)
            part_rows.append(p)
        ExclusivePart.objects.bulk_create(part_rows, batch_size=2000)
        keys = []
        if accounts:
            chosen = owners[:accounts]
            users = User.objects.bulk_create([User(username=f"owner-bench-{r.pk}", display_name=r.name,
                                                   password="!") for r in chosen], batch_size=2000)
            HouseholdBinding.objects.bulk_create([
                HouseholdBinding(user=u, household_id=r.household_id, resident=r, claimed_name=r.name,
                                 status="verified") for u, r in zip(users, chosen, strict=True)], batch_size=2000)
            tokens = []
            for u in users:
                key = "gz_" + secrets.token_urlsafe(32)
                keys.append(key)
                tokens.append(ApiToken(user=u, name="bench", prefix=key[3:11],
                                       key_hash=hashlib.sha256(key.encode()).hexdigest(),
                                       expires_at=timezone.now() + timedelta(days=30)))
            ApiToken.objects.bulk_create(tokens, batch_size=2000)
    built = time.perf_counter() - started
    council = services.council_create(actor=secretary, area=compound, name="业主议事会",
                                      template=SeatTemplate.objects.get(code="five_parties"))
    services.member_seat(actor=secretary, council=council, seat=council.template.kinds.first(), name="主持人")
    topic = services.topic_propose(actor=secretary, council=council, scope=compound, title="续聘物业服务企业",
                                   body="物业服务合同到期，是否续聘现物业服务企业。", owners_matter="steward")
    services.topic_accept(actor=secretary, topic=topic)
    meeting = services.meeting_schedule(actor=secretary, topic=topic, starts_at=timezone.now(), place="小区广场")
    services.attendance_mark(actor=secretary, attendance=meeting.attendance.first(), present=True)
    services.meeting_close(actor=secretary, meeting=meeting, minutes="听取业主意见，提交业主共同决定。")
    opened = time.perf_counter()
    vote = services.vote_open(actor=secretary, topic=topic, kind="owners", question="是否续聘现物业服务企业",
                              closes_at=timezone.now() + timedelta(days=7))
    open_seconds = time.perf_counter() - opened
    voters = [pid for pid in RollEntry.objects.filter(vote=vote).values_list("part_id", flat=True)
              if rng.random() < voted]
    if accounts:  # the API's voters must find their parts unvoted
        theirs = set(ExclusivePart.objects.filter(owner__in=owners[:accounts]).values_list("pk", flat=True))
        voters = [pid for pid in voters if pid not in theirs]
    now = timezone.now()
    choices = ["yes"] * 5 + ["no"] * 2 + ["abstain"]
    Ballot.objects.bulk_create([Ballot(vote=vote, part_id=pid, choice=rng.choice(choices), channel="paper", at=now,
                                       cast_by=secretary) for pid in voters], batch_size=5000)
    path = ""
    if keys:
        import tempfile
        fd, path = tempfile.mkstemp(prefix="owner-tokens-", suffix=".txt")
        with open(fd, "w") as f:
            f.write("\n".join(f"Bearer {k}" for k in keys))
    return {"vote": vote.pk, "parts": parts, "ballots": len(voters), "build_seconds": round(built, 1),
            "open_seconds": round(open_seconds, 3), "tokens": path}


def deliberation_tally(vote: int, runs: int = 7) -> dict:
    """The tally of an owners' vote as staff's live page and the closing count read it: the frozen roll and every
    ballot, counted by area and by head. Then the close itself (count, store, timeline), rolled back."""
    from django.db import transaction
    from django.utils import timezone

    from gongzhi.accounts.models import User
    from gongzhi.deliberation import services
    from gongzhi.deliberation.models import Vote

    v = Vote.objects.get(pk=vote)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        result = services.count(v)
        timings.append((time.perf_counter() - started) * 1000)
    secretary = User.objects.get(username="secretary")
    closes = []
    for _ in range(3):
        with transaction.atomic():
            Vote.objects.filter(pk=v.pk).update(closes_at=timezone.now())  # past its deadline, as the clock finds it
            started = time.perf_counter()
            services.vote_close(actor=secretary, vote=v)
            closes.append((time.perf_counter() - started) * 1000)
            transaction.set_rollback(True)
    return {"timings": timings, "close_ms": closes, "ballots": result.ballots, "heads": result.total.heads,
            "area": str(result.total.area), "passed": result.passed}


def ballot_counts(vote: int) -> dict:
    from django.db.models import Count

    from gongzhi.deliberation.models import Ballot

    per_part = Ballot.objects.filter(vote_id=vote).values("part_id").annotate(n=Count("id")).filter(n__gt=1).count()
    return {"ballots": Ballot.objects.filter(vote_id=vote).count(),
            "online": Ballot.objects.filter(vote_id=vote, channel="online").count(), "doubled": per_part}


# --- 志愿服务 -------------------------------------------------------------------------------------------------------


def volunteers_city(people: int = 100_000, entries: int = 10_000_000, communities: int = 1000) -> dict:
    """A city's points ledger on PostgreSQL: ``people`` volunteers (each with an account, a user and a points
    account) over ``communities`` communities, and ``entries`` ledger entries over three years, newest last (so an
    account's entries lie scattered over the table, as time writes them). Skewed: the k-th busiest person gets
    entries like a power law (account = N·u², u uniform), so a few have tens of thousands and most a few dozen.
    Each account's entries alternate earns (10–60 points) with, now and then, a redemption of 10 right after an
    earn, so no running balance dips below zero; ``balance_after`` is the running sum and the account row's
    balance (and ``earned``) the sum of its ledger. Written with INSERT … SELECT generate_series: bench data only.
    The ledger's secondary indexes are dropped for the load and made again from their own definitions (pg_indexes)
    afterwards: the same indexes, built in minutes instead of grown entry by entry."""
    from django.db import connection

    from gongzhi.volunteers.models import PointsRule

    started = time.perf_counter()
    comms, _compounds = _bench_areas(communities, [])
    ids = [c.pk for c in comms]
    rule = PointsRule.objects.filter(account="volunteer", trigger="hours", area__isnull=True).values_list(
        "pk", flat=True).first()
    timings = {}
    with connection.cursor() as cursor:
        cursor.execute("SET work_mem = '1GB'")
        t0 = time.perf_counter()
        cursor.execute("""
            INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email, is_staff,
                                       is_active, date_joined, display_name, phone, large_text)
            SELECT '!', false, 'vol-bench-' || g, '', '', '', false, true, now(), '志愿者' || g, NULL, false
            FROM generate_series(1, %(n)s) AS g ORDER BY g
        """, {"n": people})
        cursor.execute("""
            INSERT INTO volunteers_volunteer (created_at, updated_at, name, phone, skills, availability, state,
                                              note, district_id, subdistrict_id, community_id, home_id, user_id)
            SELECT now(), now(), u.display_name, '139' || lpad(x.n::text, 8, '0'), '[]'::jsonb, '', 'active', '',
                   c.district_id, c.subdistrict_id, c.community_id, c.id, u.id
            FROM accounts_user u
            CROSS JOIN LATERAL (SELECT substr(u.username, 11)::int AS n) x
            JOIN registry_area c ON c.id = (%(comms)s::bigint[])[1 + x.n %% %(nc)s]
            WHERE u.username LIKE 'vol-bench-%%' ORDER BY x.n
        """, {"comms": ids, "nc": len(ids)})
        cursor.execute("""
            INSERT INTO volunteers_pointsaccount (kind, balance, earned, community_id, volunteer_id)
            SELECT 'volunteer', 0, 0, v.community_id, v.id FROM volunteers_volunteer v
            JOIN accounts_user u ON u.id = v.user_id WHERE u.username LIKE 'vol-bench-%%' ORDER BY v.id
        """)
        cursor.execute("SELECT min(a.id), max(a.id), count(*) FROM volunteers_pointsaccount a "
                       "JOIN volunteers_volunteer v ON v.id = a.volunteer_id "
                       "JOIN accounts_user u ON u.id = v.user_id WHERE u.username LIKE 'vol-bench-%%'")
        first, last, count = cursor.fetchone()
        assert count == people and last - first + 1 == people, (first, last, count)
        timings["people_s"] = round(time.perf_counter() - t0, 1)
        t0 = time.perf_counter()
        cursor.execute("""SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'volunteers_pointsentry'
                          AND indexname NOT IN (SELECT conname FROM pg_constraint
                                                WHERE conrelid = 'volunteers_pointsentry'::regclass)""")
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("""
            INSERT INTO volunteers_pointsentry (at, kind, delta, balance_after, ref, note, account_id, actor_id,
                                                rule_id)
            SELECT at, kind, delta, sum(delta) OVER (PARTITION BY account_id ORDER BY g), ref, '', account_id,
                   NULL, CASE WHEN kind = 'earn' THEN %(rule)s END
            FROM (
                SELECT g, account_id, at,
                       CASE WHEN r %% 2 = 0 AND (hashint4(g + 1) & 7) < 2 THEN 'redeem' ELSE 'earn' END AS kind,
                       CASE WHEN r %% 2 = 0 AND (hashint4(g + 1) & 7) < 2 THEN -10
                            ELSE 10 + (hashint4(g + 2) & 2147483647) %% 51 END AS delta,
                       CASE WHEN r %% 2 = 0 AND (hashint4(g + 1) & 7) < 2 THEN 'order:b' || g
                            ELSE 'signup:b' || g || ':hours' END AS ref
                FROM (
                    SELECT g, account_id, at, row_number() OVER (PARTITION BY account_id ORDER BY g) AS r
                    FROM (
                        SELECT g, %(first)s + least(%(people)s - 1,
                                   floor(%(people)s * power((hashint4(g) & 2147483647) / 2147483648.0, 2)))::bigint
                                   AS account_id,
                               now() - (%(n)s - g) * (interval '3 years' / %(n)s) AS at
                        FROM generate_series(1, %(n)s) AS g
                    ) drawn
                ) numbered
            ) e
            ORDER BY g
        """, {"n": entries, "people": people, "first": first, "rule": rule})
        timings["entries_s"] = round(time.perf_counter() - t0, 1)
        t0 = time.perf_counter()
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        timings["indexes_s"] = round(time.perf_counter() - t0, 1)
        t0 = time.perf_counter()
        cursor.execute("""
            UPDATE volunteers_pointsaccount a SET balance = s.balance, earned = s.earned
            FROM (SELECT account_id, sum(delta) AS balance, sum(delta) FILTER (WHERE delta > 0) AS earned
                  FROM volunteers_pointsentry GROUP BY account_id) s
            WHERE a.id = s.account_id
        """)
        timings["balances_s"] = round(time.perf_counter() - t0, 1)
        t0 = time.perf_counter()
        cursor.execute("RESET work_mem")
        cursor.execute("RESET maintenance_work_mem")
        cursor.execute("VACUUM ANALYZE")
        timings["vacuum_analyze_s"] = round(time.perf_counter() - t0, 1)
        cursor.execute("SELECT count(*) FROM volunteers_pointsentry WHERE account_id = %s", [first])
        busiest = cursor.fetchone()[0]
        cursor.execute("""SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY n), max(n), count(*) FILTER (WHERE n >= 10000)
                          FROM (SELECT count(e.id) AS n FROM volunteers_pointsaccount a
                                LEFT JOIN volunteers_pointsentry e ON e.account_id = a.id
                                WHERE a.id BETWEEN %s AND %s GROUP BY a.id) c""", [first, last])
        median_n, max_n, over_10k = cursor.fetchone()
        cursor.execute("SELECT pg_total_relation_size('volunteers_pointsentry')")
        size = cursor.fetchone()[0]
    return {"seconds": round(time.perf_counter() - started, 1), **timings, "people": people, "entries": entries,
            "busiest_account": first, "busiest_entries": busiest, "max_entries": max_n, "median_entries": median_n,
            "accounts_over_10k": over_10k, "ledger_mb": round(size / 2**20)}



class _Queries:
    """Every SQL statement a block runs, with its time (connection.execute_wrapper): where a request's time goes."""

    def __init__(self):
        self.seen: list[tuple[str, object, float]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seen.append((sql, params, (time.perf_counter() - started) * 1000))

    def explain(self) -> list[str]:
        """EXPLAIN ANALYZE of each SELECT seen (run again now: its plan and its time in the server)."""
        from django.db import connection

        plans = []
        with connection.cursor() as cursor:
            for sql, params, _ms in self.seen:
                if sql.lstrip().upper().startswith("SELECT"):
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                    plans.append("\n".join(row[0] for row in cursor.fetchall()))
        return plans


def volunteers_balance(lookups: int = 2000, busiest: int = 200, seed: int = 1, budget_s: float = 60) -> dict:
    """What a volunteer waits for on her points page (and GET /volunteers/me): her accounts with their balances
    (selectors.accounts_of) and her latest 50 ledger entries (selectors.ledger), materialised, for ``lookups``
    random people, then ``busiest`` times for the person with the longest ledger, each within ``budget_s`` seconds
    (fewer lookups if they are slow). The user is loaded beforehand, as the request's authentication has her. Milliseconds per lookup, with the time spent in SQL; EXPLAIN ANALYZE
    of the reads of one random person and of the busiest, to say where the time goes."""
    import random

    from django.db import connection

    from gongzhi.accounts.models import User
    from gongzhi.volunteers import selectors
    from gongzhi.volunteers.models import PointsAccount

    rng = random.Random(seed)
    people = list(User.objects.filter(username__startswith="vol-bench-").values_list("pk", flat=True))
    picks = rng.sample(people, min(lookups + 20, len(people)))
    users = {u.pk: u for u in User.objects.filter(pk__in=picks)}
    top = PointsAccount.objects.filter(volunteer__user__username__startswith="vol-bench-").order_by("-earned").first()
    top_user = User.objects.get(volunteer__points=top)

    def lookup(user):
        started = time.perf_counter()
        accounts = selectors.accounts_of(user)
        page = list(selectors.ledger(accounts[0], limit=50))
        elapsed = (time.perf_counter() - started) * 1000
        assert accounts[0].balance >= 0 and len(page) <= 50, user.pk
        return elapsed

    def timed(user):
        queries = _Queries()
        with connection.execute_wrapper(queries):
            elapsed = lookup(user)
        return elapsed, sum(ms for _sql, _params, ms in queries.seen), queries

    def within_budget(people):
        deadline = time.perf_counter() + budget_s
        done = []
        for user in people:
            done.append(timed(user))
            if time.perf_counter() > deadline:
                break
        return done

    runs = within_budget([users[pk] for pk in picks])[20:]  # the first 20: warm-up
    top_runs = within_budget([top_user] * busiest)
    return {"timings": [t for t, _sql, _q in runs], "sql_ms": [s for _t, s, _q in runs],
            "busiest_timings": [t for t, _sql, _q in top_runs], "busiest_sql_ms": [s for _t, s, _q in top_runs],
            "queries": len(runs[0][2].seen), "busiest_entries": top.entries.count(), "busiest_balance": top.balance,
            "plans_random": runs[0][2].explain(), "plans_busiest": top_runs[0][2].explain()}


SHOP_ITEMS = (  # name, points, stock, quantity per request: three run out during each run (volunteers_shop_restock
    # sets their stock before it), the staple does not
    ("大米5kg", 200, 100, 1), ("食用油", 150, 100, 1), ("洗衣液", 80, 100, 1), ("抽纸", 30, 100_000, 2))


def volunteers_shop(volunteers: int = 40_000, spare: int = 300, seed: int = 31) -> dict:
    """The points shop of one community of the demo city on a busy day: ``volunteers`` active volunteers of it,
    each with an account, points (85% with 1,000; 10% with 20, too few for anything; 5% with 200 and two taps at
    once, so two orders race for one balance) and an API token; four items (SHOP_ITEMS), put on the shelf by the
    secretary. The tokens, in the order the load takes them (a racing pair on adjacent lines), go to the file named
    in the answer; ``spare`` more volunteers' tokens to a second file, for profiling single requests."""
    import hashlib
    import random
    import secrets
    import tempfile
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from gongzhi.accounts.models import ApiToken, User
    from gongzhi.volunteers import services
    from gongzhi.volunteers.models import PointsAccount, PointsEntry, Volunteer

    rng = random.Random(seed)
    secretary = User.objects.get(username="secretary")
    community = secretary.role_grants.get().area
    started = time.perf_counter()
    total = volunteers + spare
    with transaction.atomic():
        users = User.objects.bulk_create([User(username=f"vol-shop-{i}", display_name=f"志愿者{i}", password="!")
                                          for i in range(total)], batch_size=2000)
        people = []
        for u in users:
            v = Volunteer(user=u, name=u.display_name, home=community, state="active")
            v.place_at(community)
            people.append(v)
        people = Volunteer.objects.bulk_create(people, batch_size=2000)
        plan = []  # (points, taps)
        for i in range(total):
            roll = rng.random()
            plan.append((1000, 1) if i >= volunteers or roll < 0.85 else (20, 1) if roll < 0.95 else (200, 2))
        accounts = PointsAccount.objects.bulk_create([
            PointsAccount(kind="volunteer", volunteer=v, community=community, balance=points, earned=points)
            for v, (points, _taps) in zip(people, plan, strict=True)], batch_size=2000)
        now = timezone.now()
        PointsEntry.objects.bulk_create([
            PointsEntry(account=a, at=now, kind="adjust", delta=a.balance, balance_after=a.balance,
                        ref="bench:start", note="压测初始积分", actor=secretary) for a in accounts], batch_size=2000)
        keys, tokens = [], []
        for u in users:
            key = "gz_" + secrets.token_urlsafe(32)
            keys.append(key)
            tokens.append(ApiToken(user=u, name="bench", prefix=key[3:11],
                                   key_hash=hashlib.sha256(key.encode()).hexdigest(),
                                   expires_at=now + timedelta(days=30)))
        ApiToken.objects.bulk_create(tokens, batch_size=2000)
    items = [services.item_create(actor=secretary, area=community, name=name, points=points, stock=stock,
                                  per_order=5).pk for name, points, stock, _q in SHOP_ITEMS]
    lines = []
    for key, (_points, taps) in zip(keys[:volunteers], plan, strict=False):
        lines += [f"Bearer {key}"] * taps
    fd, path = tempfile.mkstemp(prefix="volunteer-tokens-", suffix=".txt")
    with open(fd, "w") as f:
        f.write("\n".join(lines))
    fd, spare_path = tempfile.mkstemp(prefix="volunteer-spare-", suffix=".txt")
    with open(fd, "w") as f:
        f.write("\n".join(f"Bearer {k}" for k in keys[volunteers:]))
    bodies = [json.dumps({"item": pk, "quantity": q}) for pk, (_n, _p, _s, q) in zip(items, SHOP_ITEMS, strict=True)]
    return {"items": items, "bodies": bodies, "tokens": path, "spare_tokens": spare_path, "lines": len(lines),
            "racing_pairs": sum(1 for _p, taps in plan[:volunteers] if taps == 2),
            "build_seconds": round(time.perf_counter() - started, 1)}


def volunteers_shop_restock(items: list[int], per_item: int) -> dict:
    """Before a run: the secretary puts the three limited items' stock at a quarter, a half and three quarters of
    the ``per_item`` requests each is expected to get (from the run before), so each runs out during the run
    whatever the server's speed (a stock move each, as the shop's page writes it); the staple stays plentiful."""
    from gongzhi.accounts.models import User
    from gongzhi.volunteers import services
    from gongzhi.volunteers.models import ShopItem

    secretary = User.objects.get(username="secretary")
    stock = {}
    for item, share in zip(ShopItem.objects.filter(pk__in=items).order_by("id")[:3], (0.25, 0.5, 0.75), strict=False):
        target = max(1, int(per_item * share))
        if target != item.stock:
            services.item_restock(actor=secretary, item=item, delta=target - item.stock, note="压测：按预计兑换量调整库存")
        stock[item.name] = target
    return {"stock": stock}


def volunteers_shop_counts(items: list[int]) -> dict:
    """After the load: nothing oversold (per item, what reserved and handed-over orders hold against what was put
    on the shelf), the shelf's stock equal to its moves less what orders hold, no balance below zero, every
    account's balance the sum of its ledger, every order charged once."""
    from django.db import connection
    from django.db.models import Sum

    from gongzhi.volunteers.models import Order, PointsAccount, ShopItem, StockMove

    per_item = {}
    oversold = stock_mismatch = 0
    for item in ShopItem.objects.filter(pk__in=items).order_by("id"):
        shelved = StockMove.objects.filter(item=item).aggregate(n=Sum("delta"))["n"] or 0
        held = Order.objects.filter(item=item, state__in=("reserved", "handed_over")).aggregate(
            n=Sum("quantity"))["n"] or 0
        oversold += max(0, held - shelved)
        stock_mismatch += item.stock != shelved - held
        per_item[item.name] = {"shelved": shelved, "held": held, "stock": item.stock,
                               "orders": Order.objects.filter(item=item).count()}
    with connection.cursor() as cursor:
        cursor.execute("""SELECT count(*) FROM volunteers_pointsaccount a
                          LEFT JOIN (SELECT account_id, sum(delta) AS total FROM volunteers_pointsentry
                                     GROUP BY account_id) s ON s.account_id = a.id
                          WHERE a.balance <> coalesce(s.total, 0)""")
        ledger_mismatch = cursor.fetchone()[0]
        cursor.execute("""SELECT count(*) FROM volunteers_order o WHERE (SELECT count(*) FROM volunteers_pointsentry e
                          WHERE e.account_id = o.account_id AND e.ref = 'order:' || o.id AND e.delta = -o.points) <> 1""")
        uncharged = cursor.fetchone()[0]
    return {"oversold": oversold, "stock_mismatch": stock_mismatch, "ledger_mismatch": ledger_mismatch,
            "negative_balances": PointsAccount.objects.filter(balance__lt=0).count(), "orders_not_charged_once":
            uncharged, "orders": Order.objects.filter(item_id__in=items).count(), "per_item": per_item}


def volunteers_redeem_profile(tokens: str, item: int, quantity: int = 1, requests: int = 200) -> dict:
    """Where a redemption's time goes: POST /api/v1/volunteers/orders through the whole Django stack in this
    process (middleware, token, ninja, the service; no HTTP server), one volunteer after another, each statement
    timed (connection.execute_wrapper). Milliseconds per request, in SQL, statements per request, and each
    statement's median."""
    import statistics
    import uuid
    from pathlib import Path

    from django.db import connection
    from django.test import Client

    keys = Path(tokens).read_text().splitlines()[:requests + 10]
    client = Client(HTTP_HOST="127.0.0.1")
    body = json.dumps({"item": item, "quantity": quantity})
    totals, sqls, per_statement = [], [], {}
    counts = []
    for i, key in enumerate(keys):
        queries = _Queries()
        started = time.perf_counter()
        with connection.execute_wrapper(queries):
            response = client.post("/api/v1/volunteers/orders", body, content_type="application/json",
                                   HTTP_AUTHORIZATION=key, HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 201, (response.status_code, response.content[:200])
        if i < 10:  # warm-up
            continue
        totals.append(elapsed)
        sqls.append(sum(ms for _s, _p, ms in queries.seen))
        counts.append(len(queries.seen))
        for n, (sql, _params, ms) in enumerate(queries.seen):
            per_statement.setdefault(f"{n:02d} {' '.join(sql.split())[:110]}", []).append(ms)
    return {"requests": len(totals), "ms_p50": round(statistics.median(totals), 2),
            "sql_ms_p50": round(statistics.median(sqls), 2), "statements": statistics.median(counts),
            "per_statement_ms": {k: round(statistics.median(v), 3) for k, v in sorted(per_statement.items())}}


if __name__ == "__main__":
    _setup()
    name, kwargs = sys.argv[1], json.loads(sys.argv[2] if len(sys.argv) > 2 else "{}")
    result = globals()[name](**kwargs)
    print(json.dumps(result, ensure_ascii=False, default=str))
