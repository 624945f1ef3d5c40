"""publication: publications, events, clearances, redactions, followers

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 12:19:12.777979

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('followers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('topic_group_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('confirm_token_hash', sa.String(length=64), nullable=True),
    sa.Column('unsubscribe_token_hash', sa.String(length=64), nullable=False),
    sa.Column('asked_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['topic_group_id'], ['topic_groups.id'], name=op.f('fk_followers_topic_group_id_topic_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followers')),
    sa.UniqueConstraint('confirm_token_hash', name=op.f('uq_followers_confirm_token_hash')),
    sa.UniqueConstraint('topic_group_id', 'email', name=op.f('uq_followers_topic_group_id')),
    sa.UniqueConstraint('unsubscribe_token_hash', name=op.f('uq_followers_unsubscribe_token_hash'))
    )
    with op.batch_alter_table('followers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followers_topic_group_id'), ['topic_group_id'], unique=False)

    op.create_table('publication_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('topic_group_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('happened_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['topic_group_id'], ['topic_groups.id'], name=op.f('fk_publication_events_topic_group_id_topic_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publication_events')),
    sa.UniqueConstraint('public_id', name=op.f('uq_publication_events_public_id'))
    )
    with op.batch_alter_table('publication_events', schema=None) as batch_op:
        batch_op.create_index('ix_publication_events_group_time', ['topic_group_id', 'happened_at'], unique=False)

    op.create_table('publications',
    sa.Column('topic_group_id', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('responses_published_at', sa.DateTime(), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawal_reason', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_publications_published_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['topic_group_id'], ['topic_groups.id'], name=op.f('fk_publications_topic_group_id_topic_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['users.id'], name=op.f('fk_publications_withdrawn_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('topic_group_id', name=op.f('pk_publications'))
    )
    op.create_table('clearances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('topic_group_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.Column('evidence_file_id', sa.Integer(), nullable=True),
    sa.Column('decision', sa.String(length=12), nullable=False),
    sa.Column('public_text', sa.Text(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('replacement_storage_key', sa.String(length=200), nullable=True),
    sa.Column('replacement_name', sa.String(length=200), nullable=False),
    sa.Column('replacement_content_type', sa.String(length=120), nullable=False),
    sa.Column('replacement_size', sa.BigInteger(), nullable=True),
    sa.Column('replacement_sha256', sa.String(length=64), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_clearances_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['evidence_file_id'], ['evidence_files.id'], name=op.f('fk_clearances_evidence_file_id_evidence_files'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_clearances_submission_id_submissions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_group_id'], ['topic_groups.id'], name=op.f('fk_clearances_topic_group_id_topic_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clearances')),
    sa.UniqueConstraint('evidence_file_id', name=op.f('uq_clearances_evidence_file_id')),
    sa.UniqueConstraint('submission_id', name=op.f('uq_clearances_submission_id'))
    )
    with op.batch_alter_table('clearances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clearances_topic_group_id'), ['topic_group_id'], unique=False)

    op.create_table('redactions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clearance_id', sa.Integer(), nullable=False),
    sa.Column('passage', sa.Text(), nullable=False),
    sa.Column('ground', sa.String(length=12), nullable=False),
    sa.Column('public_interest_note', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['clearance_id'], ['clearances.id'], name=op.f('fk_redactions_clearance_id_clearances'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_redactions_decided_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_redactions'))
    )
    with op.batch_alter_table('redactions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_redactions_clearance_id'), ['clearance_id'], unique=False)

    with op.batch_alter_table('emails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('follower_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_emails_follower_id'), ['follower_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_emails_follower_id_followers'), 'followers', ['follower_id'], ['id'], ondelete='CASCADE')



def downgrade():
    with op.batch_alter_table('emails', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_emails_follower_id_followers'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_emails_follower_id'))
        batch_op.drop_column('follower_id')

    with op.batch_alter_table('redactions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_redactions_clearance_id'))

    op.drop_table('redactions')
    with op.batch_alter_table('clearances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clearances_topic_group_id'))

    op.drop_table('clearances')
    op.drop_table('publications')
    with op.batch_alter_table('publication_events', schema=None) as batch_op:
        batch_op.drop_index('ix_publication_events_group_time')

    op.drop_table('publication_events')
    with op.batch_alter_table('followers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_followers_topic_group_id'))

    op.drop_table('followers')
