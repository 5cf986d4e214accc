"""Alerts and signals.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("ts_ns", sa.BigInteger, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("account", sa.String(100)),
        sa.Column("remote_addr", sa.String(64)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("signal_id", sa.String(32)),
        sa.Column("duplicate_of", sa.String(32)),
        sa.Column("ocr_confidence", sa.Float),
    )
    op.create_index("ix_alerts_ts_ns", "alerts", ["ts_ns"])
    op.create_index("ix_alerts_status", "alerts", ["status"])
    op.create_table(
        "signals",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("alert_id", sa.String(32), nullable=False),
        sa.Column("ts_ns", sa.BigInteger, nullable=False),
        sa.Column("ts_parsed_ns", sa.BigInteger, nullable=False),
        sa.Column("pair", sa.String(64), nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("entry", sa.Float),
        sa.Column("take_profit", sa.JSON, nullable=False),
        sa.Column("stop_loss", sa.Float),
        sa.Column("strategy", sa.String(200)),
        sa.Column("qty", sa.Float),
        sa.Column("symbol", sa.String(64)),
        sa.Column("exchange", sa.String(64)),
        sa.Column("contract", sa.String(32)),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("format", sa.String(64), nullable=False),
        sa.Column("raw_text", sa.Text, nullable=False),
        sa.Column("external_id", sa.String(200)),
        sa.Column("account", sa.String(100)),
        sa.Column("dedupe_key", sa.String(64), nullable=False),
    )
    op.create_index("ix_signals_ts_ns", "signals", ["ts_ns"])
    op.create_index("ix_signals_external_id", "signals", ["external_id"])
    op.create_index("ix_signals_pair_ts", "signals", ["pair", "ts_ns"])
    op.create_index("ix_signals_strategy_ts", "signals", ["strategy", "ts_ns"])
    op.create_index("ix_signals_dedupe_ts", "signals", ["dedupe_key", "ts_ns"])


def downgrade() -> None:
    op.drop_table("signals")
    op.drop_table("alerts")
