-- The four tables of data-model.md. schema_version is created by the engine.
-- Never edit this file once released: add a new numbered migration instead.

CREATE TABLE user_sessions (
    session_id          TEXT PRIMARY KEY,
    github_user_id      TEXT NOT NULL,
    github_username     TEXT NOT NULL,
    github_avatar_url   TEXT NULL,
    access_token        TEXT NOT NULL,
    refresh_token       TEXT NULL,
    token_expires_at    TEXT NULL,
    selected_project_id TEXT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX idx_user_sessions_github_user_id ON user_sessions (github_user_id);
CREATE INDEX idx_user_sessions_updated_at ON user_sessions (updated_at);

CREATE TABLE user_preferences (
    github_user_id            TEXT PRIMARY KEY,
    ai_provider               TEXT NULL,
    ai_model                  TEXT NULL,
    ai_temperature            REAL NULL,
    theme                     TEXT NULL,
    default_view              TEXT NULL,
    sidebar_collapsed         INTEGER NULL,
    default_repository        TEXT NULL,
    default_assignee          TEXT NULL,
    copilot_polling_interval  INTEGER NULL,
    notify_task_status_change INTEGER NULL,
    notify_agent_completion   INTEGER NULL,
    notify_new_recommendation INTEGER NULL,
    notify_chat_mention       INTEGER NULL,
    updated_at                TEXT NOT NULL
);

CREATE TABLE project_settings (
    github_user_id          TEXT NOT NULL,
    project_id              TEXT NOT NULL,
    board_display_config    TEXT NULL,
    agent_pipeline_mappings TEXT NULL,
    updated_at              TEXT NOT NULL,
    PRIMARY KEY (github_user_id, project_id)
);
CREATE INDEX idx_project_settings_github_user_id ON project_settings (github_user_id);

CREATE TABLE global_settings (
    id                        INTEGER PRIMARY KEY CHECK (id = 1),
    ai_provider               TEXT NOT NULL DEFAULT 'copilot',
    ai_model                  TEXT NOT NULL DEFAULT 'gpt-4o',
    ai_temperature            REAL NOT NULL DEFAULT 0.7,
    theme                     TEXT NOT NULL DEFAULT 'light',
    default_view              TEXT NOT NULL DEFAULT 'chat',
    sidebar_collapsed         INTEGER NOT NULL DEFAULT 0,
    default_repository        TEXT NULL,
    default_assignee          TEXT NOT NULL DEFAULT '',
    copilot_polling_interval  INTEGER NOT NULL DEFAULT 60,
    notify_task_status_change INTEGER NOT NULL DEFAULT 1,
    notify_agent_completion   INTEGER NOT NULL DEFAULT 1,
    notify_new_recommendation INTEGER NOT NULL DEFAULT 1,
    notify_chat_mention       INTEGER NOT NULL DEFAULT 1,
    allowed_models            TEXT NOT NULL DEFAULT '[]',
    updated_at                TEXT NOT NULL
);
