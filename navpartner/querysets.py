"""How a model tells the access policy what it is, and the one visibility method it carries.

``Model.objects.visible_to(user, action)`` hands the decision to ``users/access/``; nothing
else in the code base decides who sees what. The policy does not import the models it rules:
each model declares what it is in a ``visibility`` attribute, and the policy reads that —

* ``SideData(office=..., side=...)`` (``navpartner/sidedata.py``): partnership data of one side
  of one or more offices, visible along the lines of DESIGN.md's access model;
* ``ReferenceData()``: organisation units every signed-in user reads and nobody changes through
  the app;
* ``OwnedBy("field")``: records only the person named in ``field`` sees (report requests);
* ``NationalCatalogue()``: lists every signed-in user reads and national administrators keep
  (the catalogue of municipal services);
* ``SetAtLevel(...)``: definitions every signed-in user reads and the owning side's authority
  sets at its level — national, county, municipality or office (scorecard indicators, targets).

A model with neither a declaration nor a policy registered in ``users/access/`` is visible to
nobody, so a forgotten model fails closed.
"""

from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class ReferenceData:
    """Read by every signed-in, active user; changed only by operators in the admin."""


class NationalCatalogue:
    """Read by every signed-in, active user; changed by holders of the national_admin role."""


@dataclass(frozen=True)
class OwnedBy:
    """Seen and changed only by the user the foreign key ``field`` names."""

    field: str


@dataclass(frozen=True)
class SetAtLevel:
    """Read by every signed-in, active user; set by the owning side's authority at its level.

    ``level`` is the path to the row's level (``national``, ``county``, ``municipality``,
    ``office``), ``side`` to the side that owns it, and ``county`` / ``municipality`` /
    ``office`` to the unit the level names (``None``: the model has no such level). Who holds
    which level is decided in ``users/access/levels.py``: national administrators the national
    level; a county director or advisor (state-employed) the state's rows of their county and
    its offices; a municipal executive or advisor (municipal-employed) the municipal rows of
    their municipality and the offices serving it.
    """

    side: str = "side"
    level: str = "level"
    county: str | None = "county"
    municipality: str | None = "municipality"
    office: str | None = "office"


def declared_visibility(model):
    """The model's declaration (bound to the model, for side data), or ``None``."""
    declared = getattr(model, "visibility", None)
    bind = getattr(declared, "bind", None)
    return bind(model) if bind is not None else declared


class VisibleToQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view"):
        from users.access import restrict  # the policy imports the models' apps; import late

        return restrict(self, user, action)
