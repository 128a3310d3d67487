"""DESIGN.md rule 7 on the scorecard, for every demo role at NAV Heimdal (issue 10, "the side
rules for values and summaries for every role").

A value is side data of its indicator's side: seen by who may view that side of the office,
or — when its side has made the indicator ``shared`` — by who may view the office's joint
data, who still never changes it. The summary written at submission (``ScorecardLine``:
statuses, no values) is joint. Indicators and targets are read by everyone signed in and set by
the owning side's authority at its level (``users/access/levels.py``).
"""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from scorecards.measurements import MeasurementErrors, MeasurementRow, record_measurements
from scorecards.models import Indicator, Level, Measurement, ScorecardLine, Status, Target
from scorecards.periods import format_period
from scorecards.selectors import scorecards_for
from scorecards.services import submit_scorecard
from tests.factories import MunicipalUserFactory, UserFactory
from tests.scorecards.conftest import new_indicator, new_target, quiet_month, reasons_for_all
from users.models import AuditAction, AuditEvent, Role, RoleAssignment, User

pytestmark = pytest.mark.django_db

MONTH = quiet_month(1)

# What each role may do with Heimdal's data: (state view, municipal view, joint view,
# state change, municipal change).
HEIMDAL_ACCESS = {
    "leder.heimdal": (True, True, True, True, True),
    # State staff with the demo's delegation to view municipal data.
    "stat.heimdal": (True, True, True, True, False),
    # State staff whose delegation has run out.
    "stat4.heimdal": (True, False, True, True, False),
    "kommune.heimdal": (False, True, True, False, True),
    "stat.lerkendal": (False, False, False, False, False),
    "kommune.lerkendal": (False, False, False, False, False),
    "radmann.trondheim": (False, True, True, False, True),
    "fylkesdirektor.trondelag": (True, False, True, True, False),
    "fylkesdirektor.nordland": (False, False, False, False, False),
    "radmann.fauske": (False, False, False, False, False),
    "direktorat.admin": (False, False, False, False, False),
    "statistikk.klient": (False, False, False, False, False),
    "anonymous": (False, False, False, False, False),
    "inactive": (False, False, False, False, False),
}
ROLES = list(HEIMDAL_ACCESS)


@pytest.fixture
def who(demo_data, offices):
    """A role's user: the demo's, or a stand-in where the demo has none (yet)."""

    def get(name):
        if name == "anonymous":
            return AnonymousUser()
        if name == "inactive":
            user = UserFactory(username="t-inactive")
            RoleAssignment.objects.create(
                user=user, role=Role.OFFICE_LEADER, office=offices["heimdal"]
            )
            User.objects.filter(pk=user.pk).update(is_active=False)
            user.refresh_from_db()
            return user
        user = User.objects.filter(username=name).first()
        if user is None and name == "direktorat.admin":
            user = UserFactory(username=name)
            RoleAssignment.objects.create(user=user, role=Role.NATIONAL_ADMIN)
        if user is None and name == "statistikk.klient":
            user = UserFactory(username=name)
            RoleAssignment.objects.create(
                user=user, role=Role.STATISTICS_CLIENT, county=offices["heimdal"].county
            )
        assert user is not None, name
        return user

    return get


