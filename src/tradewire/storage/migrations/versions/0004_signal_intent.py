"""Signal intent: what each signal does to the position, its side, every entry level, the unit
of its quantity and where derived levels were measured from.

Existing signals were all read as the alert's direction: a CLOSE became intent ``close`` with
no side, every other direction intent ``open`` on its side (BUY and LONG long, SELL and SHORT
short). The new columns of existing rows are otherwise NULL (entry levels, quantity unit
``units`` where a quantity was stored).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("signals") as batch:
        batch.add_column(sa.Column("intent", sa.String(8), nullable=False, server_default="open"))
        batch.add_column(sa.Column("side", sa.String(8)))
        batch.add_column(sa.Column("entry_levels", sa.JSON))
        batch.add_column(sa.Column("qty_unit", sa.String(16)))
        batch.add_column(sa.Column("levels_from", sa.String(8)))
    op.execute("UPDATE signals SET intent = 'close' WHERE direction = 'CLOSE'")
    op.execute("UPDATE signals SET side = 'long' WHERE direction IN ('LONG', 'BUY')")
    op.execute("UPDATE signals SET side = 'short' WHERE direction IN ('SHORT', 'SELL')")
    op.execute("UPDATE signals SET qty_unit = 'units' WHERE qty IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("signals") as batch:
        for column in ("levels_from", "qty_unit", "entry_levels", "side", "intent"):
            batch.drop_column(column)
