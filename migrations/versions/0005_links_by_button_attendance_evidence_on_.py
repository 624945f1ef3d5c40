"""links by button, attendance, evidence on behalf, password resets

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 08:12:29.663085

"""
from alembic import op
import sqlalchemy as sa

# SQLite alters a table with a foreign key by copying it, which drops the
# triggers that keep the full-text index in step: re-create them after (the
# statements are 0002's, written out here so this migration stays as it was).
_SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE submission_search USING fts5("
    "title, summary, body, content='submissions', content_rowid='id', tokenize='porter unicode61')",
    "CREATE TRIGGER submission_search_insert AFTER INSERT ON submissions BEGIN "
    "INSERT INTO submission_search(rowid, title, summary, body) VALUES (new.id, new.title, new.summary, new.body); END",
    "CREATE TRIGGER submission_search_delete AFTER DELETE ON submissions BEGIN "
    "INSERT INTO submission_search(submission_search, rowid, title, summary, body) "
    "VALUES ('delete', old.id, old.title, old.summary, old.body); END",
    "CREATE TRIGGER submission_search_update AFTER UPDATE ON submissions BEGIN "
    "INSERT INTO submission_search(submission_search, rowid, title, summary, body) "
    "VALUES ('delete', old.id, old.title, old.summary, old.body); "
    "INSERT INTO submission_search(rowid, title, summary, body) VALUES (new.id, new.title, new.summary, new.body); END",
    "INSERT INTO submission_search(submission_search) VALUES ('rebuild')",
]
_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS submission_search_insert",
    "DROP TRIGGER IF EXISTS submission_search_delete",
    "DROP TRIGGER IF EXISTS submission_search_update",
    "DROP TABLE IF EXISTS submission_search",
]


def _around_submissions(alter) -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        for statement in _SQLITE_DROP:
            op.execute(statement)
    alter()
    if sqlite:
        for statement in _SQLITE_CREATE:
            op.execute(statement)


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('password_reset_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_reset_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_password_reset_tokens_token_hash'))
    )
    with op.batch_alter_table('password_reset_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_reset_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('session_member_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['evidence_sessions.id'], name=op.f('fk_session_member_attendance_session_id_evidence_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_session_member_attendance_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_member_attendance')),
    sa.UniqueConstraint('session_id', 'user_id', name=op.f('uq_session_member_attendance_session_id'))
    )
    with op.batch_alter_table('session_member_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_member_attendance_session_id'), ['session_id'], unique=False)

    with op.batch_alter_table('evidence_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('named_as', sa.String(length=120), nullable=False, server_default=''))

    with op.batch_alter_table('session_slots', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_session_slots_invitation_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_session_slots_session_id'), ['session_id', 'invitation_id'])

    def alter_submissions():
        with op.batch_alter_table('submissions', schema=None) as batch_op:
            batch_op.add_column(sa.Column('added_by_id', sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column('received_via', sa.String(length=20), nullable=False, server_default=''))
            batch_op.add_column(sa.Column('given_by', sa.String(length=200), nullable=False, server_default=''))
            batch_op.add_column(sa.Column('notice_confirmed_at', sa.DateTime(), nullable=True))
            batch_op.add_column(sa.Column('notice_sha256', sa.String(length=64), nullable=False, server_default=''))
            batch_op.create_foreign_key(batch_op.f('fk_submissions_added_by_id_users'), 'users', ['added_by_id'], ['id'], ondelete='SET NULL')

    _around_submissions(alter_submissions)


def downgrade():
    def alter_submissions():
        with op.batch_alter_table('submissions', schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f('fk_submissions_added_by_id_users'), type_='foreignkey')
            batch_op.drop_column('notice_sha256')
            batch_op.drop_column('notice_confirmed_at')
            batch_op.drop_column('given_by')
            batch_op.drop_column('received_via')
            batch_op.drop_column('added_by_id')

    _around_submissions(alter_submissions)

    with op.batch_alter_table('session_slots', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_session_slots_session_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_session_slots_invitation_id'), ['invitation_id'])

    with op.batch_alter_table('evidence_files', schema=None) as batch_op:
        batch_op.drop_column('named_as')

    with op.batch_alter_table('session_member_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_member_attendance_session_id'))

    op.drop_table('session_member_attendance')
    with op.batch_alter_table('password_reset_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_reset_tokens_user_id'))

    op.drop_table('password_reset_tokens')