@pytest.fixture
def card(demo_data, heimdal, people):
    """Four indicators at Heimdal — state, state shared, municipal, municipal shared — with a
    value and a target each, giving four different statuses."""
    year = MONTH.year

    class World:
        state = new_indicator(side="state")
        state_shared = new_indicator(side="state", shared=True)
        municipal = new_indicator(side="municipal")
        municipal_shared = new_indicator(side="municipal", shared=True, direction="lower")
        mine = (state, state_shared, municipal, municipal_shared)
        values = {
            state.pk: Decimal(50),  # target 40: met
            state_shared.pk: Decimal(50),  # target 60 ± 5: missed
            municipal.pk: Decimal(48),  # target 50 ± 2: close
            municipal_shared.pk: Decimal(20),  # lower, target 30: met
        }
        expected = {
            state.pk: Status.MET,
            state_shared.pk: Status.MISSED,
            municipal.pk: Status.CLOSE,
            municipal_shared.pk: Status.MET,
        }

    for indicator, target, tolerance in [
        (World.state, 40, 0),
        (World.state_shared, 60, 5),
        (World.municipal, 50, 2),
        (World.municipal_shared, 30, 0),
    ]:
        new_target(indicator, target, year=year, tolerance=tolerance)
    record_measurements(
        user=people["leder.heimdal"],
        rows=[
            MeasurementRow(n, "heimdal", i.code, format_period(MONTH), World.values[i.pk])
            for n, i in enumerate(World.mine, 1)
        ],
        source="form",
    )
    World.by_indicator = {
        m.indicator_id: m for m in Measurement.objects.filter(indicator__in=World.mine)
    }
    return World


def submit(heimdal, people):
    return submit_scorecard(
        user=people["leder.heimdal"],
        office=heimdal,
        period=MONTH,
        missing_reasons=reasons_for_all(heimdal, MONTH),
    )


def value_sides(role):
    state, municipal, joint, *_changes = HEIMDAL_ACCESS[role]
    return state, municipal, joint


def sees_value(role, indicator) -> bool:
    state, municipal, joint = value_sides(role)
    side_view = state if indicator.side == "state" else municipal
    return side_view or (indicator.shared and joint)


@pytest.mark.parametrize("role", ROLES)
def test_measurements_visible_per_side_and_shared(role, who, card):
    user = who(role)
    visible = set(
        Measurement.objects.visible_to(user)
        .filter(indicator__in=card.mine)
        .values_list("indicator", flat=True)
    )
    assert visible == {i.pk for i in card.mine if sees_value(role, i)}


@pytest.mark.parametrize("role", ROLES)
def test_measurements_changeable_only_by_their_side_never_through_sharing(role, who, card):
    user = who(role)
    *_views, state_change, municipal_change = HEIMDAL_ACCESS[role]
    changeable = set(
        Measurement.objects.visible_to(user, "change")
        .filter(indicator__in=card.mine)
        .values_list("indicator", flat=True)
    )
    assert changeable == {
        i.pk for i in card.mine if (state_change if i.side == "state" else municipal_change)
    }
    # The write path agrees: each indicator the role may not change is refused on its line.
    rows = [
        MeasurementRow(n, "heimdal", i.code, format_period(MONTH), "33")
        for n, i in enumerate(card.mine, 1)
    ]
    expected_refused = [n for n, i in enumerate(card.mine, 1) if i.pk not in changeable]
    if expected_refused:
        with pytest.raises(MeasurementErrors) as caught:
            record_measurements(user=user, rows=rows, source="form")
        assert [(e.line, e.field) for e in caught.value.errors] == [
            (n, "office") for n in expected_refused
        ]
        assert not Measurement.objects.filter(indicator__in=card.mine, value=Decimal(33)).exists()
    else:
        assert record_measurements(user=user, rows=rows, source="form").updated == 4


