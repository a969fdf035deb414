-- The absolute session lifetime is measured from created_at; the periodic purge
-- finds sessions past it through this index instead of scanning the table.
CREATE INDEX idx_user_sessions_created_at ON user_sessions (created_at);
