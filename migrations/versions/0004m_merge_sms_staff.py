"""Join the sms (0002) and staff (0004) branches of the schema; nothing to change.

Revision ID: 0004m
Revises: 0002, 0004
Create Date: 2026-11-20 22:57:55.243715

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004m'
down_revision = ('0002', '0004')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
