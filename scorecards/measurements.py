"""Storing measurements: one path for the month form, file imports and the bulk API.

``record_measurements`` checks every row before it stores any, and stores all or nothing:

* the office and the indicator exist, the month is a month (``YYYY-MM``), has begun, and lies
  within the office's life and the indicator's validity; the indicator covers the office (a
  county's indicator its offices, a municipality's the offices serving it that month);
* the value is a number within the unit's range (a percentage 0–100, a score 1–6) with at most
  four decimals; the comment is short;
* no row repeats another's office, indicator and month;
* the writer may change the indicator's side of the office (``users/access``), or — for the bulk
  API of a statistics system — the office lies within its delivery scope;
* a row that names the version it was based on (the month form) still matches the stored one;
  otherwise the error names who changed it.

Every problem is reported with its line (the file's line, the form's row, the API's item
number) and field, and nothing is stored (``MeasurementErrors``). What is stored gets a
history row per change and one audit event per office and side.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from offices.models import Office, OfficeMunicipality
from scorecards.models import (
    Indicator,
    Level,
    Measurement,
    MeasurementHistory,
    Source,
    Unit,
)
from scorecards.periods import current_month, format_period, month_end, parse_period

MAX_DECIMALS = 4
COMMENT_MAX = 500


@dataclass
class MeasurementRow:
    """One value to store, as given: codes and text, checked by ``record_measurements``.

    ``version``: the stored version the writer saw — ``0`` when they saw no value; ``None`` to
    store whatever is there (imports and the bulk API replace, history keeps the old value).
    """

    line: int
    office: str
    indicator: str
    period: str | datetime.date
    value: str | Decimal | int | float | None
    comment: str = ""
    version: int | None = None


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "field": self.field, "message": self.message}


class MeasurementErrors(Exception):
    """Rows that cannot be stored; nothing was."""

    def __init__(self, errors: Sequence[RowError]):
        self.errors = sorted(errors, key=lambda error: (error.line, error.field))
        super().__init__(f"{len(self.errors)} rows refused")

    def as_list(self) -> list[dict]:
        return [error.as_dict() for error in self.errors]


@dataclass
class RecordResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    measurements: list[Measurement] = field(default_factory=list)

    @property
    def stored(self) -> int:
        return self.created + self.updated


@dataclass
class _Checked:
    row: MeasurementRow
    office: Office
    indicator: Indicator
    period: datetime.date
    value: Decimal
    comment: str

    @property
    def key(self) -> tuple[int, int, datetime.date]:
        return (self.office.pk, self.indicator.pk, self.period)


def parse_value(raw, indicator: Indicator) -> Decimal:
    """The value as a Decimal within the indicator's unit, or ``ValueError`` with the reason."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ValueError(_("Give a value."))
    if isinstance(raw, bool):
        raise ValueError(_("“%(value)s” is not a number.") % {"value": raw})
    text = str(raw).strip().replace("\u00a0", "").replace(" ", "")
    if isinstance(raw, str):
        text = text.replace(",", ".")  # Norwegian decimal comma
        if "e" in text.lower():  # "1e3" is a number to Python, not to the person who typed it
            raise ValueError(_("“%(value)s” is not a number.") % {"value": raw})
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("“%(value)s” is not a number.") % {"value": raw}) from None
    if not value.is_finite():
        raise ValueError(_("“%(value)s” is not a number.") % {"value": raw})
    if value.as_tuple().exponent < -MAX_DECIMALS:
        raise ValueError(_("Give at most %(count)d decimals.") % {"count": MAX_DECIMALS})
    if abs(value) >= Decimal(10) ** 10:
        raise ValueError(_("The value is too large."))
    low, high = indicator.value_range
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(_range_message(indicator.unit, low, high))
    return value


def _range_message(unit: str, low, high) -> str:
    if unit == Unit.PERCENT:
        return _("A percentage must be between 0 and 100.")
    if unit == Unit.SCORE:
        return _("A score must be between 1 and 6.")
    return _("The value cannot be negative.")


