"""Celery tasks of the users app: thin — call the service."""

from celery import shared_task

from users.access.permissions import permissions_resync as permissions_resync_service


@shared_task(name="users.tasks.permissions_resync")
def permissions_resync() -> dict:
    """Rebuild every person's office permissions (hourly, ``CELERY_BEAT_SCHEDULE``)."""
    summary = permissions_resync_service()
    return {
        "users": summary.users,
        "corrected": len(summary.corrected),
        "added": summary.added,
        "removed": summary.removed,
        "pruned": summary.pruned,
    }
