"""The language a household needs an interpreter in: a callback with an interpreter.

``interpreter_language`` holds a code (a registered language with no phone voice, one of the Kansas
languages listed in ``intake_forms.interpreter``, or "other"); ``interpreter_said_enc`` the words the
household typed or said for it, encrypted like every free-text answer. ``language`` stays a
registered code (the words the household was shown), so exports and reports are unchanged.

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-30 04:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('intakes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('interpreter_language', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('interpreter_said_enc', sa.LargeBinary(), nullable=True))


def downgrade():
    with op.batch_alter_table('intakes', schema=None) as batch_op:
        batch_op.drop_column('interpreter_said_enc')
        batch_op.drop_column('interpreter_language')
