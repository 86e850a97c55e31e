"""Carrying a resolution out (立项): the project with its lead, milestones, budget and funding sources (财政补一点、
集体拿一点、社会赞助一点、群众出一点); where residents pay a share, the collection household by household (by unit
heads, as in Yangquan's 9,240 yuan a year), every amount a line of an append-only ledger. Then residents in scope
evaluate, and the topic closes with its history public."""
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Case, DecimalField, F, Sum, When
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import Conflict, InvalidInput, NotFound
from gongzhi.registry.models import Household, Organisation

from ..choices import MONEY_IN, Action, Entry, Source, Stage
from ..models import Evaluation, Funding, Milestone, MoneyEntry, Project, Topic
from ..permissions import require_in_scope, require_runs
from .common import locked, step, tell_residents, text

MAX_AMOUNT = Decimal("100000000")


def money(value, *, field: str, label: str, allow_zero: bool = False) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", "").replace("，", "").replace("元", ""))
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("%(label)s应为金额，如 9240 或 35.50") % {"label": label}, field=field) from None
    if not amount.is_finite() or amount < 0 or (amount == 0 and not allow_zero) or amount >= MAX_AMOUNT:
        raise InvalidInput(_("%(label)s应大于0且小于一亿元") % {"label": label}, field=field)
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput(_("%(label)s最多精确到分") % {"label": label}, field=field)
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def project_start(*, actor, topic: Topic, title: str, lead: str, budget, funding: list[tuple[str, object, str]],
                  milestones: list[tuple[str, date]], organisation: Organisation | None = None,
                  share_per_household=None) -> Project:
    """Set the project up. The funding sources must add up to the budget; a residents' share needs a per-household
    amount, and the collection follows it."""
    topic = locked(topic)
    require_runs(actor, topic)
    if topic.stage != Stage.CARRYING_OUT:
        raise Conflict(_("决议生效后才能立项"))
    if Project.objects.filter(topic=topic).exists():
        raise Conflict(_("该议题已经立项"))
    budget = money(budget, field="budget", label=_("预算"), allow_zero=True)
    plans = []
    for source, amount, note in funding:
        if source not in Source.values:
            raise InvalidInput(_("资金来源无效"), field="funding")
        plans.append((source, money(amount, field="funding", label=Source(source).label), (note or "")[:120]))
    if sum((a for _s, a, _n in plans), Decimal("0")) != budget:
        raise InvalidInput(_("各项资金来源合计%(sum)s元，应等于预算%(budget)s元") % {
            "sum": sum((a for _s, a, _n in plans), Decimal("0")), "budget": budget}, field="funding")
    share = None
    if any(s == Source.RESIDENTS for s, _a, _n in plans):
        if share_per_household in (None, ""):
            raise InvalidInput(_("有居民自筹时，请填写每户分摊金额"), field="share_per_household")
        share = money(share_per_household, field="share_per_household", label=_("每户分摊"))
    if not milestones:
        raise InvalidInput(_("请至少列出一个项目节点"), field="milestones")
    project = Project.objects.create(topic=topic, title=text(title, field="title", label=_("项目名称"), least=2, most=80),
                                     lead=text(lead, field="lead", label=_("负责人/单位"), least=2, most=80),
                                     organisation=organisation, budget=budget, share_per_household=share)
    Funding.objects.bulk_create([Funding(project=project, source=s, amount=a, note=n) for s, a, n in plans])
    Milestone.objects.bulk_create([Milestone(project=project, due_on=due,
                                             title=text(t, field="milestones", label=_("节点"), least=2, most=120))
                                   for t, due in milestones])
    step(topic, Action.START_PROJECT, actor=actor, note=project.title,
         data={"project": project.pk, "budget": str(budget)})
    tell_residents(topic, key="project", title=_("议题“%(t)s”已立项") % {"t": topic.title},
                   body=_("预算%(b)s元") % {"b": budget})
    return project


def _project(project: Project, actor) -> tuple[Project, Topic]:
    project = Project.objects.select_for_update().get(pk=project.pk)
    topic = locked(project.topic)
    require_runs(actor, topic)
    return project, topic


@transaction.atomic
def milestone_done(*, actor, milestone: Milestone, done_on: date | None = None) -> Milestone:
    project, topic = _project(milestone.project, actor)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.done_on is not None:
        raise Conflict(_("该节点已经完成"))
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise InvalidInput(_("完成日期不能晚于今天"), field="done_on")
    milestone.done_on = done_on
    milestone.save(update_fields=["done_on", "updated_at"])
    step(topic, Action.MILESTONE, actor=actor, note=milestone.title, data={"milestone": milestone.pk})
    return milestone


def balance(project: Project) -> Decimal:
    """Money in hand: received and collected, less refunds and expenses."""
    signed = Case(When(kind__in=list(MONEY_IN), then=F("amount")), default=F("amount") * -1,
                  output_field=DecimalField(max_digits=14, decimal_places=2))
    return project.ledger.aggregate(b=Sum(signed))["b"] or Decimal("0")


def paid_by(project: Project, household_id: int) -> Decimal:
    rows = dict(project.ledger.filter(household_id=household_id).values_list("kind").annotate(s=Sum("amount")))
    return (rows.get(Entry.COLLECTED) or Decimal("0")) - (rows.get(Entry.REFUND) or Decimal("0"))


