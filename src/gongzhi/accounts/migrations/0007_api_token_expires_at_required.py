from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_api_token_expiry_for_old_tokens")]

    operations = [
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="到期时间"),
        ),
    ]
