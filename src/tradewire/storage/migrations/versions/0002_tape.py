"""Trade tape and scraper config.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tape_trades",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("market_id", sa.String(32), nullable=False),
        sa.Column("ts_ns", sa.BigInteger, nullable=False),
        sa.Column("symbol", sa.String(32), nullable=False),
        sa.Column("account", sa.String(100), nullable=False),
        sa.Column("timestamp", sa.String(64), nullable=False),
        sa.Column("price", sa.Float, nullable=False),
        sa.Column("size", sa.Float, nullable=False),
        sa.Column("accumulated_volume", sa.Float),
        sa.Column("tick_direction", sa.String(32)),
        sa.Column("is_highlighted", sa.Boolean, nullable=False),
        sa.Column("captured_at", sa.String(64)),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("received_ns", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_tape_trades_ts", "tape_trades", ["ts_ns"])
    op.create_index("ix_tape_trades_account_ts", "tape_trades", ["account", "ts_ns"])
    op.create_index("ix_tape_trades_symbol_ts", "tape_trades", ["symbol", "ts_ns"])
    op.create_table(
        "scraper_config",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("config", sa.JSON, nullable=False),
        sa.Column("updated_ns", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("scraper_config")
    op.drop_table("tape_trades")
