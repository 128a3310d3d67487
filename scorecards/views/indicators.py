"""The indicator library, an indicator's page with its targets and trend, the comparison of
offices ("learn from each other") and the group tables (the KVP outcomes of 2010).

Everyone signed in reads the library and the targets (``SetAtLevel``); values follow rule 7
through ``scorecards/comparison.py``; targets are set through ``services.save_definition`` by
the level's authority (``users/access/levels.py``).
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.http import require_GET, require_http_methods

from navpartner.sidedata import Side
from navpartner.views import BACK, add_service_errors, back_link
from offices.models import Office
from scorecards import comparison, services
from scorecards.forms.indicators import IndicatorFilterForm, TargetForm, target_units, unit_of
from scorecards.models import Indicator, Level, Perspective, Target
from scorecards.periods import add_months, format_period, parse_period, reporting_month
from scorecards.targets import TargetResolver
from users import access
from users.access.levels import level_authority

BAD_MONTH = gettext_noop("Give the month as YYYY-MM, for example 2026-11.")
BAD_YEAR = gettext_noop("Give the year as four digits, for example 2010.")
NOT_A_SETTER = gettext_noop("You do not set targets for this indicator.")
# Tables whose columns follow a source's order when linked from the library: the audit's
# table 1 lists the Trondheim offices as Midtbyen, Østbyen, Lerkendal, Heimdal (001 §5.4.2).
TABLE_COLUMN_ORDERS = {"kvp-avgang": "midtbyen,ostbyen,lerkendal,heimdal"}
# Names of the tables whose indicators' names do not say it (the group is a slug).
TABLE_TITLES = {"kvp-avgang": gettext_lazy("Outcomes of the qualification programme (KVP)")}


class BadPeriod(Exception):
    """A month or year in the query that is not one; the page answers 400 with the reason."""


def _month_from_query(request, default: datetime.date) -> datetime.date:
    """``?maned=YYYY-MM``, or ``?ar=YYYY`` meaning that year's December, or ``default``."""
    if request.GET.get("maned"):
        try:
            return parse_period(request.GET["maned"])
        except ValueError:
            raise BadPeriod(_(BAD_MONTH)) from None
    if request.GET.get("ar"):
        year = request.GET["ar"].strip()
        if not (year.isdigit() and len(year) == 4 and int(year) >= 1900):
            raise BadPeriod(_(BAD_YEAR))
        return datetime.date(int(year), 12, 1)
    return default


def _default_month(indicator: Indicator) -> datetime.date:
    """The reporting month, or the indicator's last month if it is no longer valid then."""
    month = reporting_month()
    if indicator.valid_to and indicator.valid_to < month:
        return indicator.valid_to.replace(day=1)
    return month


def _bad_period(request, template: str, message: str, **context):
    """The page with the reason instead of its content (400)."""
    return render(request, template, {"period_error": message, **context}, status=400)


def _indicator_or_404(request, code: str) -> Indicator:
    return access.get_visible_or_404(
        Indicator.objects.select_related("county", "municipality"), request.user, code=code
    )


def _unit_name(indicator: Indicator):
    if indicator.scope == Level.COUNTY:
        return indicator.county
    if indicator.scope == Level.MUNICIPALITY:
        return indicator.municipality
    return _("National")


# --- The library --------------------------------------------------------------------------------


@login_required
@require_GET
def indicator_list_view(request):
    form = IndicatorFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(
            request, "scorecards/indicator_list.html", {"form": form, "sides": []}, status=400
        )
    chosen = form.cleaned_data if form.is_bound else {}
    indicators = Indicator.objects.visible_to(request.user).select_related("county", "municipality")
    if chosen.get("side"):
        indicators = indicators.filter(side=chosen["side"])
    if chosen.get("perspective"):
        indicators = indicators.filter(perspective=chosen["perspective"])
    indicators = list(indicators)
    sides = []
    for side in (Side.STATE, Side.MUNICIPAL):
        perspectives = []
        for perspective in Perspective:
            rows = [
                (indicator, _unit_name(indicator))
                for indicator in indicators
                if indicator.side == side and indicator.perspective == perspective
            ]
            if rows:
                perspectives.append((perspective, rows))
        if perspectives:
            sides.append((side, perspectives))
    groups: dict[str, list[Indicator]] = {}
    for indicator in indicators:
        if indicator.group:
            groups.setdefault(indicator.group, []).append(indicator)
    tables = [
        (group, _table_link_query(members[0]), _group_title(group, members))
        for group, members in sorted(groups.items())
    ]
    return render(
        request,
        "scorecards/indicator_list.html",
        {"form": form, "sides": sides, "tables": tables, "count": len(indicators)},
    )


