"""compute_status: direction, tolerance (inclusive), rounding half up to the shown decimals,
missing values and missing targets (issue 10, "Status computation … including edge values")."""

from decimal import Decimal

import pytest

from scorecards.models import Direction, Status
from scorecards.status import compute_status, rounded

D = Decimal
HIGHER, LOWER = Direction.HIGHER, Direction.LOWER


@pytest.mark.parametrize(
    ("value", "target", "tolerance", "direction", "decimals", "expected"),
    [
        # Higher is better: at the target met, at target − tolerance close, one step beyond missed.
        ("80", "80", "5", HIGHER, 0, Status.MET),
        ("81", "80", "5", HIGHER, 0, Status.MET),
        ("79", "80", "5", HIGHER, 0, Status.CLOSE),
        ("75", "80", "5", HIGHER, 0, Status.CLOSE),
        ("74", "80", "5", HIGHER, 0, Status.MISSED),
        ("74.9", "80", "5", HIGHER, 1, Status.MISSED),
        ("75.0", "80", "5", HIGHER, 1, Status.CLOSE),
        ("0", "80", "5", HIGHER, 0, Status.MISSED),
        # Lower is better: the mirror image.
        ("20", "20", "2", LOWER, 0, Status.MET),
        ("19", "20", "2", LOWER, 0, Status.MET),
        ("21", "20", "2", LOWER, 0, Status.CLOSE),
        ("22", "20", "2", LOWER, 0, Status.CLOSE),
        ("23", "20", "2", LOWER, 0, Status.MISSED),
        ("22.1", "20", "2", LOWER, 1, Status.MISSED),
        ("22.0", "20", "2", LOWER, 1, Status.CLOSE),
        # Tolerance 0: at the target met, anything short missed, never close.
        ("98", "98", "0", HIGHER, 0, Status.MET),
        ("97.9", "98", "0", HIGHER, 1, Status.MISSED),
        ("98.1", "98", "0", LOWER, 1, Status.MISSED),
        ("97.9", "98", "0", LOWER, 1, Status.MET),
    ],
)
def test_direction_and_tolerance_edges(value, target, tolerance, direction, decimals, expected):
    status = compute_status(
        D(value), D(target), tolerance=D(tolerance), direction=direction, decimals=decimals
    )
    assert status == expected


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        # Rounded half up to the shown decimals before comparing with the target 98.
        ("97.95", 1, Status.MET),  # shown 98.0
        ("97.9499", 1, Status.MISSED),  # shown 97.9
        ("97.94", 1, Status.MISSED),
        ("97.5", 0, Status.MET),  # shown 98
        ("97.4999", 0, Status.MISSED),  # shown 97
        ("97.995", 2, Status.MET),  # shown 98.00
        ("97.9949", 2, Status.MISSED),
        ("97.95", 2, Status.MISSED),  # shown 97.95: two decimals keep it short
    ],
)
def test_value_rounded_half_up_to_the_indicators_decimals(value, decimals, expected):
    assert compute_status(D(value), D(98), decimals=decimals) == expected


def test_rounding_for_lower_is_better_and_into_the_tolerance_band():
    # 20.05 shown as 20.1 against a target of 20 (lower): close with a tolerance of 0.1 …
    assert compute_status(D("20.05"), D(20), tolerance=D("0.1"), direction=LOWER, decimals=1) == (
        Status.CLOSE
    )
    # … 20.04 shown as 20.0: met.
    assert compute_status(D("20.04"), D(20), tolerance=D("0.1"), direction=LOWER, decimals=1) == (
        Status.MET
    )
    # Exactly target − tolerance after rounding: close; one shown step beyond: missed.
    assert compute_status(D("94.95"), D(98), tolerance=D(3), decimals=1) == Status.CLOSE
    assert compute_status(D("94.94"), D(98), tolerance=D(3), decimals=1) == Status.MISSED


def test_missing_value_and_missing_target():
    assert compute_status(None, D(80)) == Status.MISSING
    assert compute_status(None, None) == Status.MISSING
    assert compute_status(D(80), None) == Status.NO_TARGET
    assert compute_status(D(0), None, direction=LOWER) == Status.NO_TARGET


def test_zero_value_is_a_value_not_missing():
    assert compute_status(D(0), D(0), direction=LOWER) == Status.MET
    assert compute_status(D(0), D(5)) == Status.MISSED


@pytest.mark.parametrize(
    ("value", "target", "tolerance", "expected"),
    [
        # NOK against budget, lower is better: an underspend (negative) beats a target of 0.
        ("-50000", "0", "10000", Status.MET),
        ("0", "0", "10000", Status.MET),
        ("10000", "0", "10000", Status.CLOSE),
        ("10001", "0", "10000", Status.MISSED),
        # A negative target.
        ("-20000", "-20000", "5000", Status.MET),
        ("-15000", "-20000", "5000", Status.CLOSE),
        ("-14999", "-20000", "5000", Status.MISSED),
        ("-25000", "-20000", "5000", Status.MET),
    ],
)
def test_negative_values_nok(value, target, tolerance, expected):
    status = compute_status(D(value), D(target), tolerance=D(tolerance), direction=LOWER)
    assert status == expected


def test_negative_values_higher_is_better():
    assert compute_status(D("-10"), D("-10"), tolerance=D(1)) == Status.MET
    assert compute_status(D("-11"), D("-10"), tolerance=D(1)) == Status.CLOSE
    assert compute_status(D("-12"), D("-10"), tolerance=D(1)) == Status.MISSED


def test_negative_half_rounds_away_from_zero():
    # Half up (away from zero) for negatives too: -0.5 shown as -1.
    assert rounded(D("-0.5"), 0) == D(-1)
    assert rounded(D("-0.49"), 0) == D(0)
    assert compute_status(D("-0.5"), D(-1), direction=LOWER) == Status.MET
    assert compute_status(D("-0.49"), D(-1), direction=LOWER) == Status.MISSED


def test_integers_and_strings_of_tolerance_none():
    # A target without a tolerance (None) counts as 0.
    assert compute_status(D(79), D(80), tolerance=None) == Status.MISSED
    assert compute_status(79, D(79)) == Status.MET


def test_status_has_a_label_for_every_value():
    # Shown with a word, never colour alone: every status has its label.
    assert {s.value for s in Status} == {"met", "close", "missed", "missing", "no_target"}
    assert all(str(s.label) for s in Status)
