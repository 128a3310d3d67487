"""The base of every record that holds partnership data: it belongs to an office and a side.

``Side`` says which party owns the data — the state (NAV), the municipality, or both (joint).
Who may see or change a row follows from its office and side alone, decided in
``users/access.py`` (see ``SideDataQuerySet.visible_to``). Later apps (agreements, scorecards)
build their models on ``SideDataModel``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from navpartner.querysets import VisibleToQuerySet


class Side(models.TextChoices):
    """Which party a piece of partnership data belongs to."""

    STATE = "state", _("State")
    MUNICIPAL = "municipal", _("Municipal")
    JOINT = "joint", _("Joint")


# The sides a delegation may open: joint data needs none, it is shared by definition.
DELEGABLE_SIDES = (Side.STATE, Side.MUNICIPAL)
DELEGABLE_SIDE_CHOICES = [(side.value, side.label) for side in DELEGABLE_SIDES]


class SideDataModel(models.Model):
    """Abstract: a record of partnership data, owned by one side of one office."""

    office = models.ForeignKey(
        "offices.Office",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("office"),
    )
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)

    objects = VisibleToQuerySet.as_manager()

    class Meta:
        abstract = True
        indexes = []
