"""An index on the events' kind and time (issue 14): the early-warning page counted overdue and late-renewal events
by reading every event ever written (EXPLAIN on PostgreSQL), as the full reconciliation does for returns. Plain
CREATE INDEX: the append-only triggers stay.

Revision ID: 0021_event_action_index
Revises: 0020_ledger_totals
Create Date: 2026-11-30 00:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0021_event_action_index'
down_revision = '0020_ledger_totals'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_application_events_action_at', 'application_events', ['action', 'at'], unique=False)


def downgrade():
    op.drop_index('ix_application_events_action_at', table_name='application_events')
