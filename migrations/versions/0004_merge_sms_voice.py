"""Join the SMS (0002) and voice (0003) branches, both made on top of 0001.

Revision ID: 0004
Revises: 0002, 0003
Create Date: 2026-11-20

No schema change. If 0003 is re-pointed at 0002 instead, delete this file.
"""

revision = '0004'
down_revision = ('0002', '0003')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
