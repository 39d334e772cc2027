"""One-time submission keys: an outreach contact or an assisted intake sent twice is kept once.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-29 23:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outreach_contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission_key', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_outreach_contacts_submission_key'), ['submission_key'], unique=True)
    with op.batch_alter_table('intakes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('start_key', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_intakes_start_key'), ['start_key'], unique=True)


def downgrade():
    with op.batch_alter_table('intakes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intakes_start_key'))
        batch_op.drop_column('start_key')
    with op.batch_alter_table('outreach_contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outreach_contacts_submission_key'))
        batch_op.drop_column('submission_key')
