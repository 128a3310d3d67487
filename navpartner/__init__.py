"""navpartner: the NAV partnership between state and municipality."""

from navpartner.celery import app as celery_app

__all__ = ("celery_app",)