def record_measurements(
    *, user, rows: Iterable[MeasurementRow], source: str, delivery: bool = False
) -> RecordResult:
    """Check every row, then store all of them or none (``MeasurementErrors``).

    ``delivery``: the rows come through the bulk API, where a statistics system's service
    account may deliver for its scope (``users.access.delivery_offices``).
    """
    rows = list(rows)
    if source not in Source.values:
        raise ValueError(f"unknown source {source!r}")
    limit = settings.MEASUREMENT_IMPORT_MAX_ROWS
    if len(rows) > limit:
        raise MeasurementErrors(
            [RowError(0, "", _("At most %(limit)d rows at a time.") % {"limit": limit})]
        )
    checked, errors = _check_rows(user, rows, delivery=delivery)
    if errors:
        raise MeasurementErrors(errors)
    try:
        return _store(user, checked, source)
    except IntegrityError:
        if all(item.row.version is not None for item in checked):
            # A form's rows name the versions they were based on: once more, now that the
            # other writer's rows are there, so the refusal names who stored them first.
            try:
                return _store(user, checked, source)
            except IntegrityError:
                pass
        # Another writer stored one of these months between our check and our insert; their
        # values stand, and ours are refused rather than silently overwriting them.
        raise MeasurementErrors(
            [
                RowError(
                    0,
                    "",
                    _(
                        "Someone else stored values for these months at the same time. "
                        "Nothing was stored; send the rows again."
                    ),
                )
            ]
        ) from None


def _check_rows(user, rows: list[MeasurementRow], *, delivery: bool):
    from users import access

    errors: list[RowError] = []
    offices = Office.objects.in_bulk({str(row.office).strip() for row in rows}, field_name="code")
    indicators = Indicator.objects.select_related("county", "municipality").in_bulk(
        {str(row.indicator).strip() for row in rows}, field_name="code"
    )
    memberships: dict[int, list[OfficeMunicipality]] = {}
    for membership in OfficeMunicipality.objects.filter(office__in=offices.values()):
        memberships.setdefault(membership.office_id, []).append(membership)
    permissions = access.side_permissions(user, offices=list(offices.values()))
    deliverable = set()
    if delivery and access.is_statistics_client(user):
        deliverable = set(access.delivery_offices(user).values_list("pk", flat=True))
    this_month = current_month()
    seen: dict[tuple, int] = {}
    checked: list[_Checked] = []
    for row in rows:
        problems = []
        office = offices.get(str(row.office).strip())
        indicator = indicators.get(str(row.indicator).strip())
        if office is None:
            problems.append(("office", _("Unknown office “%(code)s”.") % {"code": row.office}))
        if indicator is None:
            problems.append(
                ("indicator", _("Unknown indicator “%(code)s”.") % {"code": row.indicator})
            )
        period = _period_of(row.period)
        if period is None:
            problems.append(
                ("period", _("“%(value)s” is not a month (YYYY-MM).") % {"value": row.period})
            )
        elif period > this_month:
            problems.append(("period", _("%(month)s has not begun.") % _month(period)))
        value = None
        if indicator is not None:
            try:
                value = parse_value(row.value, indicator)
            except ValueError as reason:
                problems.append(("value", str(reason)))
        comment = str(row.comment or "").strip()
        if len(comment) > COMMENT_MAX:
            problems.append(
                ("comment", _("At most %(count)d characters.") % {"count": COMMENT_MAX})
            )
        if office is not None and period is not None:
            problems += _office_in_time(office, period)
        if office is not None and indicator is not None and period is not None:
            problems += _indicator_covers(indicator, office, period, memberships)
            if not _may_write(permissions, deliverable, office, indicator):
                problems.append(
                    (
                        "office",
                        _("You cannot change the %(side)s line's values of %(office)s.")
                        % {"side": indicator.get_side_display().lower(), "office": office.name},
                    )
                )
            key = (office.pk, indicator.pk, period)
            if key in seen:
                problems.append(
                    (
                        "period",
                        _("The same office, indicator and month as line %(line)d.")
                        % {"line": seen[key]},
                    )
                )
            else:
                seen[key] = row.line
        errors += [RowError(row.line, name, message) for name, message in problems]
        if not problems:
            checked.append(_Checked(row, office, indicator, period, value, comment))
    return checked, errors


