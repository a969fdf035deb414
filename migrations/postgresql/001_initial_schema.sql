-- The four tables of data-model.md in PostgreSQL's own types. schema_version is
-- created by the engine. The project documents are `json`, not `jsonb`: the
-- object a client sent is the object stored, key order included.
-- Never edit this file once released: add a new numbered migration instead.

CREATE TABLE user_sessions (
    session_id          text PRIMARY KEY,
    github_user_id      text NOT NULL,
    github_username     text NOT NULL,
    github_avatar_url   text NULL,
    access_token        text NOT NULL,
    refresh_token       text NULL,
    token_expires_at    timestamptz NULL,
    selected_project_id text NULL,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);
CREATE INDEX idx_user_sessions_github_user_id ON user_sessions (github_user_id);
CREATE INDEX idx_user_sessions_updated_at ON user_sessions (updated_at);

CREATE TABLE user_preferences (
    github_user_id            text PRIMARY KEY,
    ai_provider               text NULL,
    ai_model                  text NULL,
    ai_temperature            double precision NULL,
    theme                     text NULL,
    default_view              text NULL,
    sidebar_collapsed         boolean NULL,
    default_repository        text NULL,
    default_assignee          text NULL,
    copilot_polling_interval  bigint NULL,
    notify_task_status_change boolean NULL,
    notify_agent_completion   boolean NULL,
    notify_new_recommendation boolean NULL,
    notify_chat_mention       boolean NULL,
    updated_at                timestamptz NOT NULL
);

CREATE TABLE project_settings (
    github_user_id          text NOT NULL,
    project_id              text NOT NULL,
    board_display_config    json NULL,
    agent_pipeline_mappings json NULL,
    updated_at              timestamptz NOT NULL,
    PRIMARY KEY (github_user_id, project_id)
);
CREATE INDEX idx_project_settings_github_user_id ON project_settings (github_user_id);

CREATE TABLE global_settings (
    id                        integer PRIMARY KEY CHECK (id = 1),
    ai_provider               text NOT NULL DEFAULT 'copilot',
    ai_model                  text NOT NULL DEFAULT 'gpt-4o',
    ai_temperature            double precision NOT NULL DEFAULT 0.7,
    theme                     text NOT NULL DEFAULT 'light',
    default_view              text NOT NULL DEFAULT 'chat',
    sidebar_collapsed         boolean NOT NULL DEFAULT false,
    default_repository        text NULL,
    default_assignee          text NOT NULL DEFAULT '',
    copilot_polling_interval  bigint NOT NULL DEFAULT 60,
    notify_task_status_change boolean NOT NULL DEFAULT true,
    notify_agent_completion   boolean NOT NULL DEFAULT true,
    notify_new_recommendation boolean NOT NULL DEFAULT true,
    notify_chat_mention       boolean NOT NULL DEFAULT true,
    allowed_models            jsonb NOT NULL DEFAULT '[]',
    updated_at                timestamptz NOT NULL
);