@pytest.mark.parametrize("role", ROLES)
def test_the_joint_summary_is_seen_by_the_offices_joint_viewers(role, who, card, heimdal, people):
    scorecard = submit(heimdal, people)
    user = who(role)
    _state, _municipal, joint = value_sides(role)
    lines = ScorecardLine.objects.visible_to(user).filter(scorecard=scorecard)
    if joint:
        statuses = dict(lines.filter(indicator__in=card.mine).values_list("indicator", "status"))
        assert statuses == card.expected
        assert lines.count() == scorecard.lines.count()
    else:
        assert not lines.exists()
    # Only the office's joint writers (the leader, either side's authority) may change it.
    writes_joint = role in ("leder.heimdal", "radmann.trondheim", "fylkesdirektor.trondelag")
    changeable = ScorecardLine.objects.visible_to(user, "change").filter(scorecard=scorecard)
    assert changeable.exists() == writes_joint


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("submitted", [False, True], ids=["draft", "submitted"])
def test_scorecards_for_before_and_after_submission(role, submitted, who, card, heimdal, people):
    if submitted:
        submit(heimdal, people)
    user = who(role)
    _state, _municipal, joint = value_sides(role)
    lines = {
        line.indicator.pk: line
        for line in scorecards_for(user, [heimdal], MONTH)[heimdal.pk].lines
        if line.indicator.pk in card.values
    }
    if not any(sees_value(role, i) for i in card.mine) and not joint:
        assert lines == {}
        return
    assert set(lines) == {i.pk for i in card.mine}
    for indicator in card.mine:
        line = lines[indicator.pk]
        if sees_value(role, indicator):
            assert line.value_visible, (role, indicator.code)
            assert line.value == card.values[indicator.pk]
            assert line.measurement == card.by_indicator[indicator.pk]
            assert line.target is not None
            assert line.status == card.expected[indicator.pk]
            assert line.trend and line.trend[-1] == (MONTH, card.values[indicator.pk])
        else:
            assert not line.value_visible, (role, indicator.code)
            assert line.value is None and line.measurement is None and line.target is None
            assert line.trend == [] and line.trend_targets == []
            # Before submission nothing but the name; after it, the summary's status.
            assert line.status == (card.expected[indicator.pk] if submitted else None)
        assert line.status_trend[-1] == (
            MONTH,
            card.expected[indicator.pk] if submitted else None,
        )


def test_a_card_never_carries_a_hidden_value(who, card, heimdal, people):
    """Nothing of the other side's value hides anywhere on the card (not in the trend, the
    measurement, the target)."""
    submit(heimdal, people)
    cards = scorecards_for(who("radmann.trondheim"), [heimdal], MONTH)
    line = next(li for li in cards[heimdal.pk].lines if li.indicator == card.state)
    assert (line.value, line.measurement, line.target, line.trend) == (None, None, None, [])
    assert line not in cards[heimdal.pk].missing_values
    assert cards[heimdal.pk].summary("state")["met"] >= 1


def test_a_delegated_read_is_audited(who, card, heimdal):
    reader = who("stat.heimdal")
    before = AuditEvent.objects.filter(action=AuditAction.DELEGATED_READ).count()
    scorecards_for(reader, [heimdal], MONTH)
    events = AuditEvent.objects.filter(action=AuditAction.DELEGATED_READ, actor=reader)
    assert events.count() == before + 1
    event = events.latest("at")
    assert (event.office_id, event.side) == (heimdal.pk, "municipal")
    assert str(card.by_indicator[card.municipal.pk].pk) in event.details["ids"]
    assert str(card.by_indicator[card.state.pk].pk) not in event.details["ids"]
    assert "delegation" in event.basis


@pytest.mark.parametrize("role", ["leder.heimdal", "kommune.heimdal", "radmann.trondheim"])
def test_reads_on_ones_own_authority_are_not_audited_as_delegated(role, who, card, heimdal):
    user = who(role)
    scorecards_for(user, [heimdal], MONTH)
    assert not AuditEvent.objects.filter(action=AuditAction.DELEGATED_READ, actor=user).exists()


@pytest.mark.parametrize("role", ROLES)
def test_indicators_and_targets_read_by_everyone_signed_in(role, who, card):
    user = who(role)
    signed_in = role not in ("anonymous", "inactive")
    ids = {i.pk for i in card.mine}
    assert (set(Indicator.objects.visible_to(user).values_list("pk", flat=True)) >= ids) == (
        signed_in
    )
    if not signed_in:
        assert not Indicator.objects.visible_to(user).exists()
        assert not Target.objects.visible_to(user).exists()
    else:
        assert Target.objects.visible_to(user).filter(indicator__in=card.mine).count() == 4


# --- Who sets definitions at which level (users/access/levels.py) -------------------------------


