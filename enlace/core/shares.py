"""Shares of a whole, as the institute's reports print them."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

HUNDREDTH = Decimal("0.01")


def percentages(counts: list[int]) -> list[Decimal]:
    """Shares with two decimals that add up to exactly 100.00, as the seeds print them: each
    share is rounded down, and the hundredths left over go to the largest remainders."""
    total = sum(counts)
    if not total:
        return [Decimal("0.00") for _ in counts]
    exact = [Decimal(n) * 100 / Decimal(total) for n in counts]
    floors = [value.quantize(HUNDREDTH, rounding=ROUND_DOWN) for value in exact]
    missing = int((Decimal(100) - sum(floors)) / HUNDREDTH)
    order = sorted(
        range(len(counts)), key=lambda i: (exact[i] - floors[i], counts[i]), reverse=True
    )
    for index in order[:missing]:
        floors[index] += HUNDREDTH
    return floors
