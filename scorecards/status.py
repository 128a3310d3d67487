"""An indicator's status for a month: met, close (inside the tolerance band), missed, missing.

The value is rounded to the indicator's decimals first (half up), so the status agrees with the
figure the card shows: 97.96 shown as "98,0" against a target of 98 is met, not missed.
"""

from decimal import ROUND_HALF_UP, Decimal

from scorecards.models import Direction, Status


def rounded(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def compute_status(
    value: Decimal | None,
    target: Decimal | None,
    *,
    tolerance: Decimal = Decimal(0),
    direction: str = Direction.HIGHER,
    decimals: int = 0,
) -> Status:
    """Met when the value reaches the target (inclusive), close when it is at most
    ``tolerance`` short of it (inclusive), else missed; missing without a value; no target
    without a target."""
    if value is None:
        return Status.MISSING
    if target is None:
        return Status.NO_TARGET
    shown = rounded(Decimal(value), decimals)
    shortfall = target - shown if direction == Direction.HIGHER else shown - target
    if shortfall <= 0:
        return Status.MET
    if shortfall <= (tolerance or Decimal(0)):
        return Status.CLOSE
    return Status.MISSED
