"""Pages for partnership agreements: the overview, one agreement with its versions, drafting
and editing, approving and rejecting for each party, new versions, and the PDF.

Every read goes through ``agreements.selectors`` (the access policy: outsiders get 404), every
write through ``agreements.services`` (who may write, rule 5's parties, the content hash, stale
edits). A person who may see an agreement but not do what they asked gets 403.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_http_methods, require_POST

from agreements import selectors, services
from agreements.content import content_hash, version_diff
from agreements.forms import (
    AgreementDraftForm,
    AgreementFilter,
    AgreementVersionForm,
    DecisionForm,
    ExtensionForm,
)
from agreements.models import (
    ApprovalDecision,
    MunicipalService,
    PartnershipAgreement,
    RequiredTopic,
    VersionKind,
    VersionState,
    VersionStatus,
)
from navpartner.sidedata import Side
from navpartner.views import add_service_errors
from offices.models import Office
from reports.services import ReportQueueUnavailable, report_request_create
from reports.throttling import TOO_MANY_REPORTS, ReportCreateThrottle
from users import access
from users.access.parties import Party, acts_for
from users.models import Role

PER_PAGE = 50
NOT_A_WRITER = gettext_noop(
    "You may read this agreement, but not change it. The office leader, the county director "
    "and the municipal executives of its offices can."
)
NOT_A_PARTY_HERE = gettext_noop(
    "You may read this agreement, but not decide on it: the county director and the municipal "
    "executives of its offices decide."
)
MINIMUM_MISSING = gettext_noop(
    "The legal minimum is not met: %(services)s missing. The agreement may still be approved, "
    "but the office's compliance will show it as not in order."
)

# Order of the overview: in force first (ending soonest first), then what is coming or being
# drafted, then what has ended.
STATE_GROUP = {
    VersionState.IN_FORCE: 0,
    VersionState.COMING: 1,
    VersionState.DRAFT: 1,
    VersionState.EXPIRED: 2,
    VersionState.SUPERSEDED: 2,
    VersionState.TERMINATED: 2,
}
STATE_COLOR = {
    VersionState.IN_FORCE: "success",
    VersionState.COMING: "info",
    VersionState.DRAFT: "warning",
    VersionState.EXPIRED: "danger",
    VersionState.SUPERSEDED: "neutral",
    VersionState.TERMINATED: "neutral",
}


def shown_version(versions: list, today: datetime.date | None = None):
    """The version a reader wants first: the one in force, else one coming, else the draft,
    else the newest."""
    today = today or timezone.localdate()
    for wanted in (VersionState.IN_FORCE, VersionState.COMING, VersionState.DRAFT):
        matching = [v for v in versions if v.state(today) == wanted]
        if matching:
            return matching[-1]
    return versions[-1] if versions else None


def _writable(user, offices) -> bool:
    """Whether ``user`` may change the joint data of every one of ``offices`` (the drafters)."""
    offices = list(offices)
    permissions = access.side_permissions(user, offices=offices)
    return bool(offices) and all(
        permissions.allows(access.CHANGE, office, Side.JOINT) for office in offices
    )


def _version_of(agreement: PartnershipAgreement, number: int):
    for version in agreement.versions.all():  # prefetched by the selector, ordered by number
        if version.number == number:
            version.agreement = agreement
            return version
    raise Http404


# --- The overview ---------------------------------------------------------------------------------


@login_required
def agreement_list_view(request):
    filterset = AgreementFilter(
        request.GET, queryset=selectors.agreement_list(user=request.user), request=request
    )
    context = {"filter": filterset, "page": None}
    if not filterset.is_valid():
        return render(request, "agreements/agreement_list.html", context, status=400)
    today = timezone.localdate()
    agreements = list(filterset.qs)
    offices = {office.pk: office for a in agreements for office in a.offices.all()}
    compliance = selectors.compliance_visible(user=request.user, offices=offices.values())
    rows = []
    for agreement in agreements:
        versions = list(agreement.versions.all())
        version = shown_version(versions, today)
        state = version.state(today) if version else VersionState.DRAFT
        office_rows = [
            (office, compliance.get(office.pk))
            for office in sorted(agreement.offices.all(), key=lambda o: o.name)
        ]
        rows.append(
            {
                "agreement": agreement,
                "version": version,
                "state": state,
                "state_label": VersionState(state).label,
                "state_color": STATE_COLOR[state],
                "draft": next((v for v in versions if v.is_draft and v is not version), None),
                "offices": office_rows,
            }
        )
    far = datetime.date.max
    rows.sort(
        key=lambda row: (
            STATE_GROUP[row["state"]],
            (row["version"].valid_to or far) if row["version"] else far,
            row["agreement"].title,
            row["agreement"].pk,
        )
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    may_draft = bool(access.side_permissions(request.user).offices(access.CHANGE, Side.JOINT))
    context.update(
        {"page": page, "query": query.urlencode(), "may_draft": may_draft, "today": today}
    )
    return render(request, "agreements/agreement_list.html", context)


# --- Drafting -------------------------------------------------------------------------------------


def _draftable_offices(user):
    ids = access.side_permissions(user).offices(access.CHANGE, Side.JOINT)
    return (
        Office.objects.filter(pk__in=ids)
        .select_related("county")
        .order_by("county__number", "name")
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_create_view(request):
    offices = _draftable_offices(request.user)
    if not offices.exists():
        # Not a drafter anywhere: the page is as absent as a forbidden object.
        return render(request, "errors/404.html", status=404)
    initial = {}
    if request.GET.get("office"):
        initial["offices"] = list(offices.filter(code=request.GET["office"]))
    form = AgreementDraftForm(request.POST or None, offices=offices, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = services.agreement_draft(
                user=request.user,
                title=data["title"],
                offices=list(data["offices"]),
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
                revision_due=data["revision_due"],
                # The legal minimum to start from: removing one is allowed, and warned about.
                services=[
                    (service, data["valid_from"])
                    for service in MunicipalService.objects.filter(is_minimum=True, is_active=True)
                ],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The draft is saved. Write its sections and choose its services.")
            )
            return redirect(
                "agreements:version-edit", pk=version.agreement_id, number=version.number
            )
    status = 400 if request.method == "POST" else 200
    return render(request, "agreements/agreement_form.html", {"form": form}, status=status)


# --- One agreement and its versions ---------------------------------------------------------------


def _party_label(agreement, side: str, municipality) -> str:
    return str(Party(side, county=agreement.county, municipality=municipality))


def _version_page(
    request, agreement, version, *, decision_form=None, extension_form=None, status=200
):
    user = request.user
    versions = list(agreement.versions.all())
    offices = sorted(agreement.offices.all(), key=lambda o: o.name)
    digest = content_hash(version) if version.is_draft else version.content_hash
    texts = dict(version.sections.values_list("topic", "text"))
    sections = [
        {"topic": topic.value, "label": topic.label, "text": texts.get(topic.value, "")}
        for topic in RequiredTopic
    ]
    included = list(
        version.services.select_related("service").order_by("-service__is_minimum", "service__name")
    )
    missing_minimum = list(
        MunicipalService.objects.filter(is_minimum=True, is_active=True).exclude(
            pk__in=[row.service_id for row in included]
        )
    )
    approvals = list(selectors.version_approvals(version))
    for approval in approvals:
        approval.party_label = _party_label(agreement, approval.side, approval.municipality)
        approval.role_label = Role(approval.role).label if approval.role in Role.values else ""
        approval.counts = approval.content_hash == digest
    parties = []
    for party in services.version_parties(version):
        decided = [a for a in approvals if a.party_key == party.key and a.counts]
        approved = next((a for a in decided if a.decision == ApprovalDecision.APPROVED), None)
        rejected = next(
            (a for a in reversed(decided) if a.decision == ApprovalDecision.REJECTED), None
        )
        parties.append({"party": party, "approval": approved, "rejection": rejected})
    pending = [p["party"] for p in parties if p["approval"] is None] if version.is_draft else []
    my_party = services.party_of(user, version, digest) if version.is_draft else None
    writable = _writable(user, offices)
    binding = [v for v in versions if v.status == VersionStatus.APPROVED]
    has_draft = any(v.is_draft for v in versions)
    context = {
        "agreement": agreement,
        "version": version,
        "versions": versions,
        "offices": offices,
        "state": version.state(),
        "state_label": version.get_state_display(),
        "state_color": STATE_COLOR[version.state()],
        "digest": digest,
        "sections": sections,
        "services": included,
        "missing_minimum": missing_minimum,
        "minimum_warning": (
            _(MINIMUM_MISSING) % {"services": ", ".join(s.display_name for s in missing_minimum)}
            if missing_minimum
            else ""
        ),
        "approvals": approvals,
        "parties": parties,
        "pending": pending,
        "my_party": my_party,
        "writable": writable,
        "may_revise": writable and bool(binding) and not has_draft,
        "other_draft": next((v for v in versions if v.is_draft and v.pk != version.pk), None),
        "latest_binding": binding[-1] if binding else None,
        "diff": version_diff(version.based_on, version) if version.based_on_id else None,
        "decision_form": decision_form or DecisionForm(initial={"content_hash": digest}),
        "extension_form": extension_form or ExtensionForm(),
        "operating": selectors.operating_agreement_get(user=user, agreement=agreement),
    }
    return render(request, "agreements/agreement_detail.html", context, status=status)


@login_required
def agreement_detail_view(request, pk: int):
    agreement = selectors.agreement_get(user=request.user, pk=pk)
    version = shown_version(list(agreement.versions.all()))
    if version is None:
        raise Http404
    version.agreement = agreement
    return _version_page(request, agreement, version)


@login_required
def agreement_version_view(request, pk: int, number: int):
    agreement = selectors.agreement_get(user=request.user, pk=pk)
    return _version_page(request, agreement, _version_of(agreement, number))


@login_required
@require_http_methods(["GET", "POST"])
def agreement_version_edit_view(request, pk: int, number: int):
    agreement = selectors.agreement_get(user=request.user, pk=pk)
    version = _version_of(agreement, number)
    if not _writable(request.user, agreement.offices.all()):
        raise PermissionDenied(_(NOT_A_WRITER))
    if not version.is_draft:
        messages.error(request, _(services.NOT_A_DRAFT))
        return redirect("agreements:version", pk=agreement.pk, number=version.number)
    catalogue = MunicipalService.objects.filter(is_active=True).order_by("-is_minimum", "name")
    form = AgreementVersionForm(request.POST or None, version=version, services=catalogue)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_version_update(
                user=request.user,
                version=version,
                expected_version=form.cleaned_data["version"],
                changes=form.changes(),
                sections=form.sections(),
                services=form.chosen_services(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("agreements:version", pk=agreement.pk, number=version.number)
    # Shown before saving too: the minimum services not ticked (as posted, or as stored).
    if form.is_bound and form.is_valid():
        ticked = {service.pk for service, _start in form.chosen_services()}
    else:
        ticked = set(version.services.values_list("service_id", flat=True))
    missing = [s for s in form.services if s.is_minimum and s.pk not in ticked]
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "agreements/version_form.html",
        {
            "agreement": agreement,
            "version": version,
            "form": form,
            "missing_minimum": missing,
            "minimum_warning": (
                _(MINIMUM_MISSING) % {"services": ", ".join(s.display_name for s in missing)}
                if missing
                else ""
            ),
        },
        status=status,
    )


@login_required
@require_POST
def agreement_version_new_view(request, pk: int, kind: str):
    agreement = selectors.agreement_get(user=request.user, pk=pk)
    if not _writable(request.user, agreement.offices.all()):
        raise PermissionDenied(_(NOT_A_WRITER))
    extension_form = None
    valid_to = None
    if kind == VersionKind.EXTENSION:
        extension_form = ExtensionForm(request.POST)
        if extension_form.is_valid():
            valid_to = extension_form.cleaned_data["valid_to"]
    if extension_form is None or extension_form.is_valid():
        try:
            version = services.agreement_version_new(
                user=request.user, agreement=agreement, kind=kind, valid_to=valid_to
            )
        except ValidationError as error:
            extension_form = extension_form or ExtensionForm()
            add_service_errors(extension_form, error)
        else:
            messages.success(
                request, _("Version %(number)s is drafted.") % {"number": version.number}
            )
            return redirect("agreements:version-edit", pk=agreement.pk, number=version.number)
    agreement = selectors.agreement_get(user=request.user, pk=pk)  # the versions as they are now
    version = shown_version(list(agreement.versions.all()))
    version.agreement = agreement
    return _version_page(request, agreement, version, extension_form=extension_form, status=400)


@login_required
@require_POST
def agreement_version_decide_view(request, pk: int, number: int, decision: str):
    agreement = selectors.agreement_get(user=request.user, pk=pk)
    version = _version_of(agreement, number)
    if not any(acts_for(request.user, party) for party in services.version_parties(version)):
        raise PermissionDenied(_(NOT_A_PARTY_HERE))
    form = DecisionForm(request.POST)
    if form.is_valid():
        decide = (
            services.agreement_version_approve
            if decision == ApprovalDecision.APPROVED
            else services.agreement_version_reject
        )
        try:
            decided = decide(
                user=request.user,
                version=version,
                seen_hash=form.cleaned_data["content_hash"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if decision == ApprovalDecision.REJECTED:
                messages.success(request, _("Your rejection is recorded, with your comment."))
            elif decided.status == VersionStatus.APPROVED:
                messages.success(
                    request,
                    _("Your approval is recorded. Every party has approved: the version binds."),
                )
            else:
                messages.success(
                    request,
                    _("Your approval is recorded. The version binds once every party approves."),
                )
            return redirect("agreements:version", pk=agreement.pk, number=version.number)
    # Show the version as it is now, with the hash of what the page shows now.
    agreement = selectors.agreement_get(user=request.user, pk=pk)
    version = _version_of(agreement, number)
    return _version_page(request, agreement, version, decision_form=form, status=400)


@login_required
@require_POST
def agreement_version_pdf_view(request, pk: int, number: int):
    """Ask for the version as a PDF report; the report page follows it from there."""
    agreement = selectors.agreement_get(user=request.user, pk=pk)
    version = _version_of(agreement, number)
    throttle = ReportCreateThrottle()
    if not throttle.allow_request(request, None):
        messages.error(request, _(TOO_MANY_REPORTS))
        return redirect("agreements:version", pk=agreement.pk, number=version.number)
    try:
        report = report_request_create(
            user=request.user, kind="agreement_version", parameters={"version": version.pk}
        )
    except (ValidationError, ReportQueueUnavailable) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("agreements:version", pk=agreement.pk, number=version.number)
    messages.success(request, _("Your report is being made."))
    return redirect("reports:detail", report_id=report.id)
