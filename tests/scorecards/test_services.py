"""The scorecard's services (issue 10): submitting, reopening and reviewing a month, action
plans and their follow-up, and setting indicators and targets at a level."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from scorecards.measurements import MeasurementRow, record_measurements
from scorecards.models import (
    ActionPlan,
    Indicator,
    Level,
    Scorecard,
    ScorecardLine,
    ScorecardReview,
    ScorecardStatus,
    Status,
    Target,
    TargetHistory,
)
from scorecards.periods import add_months, current_month, format_period
from scorecards.services import (
    add_action,
    close_action_plan,
    follow_up,
    open_action_plan,
    reopen_scorecard,
    review_scorecard,
    review_sides,
    save_definition,
    submit_scorecard,
)
from tests.factories import UserFactory
from tests.scorecards.conftest import new_indicator, new_target, quiet_month, reasons_for_all
from users.models import AuditAction, AuditEvent, Role, RoleAssignment

pytestmark = pytest.mark.django_db

MONTH = quiet_month(2)


@pytest.fixture
def month(demo_data, heimdal, people):
    """Three indicators of Heimdal's month: a state one met, a municipal one missed, and one
    without a value."""
    year = MONTH.year

    class T:
        met = new_indicator(side="state", name="T-met")
        missed = new_indicator(side="municipal", name="T-missed")
        empty = new_indicator(side="state", name="T-uten-verdi")
        leader = people["leder.heimdal"]

    new_target(T.met, 50, year=year)
    new_target(T.missed, 50, year=year, tolerance=5)
    new_target(T.empty, 50, year=year)
    record_measurements(
        user=T.leader,
        rows=[
            MeasurementRow(1, "heimdal", T.met.code, format_period(MONTH), "60"),
            MeasurementRow(2, "heimdal", T.missed.code, format_period(MONTH), "40"),
        ],
        source="form",
    )
    T.reasons = reasons_for_all(heimdal, MONTH)
    T.reasons[T.empty.pk] = "Tallene fra Arena er forsinket"
    return T


def submit(month, heimdal, **kwargs):
    kwargs.setdefault("missing_reasons", month.reasons)
    kwargs.setdefault("user", month.leader)
    return submit_scorecard(office=heimdal, period=kwargs.pop("period", MONTH), **kwargs)


@pytest.mark.parametrize(
    "username",
    [
        "stat.heimdal",
        "kommune.heimdal",
        "radmann.trondheim",
        "fylkesdirektor.trondelag",
        "leder.indre-salten",
        "stat.lerkendal",
    ],
)
def test_only_the_offices_leader_submits(month, heimdal, people, username):
    with pytest.raises(PermissionDenied):
        submit(month, heimdal, user=people[username])
    assert not Scorecard.objects.filter(office=heimdal, period=MONTH, status="submitted").exists()


def test_anonymous_cannot_submit(month, heimdal):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        submit(month, heimdal, user=AnonymousUser())


@pytest.mark.parametrize("offset", [0, 1])
def test_a_month_not_over_is_refused(month, heimdal, offset):
    with pytest.raises(ValidationError) as caught:
        submit(month, heimdal, period=add_months(current_month(), offset), missing_reasons={})
    assert list(caught.value.message_dict) == ["period"]


def test_unexplained_missing_values_are_refused_and_named(month, heimdal):
    reasons = dict(month.reasons)
    del reasons[month.empty.pk]
    reasons[month.met.pk] = ""  # a reason for a value that is there is not needed
    with pytest.raises(ValidationError) as caught:
        submit(month, heimdal, missing_reasons=reasons)
    errors = caught.value.message_dict
    assert list(errors) == ["missing_reasons"]
    assert errors["missing_reasons"] == [
        _("Give a value or say why it is missing: %(indicators)s.")
        % {"indicators": month.empty.display_name}
    ]
    # A blank reason is no reason.
    reasons[month.empty.pk] = "   "
    with pytest.raises(ValidationError):
        submit(month, heimdal, missing_reasons=reasons)
    scorecard = Scorecard.objects.filter(office=heimdal, period=MONTH).first()
    assert scorecard is None or scorecard.status == ScorecardStatus.DRAFT
    assert not ScorecardLine.objects.filter(scorecard__office=heimdal, scorecard__period=MONTH)


def test_submission_writes_the_joint_summary_and_is_audited(month, heimdal):
    scorecard = submit(
        month, heimdal, comments={month.missed.pk: "Ny rutine fra januar"}, comment=" Ok "
    )
    assert scorecard.status == ScorecardStatus.SUBMITTED
    assert scorecard.submitted_by == month.leader and scorecard.submitted_at
    assert scorecard.comment == "Ok"
    lines = {line.indicator_id: line for line in scorecard.lines.all()}
    assert set(lines) == set(month.reasons)  # one line per indicator of the month
    assert lines[month.met.pk].status == Status.MET
    assert lines[month.missed.pk].status == Status.MISSED
    assert lines[month.missed.pk].comment == "Ny rutine fra januar"
    assert lines[month.empty.pk].status == Status.MISSING
    assert lines[month.empty.pk].missing_reason == "Tallene fra Arena er forsinket"
    assert lines[month.met.pk].missing_reason == ""
    # The summary carries no values.
    field_names = {f.name for f in ScorecardLine._meta.get_fields()}
    assert not field_names & {"value", "target", "measurement"}
    event = AuditEvent.objects.filter(
        actor=month.leader, action=AuditAction.DATA_CHANGED, details__event="submitted"
    ).get()
    assert (event.office_id, event.side) == (heimdal.pk, "joint")
    assert event.details["period"] == format_period(MONTH)
    assert event.details["statuses"][Status.MET] >= 1


def test_a_month_is_submitted_once(month, heimdal):
    submit(month, heimdal)
    with pytest.raises(ValidationError) as caught:
        submit(month, heimdal)
    assert list(caught.value.message_dict) == ["__all__"]
    assert ScorecardLine.objects.filter(scorecard__office=heimdal, scorecard__period=MONTH).count()
    assert Scorecard.objects.filter(office=heimdal, period=MONTH).count() == 1


def test_a_stale_submission_is_refused(month, heimdal):
    from scorecards.services import scorecard_for

    scorecard = scorecard_for(heimdal, MONTH)
    Scorecard.objects.filter(pk=scorecard.pk).update(version=scorecard.version + 1)
    with pytest.raises(ValidationError) as caught:
        submit(month, heimdal, version=scorecard.version)
    assert list(caught.value.message_dict) == ["version"]


def test_reopen_by_the_leader_with_the_version(month, heimdal, people):
    scorecard = submit(month, heimdal)
    review_scorecard(user=people["fylkesdirektor.trondelag"], scorecard=scorecard, side="state")
    for username in ("stat.heimdal", "radmann.trondheim", "fylkesdirektor.trondelag"):
        with pytest.raises(PermissionDenied):
            reopen_scorecard(user=people[username], scorecard=scorecard, version=scorecard.version)
    with pytest.raises(ValidationError) as caught:
        reopen_scorecard(user=month.leader, scorecard=scorecard, version=scorecard.version - 1)
    assert list(caught.value.message_dict) == ["version"]
    reopened = reopen_scorecard(user=month.leader, scorecard=scorecard, version=scorecard.version)
    assert reopened.status == ScorecardStatus.DRAFT
    assert reopened.version == scorecard.version + 1
    assert (reopened.submitted_at, reopened.submitted_by) == (None, None)
    assert not reopened.lines.exists() and not reopened.reviews.exists()
    assert AuditEvent.objects.filter(details__event="reopened", office=heimdal).exists()
    # A draft is not reopened; it can be submitted again.
    with pytest.raises(ValidationError):
        reopen_scorecard(user=month.leader, scorecard=reopened, version=reopened.version)
    again = submit(month, heimdal, version=reopened.version)
    assert again.is_submitted and again.lines.count() == len(month.reasons)


def test_review_by_the_right_party_once_per_side_after_submission(month, heimdal, people):
    director, executive = people["fylkesdirektor.trondelag"], people["radmann.trondheim"]
    assert review_sides(director, heimdal) == ["state"]
    assert review_sides(executive, heimdal) == ["municipal"]
    for username in ("fylkesdirektor.nordland", "leder.heimdal", "stat.heimdal", "radmann.fauske"):
        assert review_sides(people[username], heimdal) == [], username
    from scorecards.services import scorecard_for

    draft = scorecard_for(heimdal, MONTH)
    with pytest.raises(ValidationError):
        review_scorecard(user=director, scorecard=draft, side="state")
    scorecard = submit(month, heimdal)
    for user, side in [
        (people["fylkesdirektor.nordland"], "state"),
        (people["leder.heimdal"], "state"),
        (people["leder.heimdal"], "municipal"),
        (director, "municipal"),
        (executive, "state"),
        (people["radmann.fauske"], "municipal"),
    ]:
        with pytest.raises(PermissionDenied):
            review_scorecard(user=user, scorecard=scorecard, side=side)
    state = review_scorecard(user=director, scorecard=scorecard, side="state", comment=" Bra ")
    municipal = review_scorecard(user=executive, scorecard=scorecard, side="municipal")
    assert (state.reviewed_by, state.comment, municipal.reviewed_by) == (director, "Bra", executive)
    with pytest.raises(ValidationError) as caught:
        review_scorecard(user=director, scorecard=scorecard, side="state")
    assert list(caught.value.message_dict) == ["side"]
    assert ScorecardReview.objects.filter(scorecard=scorecard).count() == 2
    assert AuditEvent.objects.filter(details__event="reviewed", office=heimdal).count() == 2


def test_indre_salten_is_reviewed_by_its_host_municipality(demo_data, offices, people):
    office = offices["indre-salten"]
    assert review_sides(people["radmann.fauske"], office) == ["municipal"]
    assert review_sides(people["radmann.saltdal"], office) == []
    assert review_sides(people["fylkesdirektor.nordland"], office) == ["state"]
    assert review_sides(people["fylkesdirektor.trondelag"], office) == []


# --- Action plans ------------------------------------------------------------------------------


def test_one_open_action_plan_per_indicator(month, heimdal, people):
    scorecard = submit(month, heimdal)
    plan = open_action_plan(
        user=month.leader,
        office=heimdal,
        indicator=month.missed,
        period=MONTH,
        analysis=" Færre ressurser ",
    )
    assert (plan.scorecard, plan.analysis, plan.status) == (scorecard, "Færre ressurser", "open")
    with pytest.raises(ValidationError) as caught:
        open_action_plan(
            user=people["radmann.trondheim"],
            office=heimdal,
            indicator=month.missed,
            period=MONTH,
            analysis="x",
        )
    assert list(caught.value.message_dict) == ["indicator"]
    closed = close_action_plan(user=month.leader, plan=plan, version=plan.version)
    assert closed.status == "closed" and closed.closed_at
    with pytest.raises(ValidationError):
        add_action(user=month.leader, plan=closed, description="x", owner="y", due=MONTH)
    again = open_action_plan(
        user=people["radmann.trondheim"],
        office=heimdal,
        indicator=month.missed,
        period=MONTH,
        analysis="Igjen",
    )
    assert again.pk != plan.pk
    assert ActionPlan.objects.filter(office=heimdal, indicator=month.missed).count() == 2


@pytest.mark.parametrize(
    "username", ["stat.lerkendal", "fylkesdirektor.nordland", "radmann.fauske"]
)
def test_outsiders_open_no_action_plan(month, heimdal, people, username):
    with pytest.raises((ValidationError, PermissionDenied)):
        open_action_plan(
            user=people[username],
            office=heimdal,
            indicator=month.missed,
            period=MONTH,
            analysis="x",
        )
    assert not ActionPlan.objects.filter(office=heimdal, indicator=month.missed).exists()


def test_follow_up_once_per_month(month, heimdal):
    plan = open_action_plan(
        user=month.leader, office=heimdal, indicator=month.missed, period=MONTH, analysis="a"
    )
    action = add_action(
        user=month.leader, plan=plan, description=" Kurs ", owner="Teamleder", due=MONTH
    )
    assert (action.description, action.status) == ("Kurs", "planned")
    first = follow_up(user=month.leader, plan=plan, period=add_months(MONTH, 1), note=" Ok ")
    assert (first.note, first.written_by) == ("Ok", month.leader)
    with pytest.raises(ValidationError) as caught:
        follow_up(user=month.leader, plan=plan, period=add_months(MONTH, 1), note="Igjen")
    assert list(caught.value.message_dict) == ["period"]
    follow_up(user=month.leader, plan=plan, period=add_months(MONTH, 2), note="Neste")
    with pytest.raises(ValidationError):
        follow_up(user=month.leader, plan=plan, period=add_months(current_month(), 1), note="x")
    assert plan.follow_ups.count() == 2


# --- Definitions at a level -------------------------------------------------------------------


def indicator_for(scope, *, county=None, municipality=None, side="state", code="t-def"):
    return Indicator(
        code=code,
        name="Definisjon",
        name_en="Definition",
        definition="Counted.",
        source="tests",
        perspective="user",
        side=side,
        scope=scope,
        county=county,
        municipality=municipality,
        unit="percent",
        direction="higher",
        decimals=0,
        valid_from=datetime.date(2020, 1, 1),
    )


@pytest.fixture
def admin_user(demo_data):
    from users.models import User

    user = User.objects.filter(username="direktorat.admin").first()
    if user is None:
        user = UserFactory(username="direktorat.admin")
        RoleAssignment.objects.create(user=user, role=Role.NATIONAL_ADMIN)
    return user


def test_indicators_are_set_at_their_level_only(admin_user, offices, people):
    from offices.models import Municipality

    trondelag, nordland = offices["heimdal"].county, offices["narvik"].county
    trondheim = Municipality.objects.valid_on().get(number="5001")
    director, executive = people["fylkesdirektor.trondelag"], people["radmann.trondheim"]
    refused = [
        (director, indicator_for(Level.NATIONAL)),
        (director, indicator_for(Level.COUNTY, county=nordland)),
        (executive, indicator_for(Level.NATIONAL, side="municipal")),
        (executive, indicator_for(Level.COUNTY, county=trondelag)),
        (people["leder.heimdal"], indicator_for(Level.NATIONAL)),
        (people["leder.heimdal"], indicator_for(Level.COUNTY, county=trondelag)),
        (people["stat.heimdal"], indicator_for(Level.COUNTY, county=trondelag)),
        (
            people["radmann.fauske"],
            indicator_for(Level.MUNICIPALITY, municipality=trondheim, side="municipal"),
        ),
    ]
    for user, indicator in refused:
        with pytest.raises(ValidationError):
            save_definition(user=user, instance=indicator)
        assert not Indicator.objects.filter(code="t-def").exists(), user
    made = [
        save_definition(user=admin_user, instance=indicator_for(Level.NATIONAL, code="t-def-1")),
        save_definition(
            user=director, instance=indicator_for(Level.COUNTY, county=trondelag, code="t-def-2")
        ),
        save_definition(
            user=executive,
            instance=indicator_for(
                Level.MUNICIPALITY, municipality=trondheim, side="municipal", code="t-def-3"
            ),
        ),
    ]
    assert all(i.pk and i.version == 1 for i in made)
    assert made[1].created_by == director
    assert AuditEvent.objects.filter(
        actor=director, action=AuditAction.DATA_CREATED, side="state"
    ).exists()


def test_an_indicator_change_names_its_version(admin_user, demo_data, people):
    indicator = save_definition(user=admin_user, instance=indicator_for(Level.NATIONAL))
    changed = save_definition(
        user=admin_user, instance=indicator, changes={"decimals": 1}, version=1
    )
    assert (changed.version, changed.decimals) == (2, 1)
    with pytest.raises(ValidationError) as caught:
        save_definition(user=admin_user, instance=indicator, changes={"decimals": 2}, version=1)
    assert list(caught.value.message_dict) == ["version"]
    with pytest.raises(ValidationError) as caught:
        save_definition(user=admin_user, instance=indicator, changes={"decimals": 2})
    assert caught.value.message_dict["version"] == [_("Give the version your change is based on.")]
    with pytest.raises(ValidationError):
        save_definition(
            user=people["fylkesdirektor.trondelag"],
            instance=indicator,
            changes={"decimals": 2},
            version=2,
        )
    indicator.refresh_from_db()
    assert (indicator.version, indicator.decimals) == (2, 1)


def test_targets_by_level_with_history(month, heimdal, people, admin_user):
    director, executive = people["fylkesdirektor.trondelag"], people["radmann.trondheim"]
    year = MONTH.year + 1
    state, municipal = month.met, month.missed

    def target(indicator, level, value="80", **unit):
        return Target(
            indicator=indicator,
            level=level,
            year=year,
            value=Decimal(value),
            tolerance=Decimal(2),
            **unit,
        )

    for user, instance in [
        (director, target(state, Level.OFFICE, office=heimdal)),
        (executive, target(municipal, Level.OFFICE, office=heimdal)),
        (admin_user, target(state, Level.NATIONAL)),
    ]:
        saved = save_definition(user=user, instance=instance)
        assert list(saved.history.values_list("version", "value")) == [(1, Decimal(80))]
    for user, instance in [
        (director, target(municipal, Level.OFFICE, office=heimdal, value="70")),
        (executive, target(state, Level.OFFICE, office=heimdal, value="70")),
        (month.leader, target(state, Level.OFFICE, office=heimdal, value="70")),
        (people["fylkesdirektor.nordland"], target(state, Level.COUNTY, county=heimdal.county)),
        (director, target(state, Level.NATIONAL, value="70")),
        # Duplicates of an existing level and period.
        (director, target(state, Level.OFFICE, office=heimdal)),
        # A value outside the unit's range.
        (director, target(state, Level.COUNTY, county=heimdal.county, value="120")),
        # A county target of a municipal indicator.
        (admin_user, target(municipal, Level.COUNTY, county=heimdal.county)),
    ]:
        with pytest.raises(ValidationError):
            save_definition(user=user, instance=instance)
    assert not Target.objects.filter(year=year, value=Decimal(70)).exists()
    office_target = Target.objects.get(indicator=state, level=Level.OFFICE, year=year)
    save_definition(
        user=director, instance=office_target, changes={"value": Decimal(85)}, version=1
    )
    with pytest.raises(ValidationError):
        save_definition(
            user=director, instance=office_target, changes={"value": Decimal(86)}, version=1
        )
    assert list(
        TargetHistory.objects.filter(target=office_target).values_list("version", "value")
    ) == [(1, Decimal(80)), (2, Decimal(85))]