def _period_of(raw) -> datetime.date | None:
    if isinstance(raw, datetime.date):
        return raw.replace(day=1) if raw.day == 1 else None
    try:
        return parse_period(str(raw))
    except ValueError:
        return None


def _month(period: datetime.date) -> dict:
    return {"month": format_period(period)}


def _office_in_time(office: Office, period: datetime.date) -> list[tuple[str, str]]:
    if office.opened_on and month_end(period) < office.opened_on:
        return [
            (
                "period",
                _("%(office)s opened on %(date)s; there is no value for %(month)s.")
                % {"office": office.name, "date": office.opened_on, **_month(period)},
            )
        ]
    if office.closed_on and period > office.closed_on:
        return [
            (
                "period",
                _("%(office)s closed on %(date)s; there is no value for %(month)s.")
                % {"office": office.name, "date": office.closed_on, **_month(period)},
            )
        ]
    return []


def _indicator_covers(indicator, office, period, memberships) -> list[tuple[str, str]]:
    if not indicator.is_valid_in(period):
        return [
            (
                "indicator",
                _("%(indicator)s is not in use in %(month)s.")
                % {"indicator": indicator.code, **_month(period)},
            )
        ]
    if indicator.scope == Level.COUNTY and office.county_id != indicator.county_id:
        covered = False
    elif indicator.scope == Level.MUNICIPALITY:
        last = month_end(period)
        covered = any(
            m.municipality_id == indicator.municipality_id
            and m.valid_from <= last
            and (m.valid_to is None or m.valid_to >= period)
            for m in memberships.get(office.pk, [])
        )
    else:
        covered = True
    if covered:
        return []
    return [
        (
            "indicator",
            _("%(indicator)s is not an indicator of %(office)s in %(month)s.")
            % {"indicator": indicator.code, "office": office.name, **_month(period)},
        )
    ]


def _may_write(permissions, deliverable: set, office, indicator) -> bool:
    from users.access import CHANGE

    return office.pk in deliverable or permissions.allows(CHANGE, office, indicator.side)


