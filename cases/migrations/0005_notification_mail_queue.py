"""Notices wait for the mailing job until mailed (`mailed_at`) or settled (`mail_pending`).

The notices already written were handled by the former job, which mailed each run's notices
at most once: they join the table as settled (not pending), so that the first run after the
upgrade does not mail everyone their old deadlines again. Whether each was mailed is not known,
so their `mailed_at` stays empty. New notices are pending by default.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_notifications_of_missed_deadlines"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Existing rows take False from the column's default; no row-by-row update.
        migrations.AddField(
            model_name="notification",
            name="mail_pending",
            field=models.BooleanField(default=False),
        ),
        migrations.AlterField(
            model_name="notification",
            name="mail_pending",
            field=models.BooleanField(default=True),
        ),
        migrations.AddField(
            model_name="notification",
            name="mailed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("mail_pending", True)),
                fields=["recipient"],
                name="notification_mail_queue",
            ),
        ),
    ]
