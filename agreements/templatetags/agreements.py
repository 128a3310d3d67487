"""What the agreements app shows on other apps' pages, without them importing it.

``{% load agreements %}{% office_compliance office %}`` on the office page renders the office's
compliance panel: each check with its status (a word and a symbol), message, source and a link
to the agreement version it concerns. The office app knows nothing of agreements (DESIGN.md);
its template asks this tag, which reads through the access policy (``compliance_visible``):
a reader who may not see the office's joint data gets nothing at all.
"""

from django import template

from agreements import selectors
from navpartner.sidedata import Side
from users import access

register = template.Library()


@register.inclusion_tag("agreements/includes/office_compliance.html", takes_context=True)
def office_compliance(context, office):
    request = context.get("request")
    user = getattr(request, "user", None)
    result, may_draft = None, False
    if user is not None and user.is_authenticated:
        result = selectors.compliance_visible(user=user, offices=[office]).get(office.pk)
        if result is not None and result.version is None:
            # No agreement in force: offer the drafters the way to one.
            permissions = access.side_permissions(user, offices=[office])
            may_draft = permissions.allows(access.CHANGE, office, Side.JOINT)
    return {"office": office, "compliance": result, "may_draft": may_draft}
