"""The Celery application. Tasks never carry deadlines in ETAs: duties live in the
database and a beat-scheduled sweeper sends what is due (see eip.notifications)."""

import os

from celery import Celery
from celery.signals import setup_logging
from django.conf import settings

from eip.logs import connect_task_signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eip.settings.local")

app = Celery("eip")
app.config_from_object("django.conf:settings", namespace="CELERY")


def broker_transport_options(broker_url: str, filesystem_dir) -> dict:
    if broker_url.startswith("filesystem://"):
        folders = {name: filesystem_dir / name for name in ("in", "out", "processed", "control")}
        for folder in folders.values():
            folder.mkdir(parents=True, exist_ok=True)
        # The filesystem transport delivers every message to one shared folder.
        return {
            "data_folder_in": str(folders["out"]),
            "data_folder_out": str(folders["out"]),
            "processed_folder": str(folders["processed"]),
            "store_processed": False,
            # Otherwise kombu writes its exchange tables to ./control wherever it runs.
            "control_folder": str(folders["control"]),
        }
    if broker_url.startswith(("redis://", "rediss://")):
        # A Redis that accepts connections but never answers would otherwise block
        # .delay() for ever; with this it raises within a few seconds.
        return {"socket_timeout": 2, "socket_connect_timeout": 2, "max_retries": 1}
    return {}


@app.on_after_configure.connect
def _configure_transport(sender, **kwargs):
    sender.conf.broker_transport_options = broker_transport_options(
        sender.conf.broker_url, settings.CELERY_FILESYSTEM_BROKER_DIR
    )
    from celery.schedules import crontab

    sender.conf.beat_schedule = {
        "send-due-reminders": {
            "task": "eip.notifications.tasks.reminders_send_due",
            "schedule": float(settings.EIP_REMINDER_SWEEP_SECONDS),
        },
        # Every morning; the task itself decides whether today is the month's first working day.
        "monthly-report": {"task": "evaluation.tasks.monthly_report_send", "schedule": crontab(hour=7, minute=0)},
        "retention": {"task": "cases.tasks.retention_apply_task", "schedule": crontab(hour=2, minute=30)},
    }


@setup_logging.connect
def _use_the_projects_logging(**kwargs):
    # Workers and beat log through the project's LOGGING (JSON lines, exception messages
    # withheld) instead of Celery replacing the root logger's handlers with its own.
    from logging.config import dictConfig

    dictConfig(settings.LOGGING)


connect_task_signals()

app.autodiscover_tasks(
    ["eip.notifications", "eip.people", "referrals", "cases", "assessments", "accommodation", "evaluation"]
)
