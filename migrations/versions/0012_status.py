"""Status by reference code on the phone: the code as keyed on a keypad, and the keys a caller typed;
where a resumed intake was finished.

intakes.reference_keypad holds each reference code in keypad digits ("7KQ-2MD" -> "757263"), filled
here for the codes already given; voice_calls.status_keys holds a caller's keyed code until the
check is keyed in.

Revision ID: 0012
Revises: 0010
Create Date: 2026-11-29 21:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0010'
branch_labels = None
depends_on = None

_KEYS = {"2": "ABC", "3": "DEF", "4": "GHI", "5": "JKL", "6": "MNO", "7": "PQRS", "8": "TUV", "9": "WXYZ"}
_KEYPAD = {**{d: d for d in "0123456789"}, **{c: k for k, cs in _KEYS.items() for c in cs}}


def upgrade():
    with op.batch_alter_table('intakes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reference_keypad', sa.String(length=6), nullable=True))
        batch_op.create_index(batch_op.f('ix_intakes_reference_keypad'), ['reference_keypad'], unique=False)
        batch_op.add_column(sa.Column('finished_channel', sa.String(length=16), nullable=True))
    with op.batch_alter_table('voice_calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_keys', sa.String(length=6), nullable=True))

    bind = op.get_bind()
    intakes = sa.table('intakes', sa.column('id', sa.Integer), sa.column('reference_code', sa.String),
                       sa.column('reference_keypad', sa.String))
    rows = bind.execute(sa.select(intakes.c.id, intakes.c.reference_code)
                        .where(intakes.c.reference_code.is_not(None))).all()
    for row in rows:
        keys = "".join(_KEYPAD[ch] for ch in row.reference_code.upper() if ch in _KEYPAD)
        bind.execute(intakes.update().where(intakes.c.id == row.id).values(reference_keypad=keys))


def downgrade():
    with op.batch_alter_table('voice_calls', schema=None) as batch_op:
        batch_op.drop_column('status_keys')
    with op.batch_alter_table('intakes', schema=None) as batch_op:
        batch_op.drop_column('finished_channel')
        batch_op.drop_index(batch_op.f('ix_intakes_reference_keypad'))
        batch_op.drop_column('reference_keypad')
