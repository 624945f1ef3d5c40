"""response requests, links, answers, actions, extensions

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 09:42:23.300660

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('response_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('topic_group_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('to_name', sa.String(length=200), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('portal_epoch', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_by_name', sa.String(length=200), nullable=False),
    sa.Column('submitted_by_email', sa.String(length=254), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('original_storage_key', sa.String(length=200), nullable=True),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('original_content_type', sa.String(length=120), nullable=False),
    sa.Column('original_size', sa.BigInteger(), nullable=True),
    sa.Column('original_sha256', sa.String(length=64), nullable=False),
    sa.Column('inadequate_reason', sa.Text(), nullable=False),
    sa.Column('inadequate_at', sa.DateTime(), nullable=True),
    sa.Column('inadequate_by_id', sa.Integer(), nullable=True),
    sa.Column('reminded_for_due', sa.Date(), nullable=True),
    sa.Column('overdue_notice_for_due', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_response_requests_document_id_documents'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_response_requests_entered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['inadequate_by_id'], ['users.id'], name=op.f('fk_response_requests_inadequate_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_response_requests_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sent_by_id'], ['users.id'], name=op.f('fk_response_requests_sent_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['topic_group_id'], ['topic_groups.id'], name=op.f('fk_response_requests_topic_group_id_topic_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response_requests')),
    sa.UniqueConstraint('public_id', name=op.f('uq_response_requests_public_id')),
    sa.UniqueConstraint('topic_group_id', 'organisation_id', 'round', name=op.f('uq_response_requests_topic_group_id'))
    )
    with op.batch_alter_table('response_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_response_requests_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_response_requests_topic_group_id'), ['topic_group_id'], unique=False)

    op.create_table('recommendation_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=24), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('cabinet_member', sa.String(length=200), nullable=False),
    sa.Column('lead_officer', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendations.id'], name=op.f('fk_recommendation_responses_recommendation_id_recommendations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['response_requests.id'], name=op.f('fk_recommendation_responses_request_id_response_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recommendation_responses')),
    sa.UniqueConstraint('request_id', 'recommendation_id', name=op.f('uq_recommendation_responses_request_id'))
    )
    with op.batch_alter_table('recommendation_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recommendation_responses_recommendation_id'), ['recommendation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recommendation_responses_request_id'), ['request_id'], unique=False)

    op.create_table('response_extensions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('asked_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('asked_by_name', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('due_before', sa.Date(), nullable=True),
    sa.Column('proposed_due', sa.Date(), nullable=False),
    sa.Column('decision', sa.String(length=12), nullable=False),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_response_extensions_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['response_requests.id'], name=op.f('fk_response_extensions_request_id_response_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response_extensions'))
    )
    with op.batch_alter_table('response_extensions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_response_extensions_request_id'), ['request_id'], unique=False)

    op.create_table('response_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['response_requests.id'], name=op.f('fk_response_tokens_request_id_response_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_response_tokens_token_hash'))
    )
    with op.batch_alter_table('response_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_response_tokens_request_id'), ['request_id'], unique=False)

    op.create_table('response_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('owner_role', sa.String(length=200), nullable=False),
    sa.Column('owner_name', sa.String(length=200), nullable=False),
    sa.Column('target_date', sa.Date(), nullable=True),
    sa.Column('original_target_date', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['response_id'], ['recommendation_responses.id'], name=op.f('fk_response_actions_response_id_recommendation_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response_actions')),
    sa.UniqueConstraint('public_id', name=op.f('uq_response_actions_public_id'))
    )
    with op.batch_alter_table('response_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_response_actions_response_id'), ['response_id'], unique=False)

    # A response link e-mail names its request, whose link is minted at send time.
    with op.batch_alter_table('emails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('response_request_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_emails_response_request_id'), ['response_request_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_emails_response_request_id_response_requests'), 'response_requests', ['response_request_id'], ['id'], ondelete='CASCADE')


def downgrade():
    with op.batch_alter_table('emails', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_emails_response_request_id_response_requests'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_emails_response_request_id'))
        batch_op.drop_column('response_request_id')

    with op.batch_alter_table('response_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_response_actions_response_id'))

    op.drop_table('response_actions')
    with op.batch_alter_table('response_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_response_tokens_request_id'))

    op.drop_table('response_tokens')
    with op.batch_alter_table('response_extensions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_response_extensions_request_id'))

    op.drop_table('response_extensions')
    with op.batch_alter_table('recommendation_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recommendation_responses_request_id'))
        batch_op.drop_index(batch_op.f('ix_recommendation_responses_recommendation_id'))

    op.drop_table('recommendation_responses')
    with op.batch_alter_table('response_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_response_requests_topic_group_id'))
        batch_op.drop_index(batch_op.f('ix_response_requests_organisation_id'))

    op.drop_table('response_requests')
