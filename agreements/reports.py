"""An agreement version as a PDF report (issue 9, item 9), through the report pipeline.

Registered with ``reports.definitions.register`` when the app is ready (``agreements/apps.py``),
so the reports app needs no import of agreements. Like the office fact sheet, the definition
checks the version's visibility when the report is asked for and again when the worker renders
it: a report holds only what its requester may see. The PDF is PDF/A-2b (``navpartner/pdf.py``):
agreements are archived, and the content hash it prints lets anyone prove later what was agreed.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from agreements import selectors, services
from agreements.content import content_hash
from agreements.models import ApprovalDecision, RequiredTopic
from navpartner.pdf import render_pdf
from users.access.parties import Party
from users.models import Role

VERSION_REQUIRED = gettext_noop("Choose an agreement version.")
UNKNOWN_VERSION = gettext_noop("Unknown agreement version.")
KIND = "agreement_version"


def _version_pk(parameters) -> int | None:
    value = parameters.get("version") if isinstance(parameters, dict) else None
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class AgreementVersionReport:
    """One version of a partnership agreement: offices, parties, sections, services, cost key,
    every decision with its date, role and content hash."""

    kind: str = KIND
    template_name: str = "agreements/pdf/agreement_version.html"

    def clean_parameters(self, *, user, parameters: dict) -> tuple[dict, str]:
        pk = _version_pk(parameters)
        if pk is None:
            raise ValidationError({"version": _(VERSION_REQUIRED)})
        try:
            version = selectors.version_get(user=user, pk=pk)
        except Http404 as missing:
            raise ValidationError({"version": _(UNKNOWN_VERSION)}) from missing
        subject = _("%(title)s, version %(number)s") % {
            "title": version.agreement.title,
            "number": version.number,
        }
        return {"version": version.pk}, subject[:200]

    def context(self, *, user, parameters: dict) -> dict:
        """What the PDF shows, read with the requester's visibility now."""
        from reports.definitions import ReportContentUnavailable

        try:
            version = selectors.version_get(user=user, pk=_version_pk(parameters))
        except Http404 as missing:
            raise ReportContentUnavailable(
                _("The agreement version is not available to you any more.")
            ) from missing
        agreement = version.agreement
        digest = content_hash(version) if version.is_draft else version.content_hash
        texts = dict(version.sections.values_list("topic", "text"))
        approvals = list(selectors.version_approvals(version))
        for approval in approvals:
            approval.party_label = str(
                Party(approval.side, county=agreement.county, municipality=approval.municipality)
            )
            approval.role_label = Role(approval.role).label if approval.role in Role.values else ""
            approval.counts = approval.content_hash == digest
        given = {
            a.party_key for a in approvals if a.counts and a.decision == ApprovalDecision.APPROVED
        }
        parties = [
            {"party": party, "approved": party.key in given}
            for party in services.version_parties(version)
        ]
        return {
            "agreement": agreement,
            "version": version,
            "offices": list(agreement.offices.order_by("name")),
            "municipalities": list(agreement.municipalities.order_by("name")),
            "parties": parties,
            "sections": [
                {"label": topic.label, "text": texts.get(topic.value, "")}
                for topic in RequiredTopic
            ],
            "services": list(
                version.services.select_related("service").order_by(
                    "-service__is_minimum", "service__name"
                )
            ),
            "operating": selectors.operating_agreement_get(user=user, agreement=agreement),
            "approvals": approvals,
            "digest": digest,
            "requested_by": user,
            "generated_at": timezone.now(),
        }

    def render(self, *, user, parameters: dict) -> bytes:
        context = self.context(user=user, parameters=parameters)
        title = _("%(title)s, version %(number)s") % {
            "title": context["agreement"].title,
            "number": context["version"].number,
        }
        return render_pdf(self.template_name, context, title=title)
