"""Every 10 minutes, tell the inspected side of the unannounced inspections that have started
(once each), as a Celery beat schedule administrators can see in Django admin → Periodic
tasks."""

from django.db import migrations

NAME = "Reveal started unannounced inspections"


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=10, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": "supervision.reveal_started_inspections",
            "interval": every,
            "description": (
                "Notifies the coordinators or program administrators of an unannounced "
                "inspection once it has started (never before)."
            ),
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0004_inspections"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
