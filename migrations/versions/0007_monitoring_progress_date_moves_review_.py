"""monitoring: progress, date moves, review points, judgements, tracker codes

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 11:10:36.261155

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('review_points',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('topic_group_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('held_at', sa.DateTime(), nullable=True),
    sa.Column('held_by_id', sa.Integer(), nullable=True),
    sa.Column('reminded_for_due', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_review_points_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['held_by_id'], ['users.id'], name=op.f('fk_review_points_held_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['topic_group_id'], ['topic_groups.id'], name=op.f('fk_review_points_topic_group_id_topic_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_points')),
    sa.UniqueConstraint('public_id', name=op.f('uq_review_points_public_id'))
    )
    with op.batch_alter_table('review_points', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_points_topic_group_id'), ['topic_group_id'], unique=False)

    op.create_table('recommendation_judgements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('review_point_id', sa.Integer(), nullable=True),
    sa.Column('value', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendations.id'], name=op.f('fk_recommendation_judgements_recommendation_id_recommendations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_recommendation_judgements_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['review_point_id'], ['review_points.id'], name=op.f('fk_recommendation_judgements_review_point_id_review_points'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recommendation_judgements'))
    )
    with op.batch_alter_table('recommendation_judgements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recommendation_judgements_recommendation_id'), ['recommendation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recommendation_judgements_review_point_id'), ['review_point_id'], unique=False)

    op.create_table('action_date_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('from_date', sa.Date(), nullable=True),
    sa.Column('to_date', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_by_name', sa.String(length=200), nullable=False),
    sa.Column('changed_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['response_actions.id'], name=op.f('fk_action_date_changes_action_id_response_actions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_action_date_changes_changed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_date_changes'))
    )
    with op.batch_alter_table('action_date_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_date_changes_action_id'), ['action_id'], unique=False)

    op.create_table('action_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('recorded_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['response_actions.id'], name=op.f('fk_action_progress_action_id_response_actions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_action_progress_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_progress'))
    )
    with op.batch_alter_table('action_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_progress_action_id'), ['action_id'], unique=False)

    with op.batch_alter_table('response_actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('progress_status', sa.String(length=16), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('progress_on', sa.Date(), nullable=True))

    with op.batch_alter_table('response_extensions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('granted_due', sa.Date(), nullable=True))

    with op.batch_alter_table('topic_group_status_changes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=False, server_default=''))

    with op.batch_alter_table('topic_groups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tracker_code', sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f('ix_topic_groups_tracker_code'), ['tracker_code'], unique=True)



def downgrade():
    with op.batch_alter_table('topic_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_topic_groups_tracker_code'))
        batch_op.drop_column('tracker_code')

    with op.batch_alter_table('topic_group_status_changes', schema=None) as batch_op:
        batch_op.drop_column('note')

    with op.batch_alter_table('response_extensions', schema=None) as batch_op:
        batch_op.drop_column('granted_due')

    with op.batch_alter_table('response_actions', schema=None) as batch_op:
        batch_op.drop_column('progress_on')
        batch_op.drop_column('progress_status')

    with op.batch_alter_table('action_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_progress_action_id'))

    op.drop_table('action_progress')
    with op.batch_alter_table('action_date_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_date_changes_action_id'))

    op.drop_table('action_date_changes')
    with op.batch_alter_table('recommendation_judgements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recommendation_judgements_review_point_id'))
        batch_op.drop_index(batch_op.f('ix_recommendation_judgements_recommendation_id'))

    op.drop_table('recommendation_judgements')
    with op.batch_alter_table('review_points', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_points_topic_group_id'))

    op.drop_table('review_points')
