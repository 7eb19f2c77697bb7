"""Every morning, remind evaluators of the evaluations they owe in open rounds that are due
within three days or overdue (at most once a day each), as a Celery beat schedule
administrators can see in Django admin → Periodic tasks."""

from django.db import migrations

NAME = "Remind evaluators of evaluations due"


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    morning, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="7", day_of_week="*", day_of_month="*", month_of_year="*"
    )
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": "evaluation.send_reminders",
            "crontab": morning,
            "description": (
                "Reminds evaluators of pending evaluations of open rounds due within three "
                "days or overdue, at most once a day per evaluation."
            ),
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
