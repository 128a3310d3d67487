"""Side data: every record of partnership data belongs to one side of one or more offices.

``Side`` says which party owns the data — the state (NAV), the municipality, or both (joint).
Who may see or change a record follows from its offices and side alone, decided by the access
policy (``users/access/``), which reads each model's declaration instead of knowing the model:

    class Measurement(models.Model):
        office = models.ForeignKey(Office, ...)
        indicator = models.ForeignKey(Indicator, ...)

        visibility = SideData(office="office", side="indicator__side")
        objects = VisibleToQuerySet.as_manager()

``office`` is an ORM path to the record's office — or offices, through a many-valued relation
(one partnership agreement covers all four Trondheim offices: ``SideData(office="offices",
side=Side.JOINT)``; the record is then reachable through any of them). ``side`` is an ORM path
to a side column, or a ``Side`` value when the whole model is on one side. No model copies
``office``/``side`` columns for the policy's sake.

``SideDataModel`` is the shortcut for the common case: an ``office`` foreign key and a ``side``
column of the record's own.
"""

from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from navpartner.querysets import VisibleToQuerySet

# Users read a side as a *line* ("statlig linje", "kommunal linje"): "side" is also Norwegian
# for "page" (docs/decisions.md). The code and the API keep "side"; the labels carry the
# context "data owner" (a literal: makemessages reads it), so bokmål can say "Statlig linje"
# while an employer stays "Statlig".


class Side(models.TextChoices):
    """Which party a piece of partnership data belongs to (shown to users as its line)."""

    STATE = "state", pgettext_lazy("data owner", "State")
    MUNICIPAL = "municipal", pgettext_lazy("data owner", "Municipal")
    JOINT = "joint", pgettext_lazy("data owner", "Joint")


# The sides a delegation may open: joint data needs none, it is shared by definition.
DELEGABLE_SIDES = (Side.STATE, Side.MUNICIPAL)
DELEGABLE_SIDE_CHOICES = [(side.value, side.label) for side in DELEGABLE_SIDES]


class SideData:
    """A model's declaration of how its rows reach their office(s) and their side."""

    def __init__(
        self,
        *,
        office: str = "office",
        side: str = "side",
        shared: str | None = None,
        model=None,
    ):
        self.office = office
        self.side = side
        # A path to a boolean: where true, the owning side has opened the row to its partner,
        # and whoever may view the office's joint data may view it (DESIGN.md rule 7, an
        # indicator marked ``shared``). Changes still follow ``side``.
        self.shared = shared
        self.model = model

    def bind(self, model) -> "SideData":
        # A declaration on an abstract base is inherited as a plain attribute: bind it to the
        # concrete model it is read for.
        return SideData(office=self.office, side=self.side, shared=self.shared, model=model)

    # --- What the declaration says ------------------------------------------------------------

    @property
    def fixed_side(self) -> str | None:
        """The side of every row, when the declaration names one instead of a path."""
        return self.side if self.side in Side.values else None

    @property
    def office_is_many(self) -> bool:
        """Whether a row may belong to several offices (the path crosses a to-many relation)."""
        return _crosses_many(self.model, self.office)

    @property
    def side_field(self) -> str | None:
        """The model's own side column, where errors about the side belong."""
        return self.side if self.fixed_side is None and "__" not in self.side else None

    # --- Reading it off rows ------------------------------------------------------------------

    def office_and_side_of(self, objects: Iterable[models.Model]) -> dict:
        """``{pk: (office ids, side)}`` of the rows; one query at most, none for plain columns."""
        objects = list(objects)
        if not objects:
            return {}
        plain_office = "__" not in self.office and not self.office_is_many
        plain_side = self.fixed_side is not None or "__" not in self.side
        if plain_office and plain_side:
            return {
                obj.pk: (
                    [getattr(obj, f"{self.office}_id")],
                    self.fixed_side or getattr(obj, self.side),
                )
                for obj in objects
            }
        columns = ["pk", self.office] + ([] if self.fixed_side else [self.side])
        found: dict = {}
        rows = self.model._default_manager.filter(pk__in=[o.pk for o in objects]).values_list(
            *columns
        )
        for pk, office_id, *side in rows:
            offices, _side = found.setdefault(pk, ([], self.fixed_side or side[0]))
            if office_id is not None:
                offices.append(office_id)
        return found


def _crosses_many(model, path: str) -> bool:
    for part in path.split("__"):
        field = model._meta.get_field(part)
        if field.many_to_many or field.one_to_many:
            return True
        model = field.related_model
    return False


class SideDataModel(models.Model):
    """Abstract: a record of partnership data with its own ``office`` and ``side`` columns."""

    office = models.ForeignKey(
        "offices.Office",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("office"),
    )
    side = models.CharField(
        pgettext_lazy("data owner", "side"), max_length=10, choices=Side.choices
    )

    visibility = SideData(office="office", side="side")
    objects = VisibleToQuerySet.as_manager()

    class Meta:
        abstract = True
