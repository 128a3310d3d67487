"""Template tags of audit readiness (``reviews/readiness/``).

On the office page (``offices`` does not import ``reviews``; its template loads this library):

    {% load readiness_tags %}
    {% office_readiness office %}

In the review pages' tables (H2/H3), per office row, with ``readiness`` an ``OfficeReadiness``
from ``readiness_for_offices`` (or None):

    {% include "reviews/includes/readiness_header.html" %}           the <th scope="col"> cells
    {% include "reviews/includes/readiness_cells.html" with readiness=row.readiness %}
    {% include "reviews/includes/readiness_summary.html" with readiness=row.readiness %}
"""

from django import template

from reviews import readiness as readiness_module

register = template.Library()


@register.inclusion_tag("reviews/readiness/office_section.html", takes_context=True)
def office_readiness(context, office) -> dict:
    """The "Revisjonsklar" section of an office: nothing at all for a reader who may not see the
    office's joint data (the criteria read only joint data)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    result = None
    if user is not None and user.is_authenticated and _may_reach(context, office):
        result = readiness_module.office_readiness(user=user, office=office)
        if not result.visible:
            result = None
    return {"office": office, "readiness": result}


def _may_reach(context, office) -> bool:
    """A shortcut, never the decision: whether any of the reader's roles (already read for the
    page header, ``users/context_processors.py``) is at the office, its county or a municipality
    it serves today — the only ways to the office's joint data (rule 1; delegations open one
    side only). Where it says no, the page spares the policy's query; where it says yes, or the
    page has no header, ``readiness_for_offices`` asks the policy itself."""
    shell = context.get("shell")
    memberships = getattr(office, "current_memberships", None)
    if shell is None or memberships is None:
        return True
    municipalities = {membership.municipality_id for membership in memberships}
    return any(
        role.office_id == office.pk
        or (role.county_id is not None and role.county_id == office.county_id)
        or (role.municipality_id is not None and role.municipality_id in municipalities)
        for role in shell.roles
    )


@register.simple_tag
def readiness_criteria() -> tuple:
    """The criteria's definitions in their fixed order (key, title, short_title, source)."""
    return readiness_module.CRITERIA


@register.filter
def readiness_state_label(state: str) -> str:
    return str(readiness_module.STATE_LABELS.get(state, ""))
