"""SVG chart geometry, computed on the server: bars and columns as numbers the templates draw.

Small templates over plain SVG rather than a chart library: the pictures are bars and a map, the
strict Content Security Policy allows no script and no inline style, and the templates need only
presentation attributes (``fill``, ``x``, ``height``). A suppressed cell (fewer than 5) gets no bar
at all, so its size cannot be read off the picture.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

#: Sequential blues (ColorBrewer "Blues", 5 classes), lightest first; counties with none are white.
BLUES = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
NONE = "#ffffff"
BAR = "#1f5f8b"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | None  # None: fewer than 5, drawn as no bar
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Shape:
    """A county on a map: its outline, colour and hover text."""

    path: str
    fill: str
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: tuple[Bar, ...]
    gutter: int  # room for labels: left of horizontal bars, below columns


def horizontal(items: Sequence[tuple[str, int | None]], width: int = 640, row: int = 30) -> Chart:
    """Lay out one horizontal bar per item, the longest filling the width after the labels.

    The labels' room grows with the longest label (about 8 units a character at 15 px).
    """
    gutter = min(380, 8 * max([len(label) for label, _ in items] or [10]) + 16)
    most = max([v for _, v in items if v] or [1])
    span = width - gutter - 60
    bars = tuple(Bar(label, value, gutter, i * row + 4, (value or 0) / most * span, row - 8)
                 for i, (label, value) in enumerate(items))
    return Chart(width, max(len(items), 1) * row + 4, bars, gutter)


def columns(items: Sequence[tuple[str, int | None]], width: int = 720, height: int = 200,
            gutter: int = 24) -> Chart:
    """Lay out one column per item (days), bottom-aligned, the tallest filling the height."""
    most = max([v for _, v in items if v] or [1])
    step = width / max(len(items), 1)
    bars = tuple(Bar(label, value, i * step + step * 0.1, height - (value or 0) / most * (height - 10),
                     step * 0.8, (value or 0) / most * (height - 10))
                 for i, (label, value) in enumerate(items))
    return Chart(width, height + gutter, bars, gutter)


def classes(most: int) -> list[tuple[str, int, int]]:
    """Return the map's colour classes above "fewer than 5": (colour, lowest, highest) up to ``most``."""
    if most < 5:
        return []
    width = max(1, math.ceil((most - 4) / 4))
    found = []
    for i in range(1, 5):
        low = 5 + (i - 1) * width
        if low <= most:
            found.append((BLUES[i], low, min(most, low + width - 1)))
    return found


def shade(value: int | None, most: int) -> str:
    """Return the map colour of a county with ``value`` intakes (None: fewer than 5)."""
    if value == 0:
        return NONE
    if value is None:
        return BLUES[0]
    for colour, low, high in classes(most):
        if low <= value <= high:
            return colour
    return BLUES[-1]
