-- Revisions and change history (revisions.md). A row that exists already has
-- been written at least once: revision 1. A history entry per changed field is
-- written in the transaction of its change; `old_value`/`new_value` are JSON
-- text, NULL for "not set". Ids come from settings_history_counter, whose row
-- every writer updates first: ids are then handed out in commit order (one
-- writer at a time), never reused, and a reader that saw id N has seen every
-- entry up to N.
ALTER TABLE global_settings ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
ALTER TABLE user_preferences ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
ALTER TABLE project_settings ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;

CREATE TABLE settings_history_counter (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    last_id INTEGER NOT NULL
);
INSERT INTO settings_history_counter (id, last_id) VALUES (1, 0);

CREATE TABLE settings_history (
    id              INTEGER PRIMARY KEY,
    at              TEXT NOT NULL,
    actor_user_id   TEXT NULL,
    actor_username  TEXT NULL,
    actor_tool      TEXT NULL,
    scope           TEXT NOT NULL CHECK (scope IN ('global', 'user', 'project')),
    github_user_id  TEXT NULL,
    project_id      TEXT NULL,
    field           TEXT NOT NULL,
    old_value       TEXT NULL,
    new_value       TEXT NULL,
    revision        INTEGER NOT NULL
);
CREATE INDEX idx_settings_history_owner ON settings_history (github_user_id, id);
CREATE INDEX idx_settings_history_at ON settings_history (at);
