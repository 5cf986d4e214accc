"""The write probe: one row that /health replaces to see whether writes succeed again.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "write_probe",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("written_ns", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("write_probe")
