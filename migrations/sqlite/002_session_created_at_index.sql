-- The absolute session lifetime is measured from created_at; the periodic purge
-- finds sessions past it through this index instead of scanning the table.
-- Tokens need no column change: encrypted values are text in the same columns.
CREATE INDEX idx_user_sessions_created_at ON user_sessions (created_at);