@transaction.atomic
def _store(user, checked: list[_Checked], source: str) -> RecordResult:
    from users.access.audit import audit_record
    from users.models import AuditAction

    result = RecordResult()
    if not checked:
        return result
    now = timezone.now()
    existing = {
        (m.office_id, m.indicator_id, m.period): m
        # Lock the measurements only, without joining their writers: PostgreSQL refuses FOR
        # UPDATE on an outer join's nullable side, and a row re-read after waiting for a lock
        # comes back with its old join (the writer who changed it meanwhile missing).
        for m in Measurement.objects.select_for_update(of=("self",))
        .filter(
            office__in={c.office.pk for c in checked},
            indicator__in={c.indicator.pk for c in checked},
            period__in={c.period for c in checked},
        )
        .order_by("pk")  # every writer locks in the same order: no deadlock
    }
    stale = []
    to_create: list[Measurement] = []
    to_update: list[Measurement] = []
    touched: dict[tuple[int, str], dict] = {}
    for item in checked:
        current = existing.get(item.key)
        expected = item.row.version
        if expected is not None and (current.version if current else 0) != expected:
            stale.append((item, current))
            continue
        if current is None:
            measurement = Measurement(
                office=item.office,
                indicator=item.indicator,
                period=item.period,
                value=item.value,
                comment=item.comment,
                source=source,
                created_by=user,
                updated_by=user,
                updated_at=now,
            )
            to_create.append(measurement)
            kind = "created"
        elif current.value == item.value and current.comment == item.comment:
            result.unchanged += 1
            result.measurements.append(current)
            continue
        else:
            current.value, current.comment, current.source = item.value, item.comment, source
            current.version += 1
            current.updated_by, current.updated_at = user, now
            to_update.append(current)
            measurement = current
            kind = "updated"
        summary = touched.setdefault(
            (item.office.pk, item.indicator.side), {"created": 0, "updated": 0, "months": set()}
        )
        summary[kind] += 1
        summary["months"].add(format_period(item.period))
    if stale:
        from users.models import User

        writers = User.objects.in_bulk({c.updated_by_id for _i, c in stale if c is not None})
        for _item, current in stale:
            if current is not None:
                current.updated_by = writers.get(current.updated_by_id)
        raise MeasurementErrors([_stale_error(item, current) for item, current in stale])
    # Inserted in one order by every writer, so that two deliveries of the same new months
    # wait for each other (and the second is refused below) rather than deadlock.
    to_create.sort(key=lambda m: (m.office_id, m.indicator_id, m.period))
    Measurement.objects.bulk_create(to_create, batch_size=2000)
    if to_create and to_create[0].pk is None:
        # Backends without RETURNING on bulk inserts: read the new rows' ids back.
        _read_back_ids(to_create)
    # The rows to update are locked above; one INSERT … ON CONFLICT DO UPDATE writes them.
    # (bulk_update builds a CASE WHEN per row and field: 6 s for one month of 7,800 values.)
    Measurement.objects.bulk_create(
        [
            Measurement(
                office_id=m.office_id,
                indicator_id=m.indicator_id,
                period=m.period,
                value=m.value,
                comment=m.comment,
                source=m.source,
                version=m.version,
                created_by_id=m.created_by_id,
                updated_by_id=m.updated_by_id,
                updated_at=m.updated_at,
            )
            for m in to_update
        ],
        update_conflicts=True,
        unique_fields=["office", "indicator", "period"],
        update_fields=["value", "comment", "source", "version", "updated_by", "updated_at"],
        batch_size=2000,
    )
    MeasurementHistory.objects.bulk_create(
        [
            MeasurementHistory(
                measurement=m,
                version=m.version,
                value=m.value,
                source=m.source,
                comment=m.comment,
                changed_by=user,
                changed_at=now,
            )
            for m in to_create + to_update
        ],
        batch_size=2000,
    )
    for (office_id, side), summary in sorted(touched.items()):
        audit_record(
            actor=user,
            action=AuditAction.DATA_CHANGED if summary["updated"] else AuditAction.DATA_CREATED,
            office=office_id,
            side=side,
            details={
                "model": Measurement._meta.label_lower,
                "source": source,
                "created": summary["created"],
                "updated": summary["updated"],
                "months": sorted(summary["months"]),
                "writer_side": getattr(user, "employer_side", ""),
            },
        )
    result.created, result.updated = len(to_create), len(to_update)
    result.measurements += to_create + to_update
    return result


def _read_back_ids(created: list[Measurement]) -> None:
    if not created:
        return
    ids = {
        (o, i, p): pk
        for pk, o, i, p in Measurement.objects.filter(
            office__in={m.office_id for m in created},
            indicator__in={m.indicator_id for m in created},
            period__in={m.period for m in created},
        ).values_list("pk", "office", "indicator", "period")
    }
    for m in created:
        m.pk = ids[(m.office_id, m.indicator_id, m.period)]


def _stale_error(item: _Checked, current: Measurement | None) -> RowError:
    if current is not None and current.updated_by is not None:
        message = _(
            "%(name)s changed this value after you opened the form (now %(value)s). Reload "
            "and enter yours again."
        ) % {"name": current.updated_by, "value": current.value.normalize()}
    else:
        message = _(
            "Someone else changed this value after you opened the form. Reload and "
            "enter yours again."
        )
    return RowError(item.row.line, "value", message)