@pytest.fixture
def definitions(demo_data, offices):
    from offices.models import Municipality

    trondheim = Municipality.objects.valid_on(MONTH).get(number="5001")
    fauske = Municipality.objects.valid_on(MONTH).get(number="1841")
    trondelag, nordland = offices["heimdal"].county, offices["narvik"].county
    year = MONTH.year
    heimdal = offices["heimdal"]
    s, k = new_indicator(side="state"), new_indicator(side="municipal")
    return {
        "national state indicator": s,
        "national municipal indicator": k,
        "county 50 indicator": new_indicator(scope=Level.COUNTY, county=trondelag),
        "county 18 indicator": new_indicator(scope=Level.COUNTY, county=nordland),
        "5001 indicator": new_indicator(
            side="municipal", scope=Level.MUNICIPALITY, municipality=trondheim
        ),
        "1841 indicator": new_indicator(
            side="municipal", scope=Level.MUNICIPALITY, municipality=fauske
        ),
        "national target": new_target(s, 1, year=year),
        "county 50 target": new_target(s, 1, year=year, level=Level.COUNTY, county=trondelag),
        "county 18 target": new_target(s, 1, year=year, level=Level.COUNTY, county=nordland),
        "5001 target": new_target(
            k, 1, year=year, level=Level.MUNICIPALITY, municipality=trondheim
        ),
        "heimdal state target": new_target(s, 1, year=year, level=Level.OFFICE, office=heimdal),
        "heimdal municipal target": new_target(k, 1, year=year, level=Level.OFFICE, office=heimdal),
        "narvik state target": new_target(
            s, 1, year=year, level=Level.OFFICE, office=offices["narvik"]
        ),
    }


def _extra_user(name, side, role, **scope):
    factory = UserFactory if side == "state" else MunicipalUserFactory
    user = factory(username=name)
    RoleAssignment.objects.create(user=user, role=role, **scope)
    return user


SETS = {
    "direktorat.admin": {
        "national state indicator",
        "national municipal indicator",
        "national target",
    },
    "fylkesdirektor.trondelag": {"county 50 indicator", "county 50 target", "heimdal state target"},
    "fylkesdirektor.nordland": {"county 18 indicator", "county 18 target", "narvik state target"},
    "radmann.trondheim": {"5001 indicator", "5001 target", "heimdal municipal target"},
    "radmann.fauske": {"1841 indicator"},
    "leder.heimdal": set(),
    "stat.heimdal": set(),
    "kommune.heimdal": set(),
    "statistikk.klient": set(),
    "anonymous": set(),
    # An advisor of the county (state-employed) sets what the director sets; of the
    # municipality (municipal-employed) what the executive sets.
    "t-advisor-50": {"county 50 indicator", "county 50 target", "heimdal state target"},
    "t-advisor-5001": {"5001 indicator", "5001 target", "heimdal municipal target"},
    # Employed by the other side: nothing, whatever the role.
    "t-municipal-director-50": set(),
    "t-state-executive-5001": set(),
}


@pytest.mark.parametrize("role", list(SETS))
def test_change_rights_follow_the_levels_table(role, who, definitions, offices):
    from offices.models import Municipality

    trondheim = Municipality.objects.valid_on(MONTH).get(number="5001")
    county = offices["heimdal"].county
    extra = {
        "t-advisor-50": ("state", Role.COUNTY_ADVISOR, {"county": county}),
        "t-advisor-5001": ("municipal", Role.MUNICIPAL_ADVISOR, {"municipality": trondheim}),
        "t-municipal-director-50": ("municipal", Role.COUNTY_DIRECTOR, {"county": county}),
        "t-state-executive-5001": (
            "state",
            Role.MUNICIPAL_EXECUTIVE,
            {"municipality": trondheim},
        ),
    }
    if role in extra:
        side, kind, scope = extra[role]
        user = _extra_user(role, side, kind, **scope)
    else:
        user = who(role)
    changeable = set()
    for name, obj in definitions.items():
        model = type(obj)
        if model.objects.visible_to(user, "change").filter(pk=obj.pk).exists():
            changeable.add(name)
        assert model.objects.visible_to(user).filter(pk=obj.pk).exists() == (role != "anonymous")
    assert changeable == SETS[role]
