"""What each kind of report needs: its parameters, what goes into it, and its template.

A definition checks the parameters against what the requester may see when the request is made,
and builds the content again, from the requester's visibility at that moment, when the worker
renders it — so a report never holds more than its requester may see.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from navpartner.pdf import render_pdf
from navpartner.sidedata import Side
from offices.selectors import office_detail, office_note_list
from reports.models import ReportKind
from users.access import offices_reviewable, record_delegated_reads
from users.models import EmployerSide, Role, RoleAssignment

# Marked for translation here, translated where raised (into the language active then).
UNKNOWN_KIND = gettext_noop("Unknown report.")
UNKNOWN_OFFICE = gettext_noop("Unknown office.")
OFFICE_REQUIRED = gettext_noop("Choose an office.")
FACT_SHEET_NOTES = 30


class ReportContentUnavailable(Exception):
    """What the report is about is gone, or no longer visible to the requester."""


def office_people(*, user, office) -> dict:
    """Who leads ``office`` and how many work there on each side, as far as ``user`` may see.

    Role assignments are read through the policy like everything else: the office's leader,
    the chief executives of the municipalities it serves and its county director see everyone's
    roles there (they review the office); anyone else sees only their own, so their fact sheet
    says that instead of showing counts that would be wrong.
    """
    roles = RoleAssignment.objects.visible_to(user).active().filter(office=office)
    leaders = list(
        roles.filter(role=Role.OFFICE_LEADER).select_related("user").order_by("valid_from", "pk")
    )
    complete = offices_reviewable(user).filter(pk=office.pk).exists()
    counts = {}
    if complete:
        counts = dict(
            roles.filter(role=Role.OFFICE_STAFF)
            .values_list("user__employer_side")
            .annotate(people=Count("user", distinct=True))
        )
    # Named like the lines of the data ("Statlig linje"), which is what employment decides.
    staff = [
        {"side": side, "label": Side(side).label, "count": counts.get(side, 0)}
        for side in EmployerSide.values
    ]
    return {
        "leaders": leaders,
        "people_complete": complete,
        "staff": staff,
        "staff_total": sum(row["count"] for row in staff),
    }


@dataclass(frozen=True)
class OfficeFactSheet:
    """What a leader hands to a meeting about an office: the office and its county, who leads
    it, the municipalities it serves and the host, the staff on each side, and the partnership
    data (notes) the requester may see."""

    kind: str = ReportKind.OFFICE_FACT_SHEET
    template_name: str = "reports/pdf/office_fact_sheet.html"

    def clean_parameters(self, *, user, parameters: dict) -> tuple[dict, str]:
        """The parameters to store, and the name of what the report is about."""
        code = parameters.get("office") if isinstance(parameters, dict) else None
        if not code or not isinstance(code, str):
            raise ValidationError({"office": _(OFFICE_REQUIRED)})
        try:
            office = office_detail(user=user, code=code)
        except Http404 as missing:
            raise ValidationError({"office": _(UNKNOWN_OFFICE)}) from missing
        return {"office": office.code}, office.name

    def render(self, *, user, parameters: dict) -> bytes:
        try:
            office = office_detail(user=user, code=parameters["office"])
        except Http404 as missing:
            raise ReportContentUnavailable(
                _("The office %(code)s is not available to you any more.")
                % {"code": parameters["office"]}
            ) from missing
        title = _("Fact sheet: %(office)s") % {"office": office.name}
        memberships = office.current_memberships
        # Side data in a report is read like anywhere else: through the policy, with reads
        # that only a delegation opens written to the audit log (rule 9).
        visible_notes = office_note_list(user=user, office=office)
        notes = list(visible_notes[:FACT_SHEET_NOTES])
        record_delegated_reads(user, notes)
        return render_pdf(
            self.template_name,
            {
                "report_kind": _("Fact sheet"),
                "office": office,
                "host_municipality": next((m.municipality for m in memberships if m.is_host), None),
                **office_people(user=user, office=office),
                "notes": notes,
                "note_count": visible_notes.count()
                if len(notes) == FACT_SHEET_NOTES
                else len(notes),
                "requested_by": user,
                "generated_at": timezone.now(),
            },
            title=title,
        )


DEFINITIONS = {definition.kind: definition for definition in (OfficeFactSheet(),)}


def register(definition) -> None:
    """Add another app's report, from its ``AppConfig.ready()`` (the agreement PDF is
    ``agreements/reports.py``): the reports app imports none of the apps whose reports it runs."""
    DEFINITIONS[definition.kind] = definition


def get_definition(kind: str):
    try:
        return DEFINITIONS[kind]
    except KeyError as unknown:
        raise ValidationError({"kind": _(UNKNOWN_KIND)}) from unknown
