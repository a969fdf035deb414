-- Who may change the global settings (security.md). A row makes its user an
-- admin; ADMIN_USERS adds admins on top without being stored. The login is the
-- one last seen at sign-in, for people reading `settingsctl admins list`.
CREATE TABLE admin_users (
    github_user_id  TEXT PRIMARY KEY,
    github_username TEXT NULL,
    created_at      TEXT NOT NULL
);
