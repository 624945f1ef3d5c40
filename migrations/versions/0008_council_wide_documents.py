"""council-wide documents: a document may belong to no topic group

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 10:00:00.000000

A document of the whole council (the tracker of every group) has no topic
group. Versions of a group's document stay unique per (group, kind, subject)
through uq_documents_topic_group_id; NULLs are distinct there, so a partial
unique index does the same for the council-wide ones.

On SQLite, making the column nullable copies the table (batch mode): the
foreign keys of other tables to documents (response_requests.document_id)
name the table, not its copy, so they still hold after the rename.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

COUNCIL_WIDE = sa.text('topic_group_id IS NULL')


def upgrade():
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.alter_column('topic_group_id', existing_type=sa.Integer(), nullable=True)

    op.create_index('uq_documents_council_wide_version', 'documents', ['kind', 'subject', 'version'], unique=True,
                    sqlite_where=COUNCIL_WIDE, postgresql_where=COUNCIL_WIDE)


def downgrade():
    op.drop_index('uq_documents_council_wide_version', table_name='documents')
    # Council-wide documents cannot exist without a group: their records go
    # (their stored files stay until the storage is cleaned).
    op.execute(sa.text('UPDATE response_requests SET document_id = NULL WHERE document_id IN '
                       '(SELECT id FROM documents WHERE topic_group_id IS NULL)'))
    op.execute(sa.text('DELETE FROM documents WHERE topic_group_id IS NULL'))
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.alter_column('topic_group_id', existing_type=sa.Integer(), nullable=False)
