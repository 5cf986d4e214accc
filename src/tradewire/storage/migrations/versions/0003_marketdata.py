"""Market data: snapshot cache and watchlist.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "marketdata_cache",
        sa.Column("key", sa.String(32), primary_key=True),
        sa.Column("value", sa.LargeBinary, nullable=False),
        sa.Column("stored_ns", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "watchlist",
        sa.Column("ticker", sa.String(16), primary_key=True),
        sa.Column("protected", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("added_ns", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("watchlist")
    op.drop_table("marketdata_cache")