@transaction.atomic
def money_record(*, actor, project: Project, kind: str, amount, key: str, household: Household | None = None,
                 source: str = "", collected_by: str = "", note: str = "") -> MoneyEntry:
    """One ledger line. ``key`` makes a form sent twice record once (the same line comes back). Money collected or
    refunded names the household, which must lie in the topic's scope; a refund never exceeds what it paid, and
    an expense never the money in hand."""
    key = (key or "").strip()
    if not 8 <= len(key) <= 64:
        raise InvalidInput(_("请求缺少防重复编号，请刷新页面再提交"), field="key")
    if (existing := MoneyEntry.objects.filter(key=key).first()) is not None:
        if existing.project_id != project.pk:
            raise Conflict(_("防重复编号已被使用，请刷新页面再提交"))
        existing.repeated = True  # the same form sent again: nothing new recorded
        return existing
    project, topic = _project(project, actor)
    if kind not in Entry.values:
        raise InvalidInput(_("收支类别无效"), field="kind")
    # a household's share is still collected after the topic closes (arrears; a yearly collection)
    if topic.stage not in (Stage.CARRYING_OUT, Stage.EVALUATING) and not (
            topic.stage == Stage.CLOSED and kind in (Entry.COLLECTED, Entry.REFUND)):
        raise Conflict(_("项目已结束，只能收缴欠款或退款"))
    amount = money(amount, field="amount", label=_("金额"))
    if kind in (Entry.COLLECTED, Entry.REFUND):
        if household is None:
            raise InvalidInput(_("请选择缴费的户"), field="household")
        if getattr(household, f"{topic.scope.kind}_id") != topic.scope_id:
            raise NotFound(_("该户不在议题范围内"))
        paid = paid_by(project, household.pk)
        if kind == Entry.REFUND and amount > paid:
            raise InvalidInput(_("退款不能超过该户已缴的%(p)s元") % {"p": paid}, field="amount")
        share = project.share_per_household
        if kind == Entry.COLLECTED and share is not None and paid + amount > share:
            # two collectors with the same list: the second finds the household paid
            raise Conflict(_("该户应缴%(s)s元，已缴%(p)s元，这笔会多收%(x)s元") % {
                "s": share, "p": paid, "x": paid + amount - share}, field="amount")
    else:
        household = None
    recent = MoneyEntry.objects.filter(project=project, kind=kind, amount=amount, household=household,
                                       note=(note or "").strip()[:200], recorded_by=actor,
                                       at__gte=timezone.now() - timedelta(minutes=10))
    if kind in (Entry.EXPENSE, Entry.RECEIVED) and recent.exists():
        raise Conflict(_("十分钟内已记过一笔相同的账（同类别、金额和说明）。如确需再记，请在说明中写明区别"),
                       field="note")
    if kind == Entry.RECEIVED and source not in Source.values:
        raise InvalidInput(_("请选择资金来源"), field="source")
    if kind in (Entry.EXPENSE, Entry.REFUND) and amount > balance(project):
        raise InvalidInput(_("支出不能超过账上余额%(b)s元") % {"b": balance(project)}, field="amount")
    try:
        with transaction.atomic():
            entry = MoneyEntry.objects.create(
                project=project, kind=kind, source=source if kind == Entry.RECEIVED else "", household=household,
                amount=amount, at=timezone.now(), recorded_by=actor, collected_by=(collected_by or "").strip()[:50],
                note=(note or "").strip()[:200], key=key)
    except IntegrityError:  # the same key, sent twice at once
        return MoneyEntry.objects.get(key=key)
    step(topic, Action.MONEY, actor=actor, note=f"{entry.get_kind_display()} {amount}元", public=False,
         data={"entry": entry.pk, "kind": kind, "amount": str(amount)})
    return entry


@transaction.atomic
def project_complete(*, actor, topic: Topic, note: str = "") -> Topic:
    """Carried out: every milestone done (or, for a resolution needing no works, nothing to do). Residents in
    scope are asked to evaluate."""
    topic = locked(topic)
    require_runs(actor, topic)
    project = Project.objects.filter(topic=topic).first()
    if project is not None and project.milestones.filter(done_on__isnull=True).exists():
        raise Conflict(_("还有项目节点未完成"))
    if project is not None:
        project.completed_at = timezone.now()
        project.save(update_fields=["completed_at", "updated_at"])
    step(topic, Action.COMPLETE, actor=actor, note=(note or "").strip()[:1000])
    tell_residents(topic, key="evaluate", title=_("请评价：%(t)s") % {"t": topic.title})
    return topic


@transaction.atomic
def evaluation_give(*, actor, topic: Topic, score, comment: str = "") -> Evaluation:
    topic = locked(topic)
    require_in_scope(actor, topic)
    if topic.stage != Stage.EVALUATING:
        raise Conflict(_("议题当前不在评价阶段"))
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise InvalidInput(_("请选择1到5分"), field="score")
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(topic=topic, user=actor, score=score,
                                                   comment=(comment or "").strip()[:300], at=timezone.now())
    except IntegrityError:
        raise Conflict(_("您已经评价过了")) from None
    step(topic, Action.EVALUATE, actor=actor, data={"score": score}, public=False)
    return evaluation


@transaction.atomic
def topic_close(*, actor, topic: Topic, note: str = "") -> Topic:
    topic = locked(topic)
    require_runs(actor, topic)
    step(topic, Action.CLOSE, actor=actor, note=(note or "").strip()[:1000])
    return topic
