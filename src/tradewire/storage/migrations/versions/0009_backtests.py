"""Backtests: every finished backtest, whole (the codec's JSON), with its headline figures.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "backtests",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("created_ns", sa.BigInteger, nullable=False),
        sa.Column("strategy", sa.String(100), nullable=False),
        sa.Column("symbols", sa.Text, nullable=False),
        sa.Column("start_ns", sa.BigInteger, nullable=False),
        sa.Column("end_ns", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(16), nullable=False),
        sa.Column("trades", sa.Integer, nullable=False),
        sa.Column("net_pnl", sa.String(60), nullable=False),
        sa.Column("return_pct", sa.Float, nullable=False),
        sa.Column("sharpe", sa.Float),
        sa.Column("max_drawdown_pct", sa.Float, nullable=False),
        sa.Column("result", sa.Text, nullable=False),
    )
    op.create_index("ix_backtests_created_ns", "backtests", ["created_ns"])


def downgrade() -> None:
    op.drop_index("ix_backtests_created_ns", table_name="backtests")
    op.drop_table("backtests")
