"""Answer states: a declined or unknown answer is stored as a word, never as "9" or "8".

Before this revision a decline was stored as "9" and "I don't know" as "8" on every kind of
question, so a household of 8 adults or 9 children could not be told from "Not sure" or
"Prefer not to answer". From now on ``intake_forms.DECLINE`` is "declined" and
``intake_forms.DONT_KNOW`` is "dont_know"; a count stores only its digits.

What the upgrade can tell apart, and what it cannot:

- Every question that is not a count (choices, pick-any lists, places, phone, email, names, dates,
  free text) never stored a number of its own as "8" or "9": there "9" was always a decline and
  "8" always "not sure", and they are rewritten exactly. A pick-any answer is rewritten part by
  part ("9" only ever appeared alone there, as the exclusive "Prefer not to answer").
- Counts ("adults", "children") cannot be told apart: a stored "9" is either a skipped question or
  a household of 9, and "8" either "not sure" or 8 people. Nothing else recorded at the time (the
  inbound texts are not kept, the call log holds no digits) says which. The upgrade keeps what
  every page already showed staff for these rows: "9" becomes a decline and "8" an unknown. A
  household that really had 8 or 9 adults or children loses that number (it reads as not given),
  which is safer than inventing a household size for the many skipped ones. Staff confirm the
  household at the full assessment in any case.
- Intakes already submitted keep their stored priority, except for one correction: where the
  children count became a decline or an unknown, the "children" reason (which the old reading
  gave to a skipped question) is removed and its weight taken off the score. The weight is read
  from ``PRIORITY_WEIGHTS`` in the environment when it sets "children", else the built-in 2. No
  other reason is added or removed.

The downgrade writes "9" and "8" back. It is lossy for the same reason in the other direction: a
count of 8 or 9 given after the upgrade reads as "not sure" / "prefer not" under the old contract.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 20:40:00.000000

"""
import json
import os

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0009'
branch_labels = None
depends_on = None

OLD_DECLINE, OLD_DONT_KNOW = "9", "8"
NEW_DECLINE, NEW_DONT_KNOW = "declined", "dont_know"
#: The pick-any questions of flow version 1: codes joined by commas.
MULTI_KEYS = ("help_needed",)
#: The built-in weight of the "children" priority reason (intake_forms.outcomes.DEFAULT_WEIGHTS).
CHILDREN_WEIGHT = 2

answers = sa.table(
    "answers",
    sa.column("id", sa.Integer),
    sa.column("intake_id", sa.Integer),
    sa.column("key", sa.String),
    sa.column("code", sa.String),
)
intakes = sa.table(
    "intakes",
    sa.column("id", sa.Integer),
    sa.column("priority", sa.Integer),
    sa.column("priority_reasons", sa.JSON),
)


def _rewrite(mapping: dict[str, str]) -> None:
    """Rewrite whole codes, and the parts of pick-any codes, by ``mapping``."""
    for old, new in mapping.items():
        op.execute(answers.update().where(answers.c.code == old).values(code=new))
    conn = op.get_bind()
    rows = conn.execute(sa.select(answers.c.id, answers.c.code).where(answers.c.key.in_(MULTI_KEYS))).all()
    for row_id, code in rows:
        if not code or "," not in code:
            continue
        parts = [mapping.get(part, part) for part in code.split(",")]
        if parts != code.split(","):
            conn.execute(answers.update().where(answers.c.id == row_id).values(code=",".join(parts)))


def _children_weight() -> int:
    try:
        weights = json.loads(os.environ.get("PRIORITY_WEIGHTS") or "{}")
    except ValueError:
        weights = {}
    value = weights.get("children") if isinstance(weights, dict) else None
    return value if isinstance(value, int) else CHILDREN_WEIGHT


def _drop_children_reason() -> None:
    """Take back the "children" reason that the old reading gave to a skipped children count."""
    conn = op.get_bind()
    weight = _children_weight()
    skipped = sa.select(answers.c.intake_id).where(
        answers.c.key == "children", answers.c.code.in_((NEW_DECLINE, NEW_DONT_KNOW))
    )
    rows = conn.execute(
        sa.select(intakes.c.id, intakes.c.priority, intakes.c.priority_reasons).where(intakes.c.id.in_(skipped))
    ).all()
    for intake_id, priority, reasons in rows:
        if isinstance(reasons, str):
            reasons = json.loads(reasons)
        if not reasons or "children" not in reasons:
            continue
        kept = [reason for reason in reasons if reason != "children"]
        conn.execute(
            intakes.update().where(intakes.c.id == intake_id)
            .values(priority=max(0, (priority or 0) - weight), priority_reasons=kept)
        )


def upgrade():
    _rewrite({OLD_DECLINE: NEW_DECLINE, OLD_DONT_KNOW: NEW_DONT_KNOW})
    _drop_children_reason()


def downgrade():
    _rewrite({NEW_DECLINE: OLD_DECLINE, NEW_DONT_KNOW: OLD_DONT_KNOW})
