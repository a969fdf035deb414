-- Revisions and change history (revisions.md). A row that exists already has
-- been written at least once: revision 1. A history entry per changed field is
-- written in the transaction of its change; `old_value`/`new_value` are JSON
-- text (text, not jsonb: the bytes stay as written, the same on both engines),
-- NULL for "not set". Ids come from settings_history_counter, whose row every
-- writer updates first: it stays locked until that writer commits, so ids are
-- handed out in commit order across hosts, and a reader that saw id N has seen
-- every entry up to N (a sequence would not promise that).
ALTER TABLE global_settings ADD COLUMN revision bigint NOT NULL DEFAULT 1;
ALTER TABLE user_preferences ADD COLUMN revision bigint NOT NULL DEFAULT 1;
ALTER TABLE project_settings ADD COLUMN revision bigint NOT NULL DEFAULT 1;

CREATE TABLE settings_history_counter (
    id      integer PRIMARY KEY CHECK (id = 1),
    last_id bigint NOT NULL
);
INSERT INTO settings_history_counter (id, last_id) VALUES (1, 0);

CREATE TABLE settings_history (
    id              bigint PRIMARY KEY,
    at              timestamptz NOT NULL,
    actor_user_id   text NULL,
    actor_username  text NULL,
    actor_tool      text NULL,
    scope           text NOT NULL CHECK (scope IN ('global', 'user', 'project')),
    github_user_id  text NULL,
    project_id      text NULL,
    field           text NOT NULL,
    old_value       text NULL,
    new_value       text NULL,
    revision        bigint NOT NULL
);
CREATE INDEX idx_settings_history_owner ON settings_history (github_user_id, id);
CREATE INDEX idx_settings_history_at ON settings_history (at);