def _table_link_query(indicator: Indicator) -> str:
    """The query of a group's table as the library links it: its last valid year's December
    when the group has ended, else the reporting month; the source's column order if known."""
    month = reporting_month()
    if indicator.valid_to and indicator.valid_to < month:
        query = f"ar={indicator.valid_to.year}"
    else:
        query = f"maned={format_period(month)}"
    if indicator.group in TABLE_COLUMN_ORDERS:
        query += f"&kontor={TABLE_COLUMN_ORDERS[indicator.group]}"
    return query


# --- One indicator ------------------------------------------------------------------------------


@login_required
@require_GET
def indicator_detail_view(request, code: str):
    indicator = _indicator_or_404(request, code)
    try:
        period = _month_from_query(request, _default_month(indicator))
    except BadPeriod as error:
        return _bad_period(
            request, "scorecards/indicator_detail.html", str(error), indicator=indicator
        )
    permissions = access.side_permissions(request.user)
    value_ids = comparison.value_offices(permissions, indicator)
    joint_ids = permissions.offices(access.VIEW, Side.JOINT)
    candidates = list(Office.objects.filter(pk__in=value_ids | joint_ids))
    applying = comparison.applying(candidates, [indicator], period)
    value_offices = [office for office in applying if office.pk in value_ids]
    status_offices = [office for office in applying if office.pk not in value_ids]
    office = _chosen_office(request, value_offices, status_offices)
    history = comparison.office_history(request.user, office, indicator, period) if office else None
    authority = level_authority(request.user)
    targets = list(
        Target.objects.visible_to(request.user)
        .filter(indicator=indicator)
        .select_related("county", "municipality", "office")
        .prefetch_related("history__changed_by")
        .order_by("-year", "month", "level", "pk")
    )
    applied = None
    if office is not None:
        resolved = TargetResolver([office], [indicator], [period]).get(office, indicator, period)
        applied = resolved.target_id if resolved else None
    target_rows = [
        (
            target,
            authority.sets(
                target.level,
                indicator.side,
                county=target.county_id,
                municipality=target.municipality_id,
                office=target.office_id,
            ),
        )
        for target in targets
    ]
    may_add_target = bool(authority) and bool(target_units(authority, indicator))
    return render(
        request,
        "scorecards/indicator_detail.html",
        {
            "indicator": indicator,
            "unit_name": _unit_name(indicator),
            "period": period,
            "period_text": format_period(period),
            "previous_period": format_period(add_months(period, -1)),
            "value_offices": value_offices,
            "status_offices": status_offices,
            "office": office,
            "history": history,
            "target_rows": target_rows,
            "applied_target_id": applied,
            "may_add_target": may_add_target,
            "own_offices": comparison.own_office_ids(request.user),
            # Came from a review page (?tilbake=): the way back, kept by the office chooser.
            "back_to_review": back_link(request, ""),
            "back_name": BACK,
        },
    )


def _chosen_office(request, value_offices, status_offices):
    """``?kontor=``, else the user's first office with values, else with statuses; 404 for an
    office whose values and statuses the user sees neither of."""
    code = request.GET.get("kontor")
    offices = value_offices + status_offices
    if code:
        for office in offices:
            if office.code == code:
                return office
        raise Http404
    own = comparison.own_office_ids(request.user)
    for office in offices:
        if office.pk in own:
            return office
    return offices[0] if offices else None


# --- Comparison ---------------------------------------------------------------------------------


@login_required
@require_GET
def compare_view(request, code: str):
    indicator = _indicator_or_404(request, code)
    try:
        period = _month_from_query(request, _default_month(indicator))
    except BadPeriod as error:
        return _bad_period(request, "scorecards/compare.html", str(error), indicator=indicator)
    result = comparison.compare(request.user, indicator, period)
    return render(
        request,
        "scorecards/compare.html",
        {
            "indicator": indicator,
            "comparison": result,
            "period": period,
            "period_text": format_period(period),
            "previous_period": format_period(add_months(period, -1)),
            "next_period": format_period(add_months(period, 1)),
        },
    )


