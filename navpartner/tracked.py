"""``Tracked``: the columns every edited record keeps — who made it, who changed it last, when,
and the ``version`` that guards against lost updates (``navpartner/sidedata_services.py``
refuses a change based on an older version and names ``updated_by``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Tracked(models.Model):
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        "users.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_by = models.ForeignKey(
        "users.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last changed by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True
