"""Users: name, role, Argon2 password hash, whether disabled, and each user's trading settings.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(255)),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_ns", sa.BigInteger, nullable=False),
        sa.Column("updated_ns", sa.BigInteger, nullable=False),
        sa.Column("paper_trade_enabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("real_trade_enabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("strategies", sa.JSON, nullable=False),
        sa.Column("symbols", sa.JSON, nullable=False),
        sa.Column("risk_percent", sa.String(40), nullable=False),
        sa.Column("max_notional_percent", sa.String(40), nullable=False),
        sa.Column("default_stop_percent", sa.String(40)),
        sa.Column("opposite_signal", sa.String(8), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("users")