# --- Group tables -------------------------------------------------------------------------------


@login_required
@require_GET
def table_view(request, group: str):
    indicators = list(
        Indicator.objects.visible_to(request.user)
        .filter(group=group)
        .select_related("county", "municipality")
        .order_by("position", "code")
    )
    if not indicators:
        raise Http404
    try:
        period = _month_from_query(request, _default_month(indicators[0]))
    except BadPeriod as error:
        return _bad_period(
            request,
            "scorecards/table.html",
            str(error),
            group=group,
            title=_group_title(group, indicators),
        )
    valid = [indicator for indicator in indicators if indicator.is_valid_in(period)]
    codes = request.GET.get("kontor")
    office_codes = [c.strip() for c in codes.split(",") if c.strip()] if codes else None
    table = comparison.group_table(
        request.user, valid, period, office_codes=office_codes, group=group
    )
    return render(
        request,
        "scorecards/table.html",
        {
            "group": group,
            "title": _group_title(group, indicators),
            "table": table,
            "period": period,
            "year_only": bool(request.GET.get("ar")) and not request.GET.get("maned"),
            "valid_from": min(i.valid_from for i in indicators),
            "valid_to": max((i.valid_to for i in indicators if i.valid_to), default=None),
        },
    )


def _group_title(group: str, indicators: list[Indicator]) -> str:
    """The group's name: a known table's, else the words its indicators' names share at the
    start, else the group's code."""
    if group in TABLE_TITLES:
        return str(TABLE_TITLES[group])
    names = [indicator.display_name for indicator in indicators]
    words = names[0].split()
    for name in names[1:]:
        other = name.split()
        common = 0
        while common < min(len(words), len(other)) and words[common] == other[common]:
            common += 1
        words = words[:common]
    title = " ".join(words).rstrip(":–-— ")
    return title if len(words) > 1 else group


# --- Targets ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def target_create_view(request, code: str):
    indicator = _indicator_or_404(request, code)
    units = target_units(level_authority(request.user), indicator)
    if not units:
        raise PermissionDenied(_(NOT_A_SETTER))
    form = TargetForm(
        request.POST or None,
        indicator=indicator,
        units=units,
        initial={"year": reporting_month().year, "level": units[0][0]},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        target = Target(
            indicator=indicator,
            year=data["year"],
            month=data["month"],
            value=data["value"],
            tolerance=data["tolerance"] or 0,
            **unit_of(data["level"]),
        )
        try:
            services.save_definition(user=request.user, instance=target)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The target is saved."))
            return redirect("scorecards:indicator", code=indicator.code)
    return render(
        request,
        "scorecards/target_form.html",
        {"indicator": indicator, "form": form, "target": None},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def target_edit_view(request, pk: int):
    target = access.get_visible_or_404(
        Target.objects.select_related(
            "indicator", "county", "municipality", "office", "updated_by"
        ),
        request.user,
        pk=pk,
    )
    indicator = target.indicator
    if not level_authority(request.user).sets(
        target.level,
        indicator.side,
        county=target.county_id,
        municipality=target.municipality_id,
        office=target.office_id,
    ):
        raise PermissionDenied(_(NOT_A_SETTER))
    form = TargetForm(
        request.POST or None,
        indicator=indicator,
        editing=True,
        initial={
            "value": _plain(target.value),
            "tolerance": _plain(target.tolerance),
            "version": target.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_definition(
                user=request.user,
                instance=target,
                changes={"value": data["value"], "tolerance": data["tolerance"] or 0},
                version=data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The target is saved."))
            return redirect("scorecards:indicator", code=indicator.code)
    return render(
        request,
        "scorecards/target_form.html",
        {"indicator": indicator, "form": form, "target": target},
        status=400 if request.method == "POST" else 200,
    )


def _plain(number) -> str:
    """A stored decimal without trailing zeros: 98.0000 → 98, 2.5000 → 2.5."""
    return format(number.normalize(), "f")
