"""Users' exit settings: take-profit weights, break-even after the first take-profit, a trailing
stop, and what a ``reduce`` signal without a size takes off.

Users stored before keep trading as they did: no weights (equal shares), no break-even, no
trailing stop, and a reduce takes off 50 %.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "users",
        sa.Column("take_profit_weights", sa.JSON, nullable=False, server_default=sa.text("'[]'")),
    )
    op.add_column(
        "users",
        sa.Column(
            "break_even_after_first_take_profit",
            sa.Boolean,
            nullable=False,
            server_default=sa.false(),
        ),
    )
    op.add_column("users", sa.Column("trailing_stop_distance", sa.String(40)))
    op.add_column("users", sa.Column("trailing_stop_unit", sa.String(8)))
    op.add_column(
        "users",
        sa.Column("reduce_percent", sa.String(40), nullable=False, server_default="50"),
    )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        for column in (
            "reduce_percent",
            "trailing_stop_unit",
            "trailing_stop_distance",
            "break_even_after_first_take_profit",
            "take_profit_weights",
        ):
            batch.drop_column(column)
