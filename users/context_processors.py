"""What the page header shows about the signed-in user: the menu, name, employer and roles."""

from dataclasses import dataclass
from functools import cached_property

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from users.models import COUNTY_ROLES, MUNICIPALITY_ROLES, Role
from users.selectors import active_role_assignments, navigation


@dataclass(frozen=True)
class ReviewLink:
    """A review page the person may open: their municipality's or their county's."""

    url: str
    name: str
    kind: str  # "municipality" or "county"


@dataclass(frozen=True)
class MenuItem:
    url: str
    label: str
    current: bool


class Shell:
    """The header's facts about one request, read on first use (pages that never render the
    header pay no query) and once (the menu reuses the roles the user menu lists)."""

    def __init__(self, request):
        self.request = request
        self.user = request.user

    @cached_property
    def roles(self) -> list:
        return list(active_role_assignments(user=self.user))

    @property
    def reaches_offices(self) -> bool:
        """Whether a role reaches any office's joint data: every role but the national ones."""
        return any(
            role.role not in (Role.NATIONAL_ADMIN, Role.STATISTICS_CLIENT) for role in self.roles
        )

    @cached_property
    def reviews(self) -> list[ReviewLink]:
        """The review pages of the person's municipal and county roles (issue 11), from the
        roles already read: a URL name only, as users imports nothing of the reviews app. The
        pages themselves ask ``access.get_reviewed_*_or_404``, which reads the same roles."""
        links = {}
        for role in self.roles:
            if role.role in MUNICIPALITY_ROLES and role.municipality_id:
                url = reverse("reviews:municipal", args=[role.municipality.number])
                links[url] = ReviewLink(url, role.municipality.name, "municipality")
            elif role.role in COUNTY_ROLES and role.county_id:
                url = reverse("reviews:county", args=[role.county.number])
                links[url] = ReviewLink(url, role.county.name, "county")
        return list(links.values())

    @cached_property
    def menu(self) -> list[MenuItem]:
        """The main menu: only the pages this person can use (``users.selectors.navigation``)."""
        offers = navigation(user=self.user, roles=self.roles)
        match = getattr(self.request, "resolver_match", None)
        app = getattr(match, "app_name", "")
        name = getattr(match, "url_name", "")
        items = [
            ("home", _("Front page"), name == "home" and not app, True),
            # The monthly review of a municipality or county: its executive, director, advisors.
            (
                self.reviews[0].url if len(self.reviews) == 1 else "reviews:index",
                _("Review"),
                app == "reviews",
                bool(self.reviews),
            ),
            ("offices:list", _("Offices"), app == "offices", True),
            # Rule 1: any role at an office, municipality or county sees the partnership
            # agreements there (a URL name only: users imports nothing of agreements).
            ("agreements:list", _("Agreements"), app == "agreements", self.reaches_offices),
            # The målekort: every office role, and the directorate, which keeps the indicators.
            (
                "scorecards:overview",
                _("Scorecards"),
                app == "scorecards",
                self.reaches_offices or any(r.role == Role.NATIONAL_ADMIN for r in self.roles),
            ),
            ("reports:list", _("Reports"), app == "reports", True),
            (
                "access:delegation-list",
                _("Delegations"),
                app == "access" and name.startswith("delegation"),
                offers.delegations,
            ),
            (
                "access:role-list",
                _("Roles"),
                app == "access" and name.startswith("role"),
                offers.roles,
            ),
            (
                "access:review-overview",
                _("Access review"),
                app == "access" and name.startswith("review"),
                offers.access_review,
            ),
            (
                "access:audit-list",
                _("Audit log"),
                app == "access" and name.startswith("audit"),
                offers.audit_log,
            ),
        ]
        return [
            MenuItem(url if url.startswith("/") else reverse(url), label, current)
            for url, label, current, shown in items
            if shown
        ]


def current_user_summary(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"shell": Shell(request)}
