"""Every day shortly after midnight, start the approved suspensions whose start date has come,
as a Celery beat schedule administrators can see in Django admin → Periodic tasks."""

from django.conf import settings
from django.db import migrations

NAME = "Start approved suspensions"


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="5",
        hour="0",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=settings.TIME_ZONE,
    )
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": "programs.start_due_suspensions",
            "crontab": crontab,
            "description": (
                "Suspends the students whose approved suspension starts today or earlier "
                "(safe to run twice)."
            ),
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0006_students2"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
