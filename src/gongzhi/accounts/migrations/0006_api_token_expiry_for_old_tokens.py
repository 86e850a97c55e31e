"""Tokens issued before tokens expired get one full lifetime from now (API_TOKEN_DAYS, as at the time of the
migration): integrations keep working, then renew like everyone else. Reversing leaves the dates (harmless)."""
from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def expire_later(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True).update(
        expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_DAYS))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_phone_code")]

    operations = [migrations.RunPython(expire_later, migrations.RunPython.noop)]
