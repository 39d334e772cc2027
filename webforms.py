"""What the staff and admin forms share (Flask-WTF); channels never import each other, so it lives here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

try:  # WTForms 3.3 deprecates (value, label) tuples in favour of SelectChoice.
    from wtforms import SelectChoice
except ImportError:  # pragma: no cover - WTForms before 3.3
    SelectChoice = None


def choices(items: Iterable[tuple[Any, Any]]) -> list[Any]:
    """Return select choices in the form this WTForms version prefers."""
    if SelectChoice is None:
        return list(items)
    return [SelectChoice(value, label) for value, label in items]
