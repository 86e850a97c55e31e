import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from gongzhi.accounts.demo import DEMO_PASSWORD, build_accounts, demo_accounts
from gongzhi.appeals.demo import build_appeals
from gongzhi.care.demo import build_care
from gongzhi.deliberation.demo import build_deliberation
from gongzhi.registry.demo import SEED, build_registry
from gongzhi.registry.models import Area
from gongzhi.triage.demo import demo_classifier, demo_hotspots, demo_reply_checks
from gongzhi.volunteers.demo import build_volunteers


class Command(BaseCommand):
    help = "Build the deterministic demo city (registry, organisations, one account per role)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=15000, help="number of residents (default 15000)")
        parser.add_argument("--seed", type=int, default=SEED)
        parser.add_argument("--reset", action="store_true", help="empty the database first")
        parser.add_argument("--no-accounts", action="store_true", help="registry only (benchmarks)")
        parser.add_argument("--appeals", type=int, default=None,
                            help="appeals over the past year (default: one per five residents; 0 for none)")
        parser.add_argument("--no-model", action="store_true",
                            help="do not train the triage classifier (it takes about 20 s)")
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, scale, seed, reset, no_accounts, quiet, appeals, no_model, **options):
        if scale < 100:
            raise CommandError("--scale must be at least 100 residents")
        if Area.objects.exists():
            if not reset:
                if not quiet:
                    self.stdout.write("演示城市已存在（--reset 可重建）。 The demo city exists already (--reset rebuilds).")
                    self._print_accounts(demo_accounts())
                return
            call_command("flush", interactive=False, verbosity=0)
        started = time.monotonic()
        summary = build_registry(residents=scale, seed=seed, quiet=quiet)
        accounts = [] if no_accounts else build_accounts()
        appeal_count = scale // 5 if appeals is None else appeals
        if appeal_count and not no_accounts:
            build_appeals(count=appeal_count, seed=seed, quiet=quiet)
            demo_reply_checks()
            if not no_model:  # the shared data plus the demo's own year of appeals
                model = demo_classifier()
                if not quiet:
                    self.stdout.write(f"分类模型 / triage model v{model.version}: {len(model.classes)} categories, "
                                      f"{model.shared_examples} shared + {model.own_examples} own examples")
            made = build_deliberation(seed=seed)
            if not quiet:
                self.stdout.write(f"协商议事 / deliberation: {made['councils']} councils, {made['topics']} topics")
            made = build_volunteers(seed=seed)
            if not quiet:
                self.stdout.write(f"志愿服务 / volunteers: {made['volunteers']} volunteers, "
                                  f"{made['shifts_done']} past shifts served")
            made = build_care(seed=seed)
            if not quiet:
                self.stdout.write(f"关爱网络 / care: {made['members']} party members, {made['pairings']} pairings")
            run = demo_hotspots()
            if not quiet:
                self.stdout.write(f"热点 / hotspots: {run.groups} from {run.appeals} appeals of the last 30 days")
        if not quiet:
            self.stdout.write(
                f"演示城市已建成 / demo city built in {time.monotonic() - started:.1f}s: "
                f"{summary.residents} residents, {summary.households} households, {summary.areas} areas, "
                f"{summary.organisations} organisations"
            )
            self._print_accounts(accounts)

    def _print_accounts(self, accounts):
        if not accounts:
            return
        self.stdout.write(f"\n演示账号（密码均为 {DEMO_PASSWORD}） / demo accounts, password {DEMO_PASSWORD}:")
        for a in accounts:
            self.stdout.write(f"  {a.username:<12} {a.role:<10} {a.display_name:<14} {a.where}")
