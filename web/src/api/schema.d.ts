// Generated from shared/spec/openapi.yaml by scripts/generate-api.mjs
// (npm run gen:api). Do not edit by hand.

export interface paths {
    "/api/v1/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness and schema version. Never touches a write lock. */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/github": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Start GitHub OAuth; 302 to the authorize URL with a single-use state bound to this browser (security.md). */
        get: operations["startGithubLogin"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/github/callback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * OAuth callback. Validates state (single use, short-lived, bound to the
         *     browser), exchanges the code for a token, reads the GitHub user,
         *     creates a session, sets the session cookie and redirects to FRONTEND_URL.
         */
        get: operations["finishGithubLogin"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/dev-login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Development login without GitHub. Exists only when the service was
         *     started with dev login enabled; otherwise 404. Creates a session for
         *     the given user and sets the cookie.
         */
        post: operations["devLogin"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The user of the current session. */
        get: operations["getMe"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Change the current session's selected project. */
        put: operations["selectProject"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Delete the session and clear the cookie. Without a valid session it
         *     still answers 200; the Content-Type rule (decisions 1) applies like on
         *     every POST.
         */
        post: operations["logout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/settings/user": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Effective settings of the current user (global ⊕ user). */
        get: operations["getUserSettings"];
        /** Partial update of the current user's overrides; returns the new effective settings. */
        put: operations["updateUserSettings"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/settings/global": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The global settings. */
        get: operations["getGlobalSettings"];
        /** Partial update of the global settings by an admin (security.md); returns them. */
        put: operations["updateGlobalSettings"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/settings/projects": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The project ids for which the current user has stored project settings, newest first. */
        get: operations["listProjectSettings"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/settings/project/{project_id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                project_id: string;
            };
            cookie?: never;
        };
        /** Effective settings for one project of the current user (global ⊕ user ⊕ project). */
        get: operations["getProjectSettings"];
        /** Partial update of the project layer; returns the new effective project settings. */
        put: operations["updateProjectSettings"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/settings/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Change history visible to the current user, newest first (revisions.md). */
        get: operations["getSettingsHistory"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/settings/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Server-sent events for every change the user can see (revisions.md). */
        get: operations["streamSettingsEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/github/projects": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The signed-in user's GitHub Projects (v2), through the stored token, cached 60 s (web.md). */
        get: operations["listGithubProjects"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness (operations.md); 200 only when storage is reachable and migrated and the process is not draining. */
        get: operations["getReady"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @enum {string} */
        AIProvider: "copilot" | "azure_openai";
        /** @enum {string} */
        ThemeMode: "dark" | "light";
        /** @enum {string} */
        DefaultView: "chat" | "board" | "settings";
        /** @enum {string} */
        Source: "global" | "user" | "project";
        AIPreferences: {
            provider: components["schemas"]["AIProvider"];
            model: string;
            temperature: number;
        };
        DisplayPreferences: {
            theme: components["schemas"]["ThemeMode"];
            default_view: components["schemas"]["DefaultView"];
            sidebar_collapsed: boolean;
        };
        WorkflowDefaults: {
            /** @description owner/repo */
            default_repository: string | null;
            default_assignee: string;
            copilot_polling_interval: number;
        };
        NotificationPreferences: {
            task_status_change: boolean;
            agent_completion: boolean;
            new_recommendation: boolean;
            chat_mention: boolean;
        };
        /**
         * @description Where each effective value came from, keyed by dotted field path
         *     ("ai.provider", "display.theme", "project.board_display_config", ...).
         *     One entry for every leaf field of the response.
         */
        Sources: {
            [key: string]: components["schemas"]["Source"];
        };
        EffectiveUserSettings: {
            ai: components["schemas"]["AIPreferences"];
            display: components["schemas"]["DisplayPreferences"];
            workflow: components["schemas"]["WorkflowDefaults"];
            notifications: components["schemas"]["NotificationPreferences"];
            sources: components["schemas"]["Sources"];
            revisions?: components["schemas"]["Revisions"];
        };
        /** @description Every leaf may be null (reset to the global value); a whole section may be null (decisions 7). */
        UserPreferencesUpdate: {
            ai?: {
                provider?: components["schemas"]["AIProvider"] | null;
                model?: string | null;
                temperature?: number | null;
            } | null;
            display?: {
                theme?: components["schemas"]["ThemeMode"] | null;
                default_view?: components["schemas"]["DefaultView"] | null;
                sidebar_collapsed?: boolean | null;
            } | null;
            workflow?: {
                default_repository?: string | null;
                default_assignee?: string | null;
                copilot_polling_interval?: number | null;
            } | null;
            notifications?: {
                task_status_change?: boolean | null;
                agent_completion?: boolean | null;
                new_recommendation?: boolean | null;
                chat_mention?: boolean | null;
            } | null;
        };
        GlobalSettings: {
            ai: components["schemas"]["AIPreferences"];
            display: components["schemas"]["DisplayPreferences"];
            workflow: components["schemas"]["WorkflowDefaults"];
            notifications: components["schemas"]["NotificationPreferences"];
            allowed_models: string[];
            revisions?: components["schemas"]["Revisions"];
        };
        /**
         * @description Same shape as UserPreferencesUpdate plus allowed_models, but no leaf
         *     may be null except workflow.default_repository (the global row is
         *     always complete).
         */
        GlobalSettingsUpdate: {
            ai?: {
                provider?: components["schemas"]["AIProvider"];
                model?: string;
                temperature?: number;
            };
            display?: {
                theme?: components["schemas"]["ThemeMode"];
                default_view?: components["schemas"]["DefaultView"];
                sidebar_collapsed?: boolean;
            };
            workflow?: {
                default_repository?: string | null;
                default_assignee?: string;
                copilot_polling_interval?: number;
            };
            notifications?: {
                task_status_change?: boolean;
                agent_completion?: boolean;
                new_recommendation?: boolean;
                chat_mention?: boolean;
            };
            allowed_models?: string[];
        };
        BoardDisplayConfig: {
            column_order?: string[];
            collapsed_columns?: string[];
            show_estimates?: boolean;
        };
        AgentMapping: {
            slug: string;
            display_name?: string | null;
        };
        AgentPipelineMappings: {
            [key: string]: components["schemas"]["AgentMapping"][];
        };
        EffectiveProjectSettings: {
            ai: components["schemas"]["AIPreferences"];
            display: components["schemas"]["DisplayPreferences"];
            workflow: components["schemas"]["WorkflowDefaults"];
            notifications: components["schemas"]["NotificationPreferences"];
            project: {
                project_id: string;
                board_display_config: components["schemas"]["BoardDisplayConfig"] | null;
                agent_pipeline_mappings: components["schemas"]["AgentPipelineMappings"] | null;
            };
            sources: components["schemas"]["Sources"];
            revisions?: components["schemas"]["Revisions"];
        };
        ProjectSettingsUpdate: {
            board_display_config?: components["schemas"]["BoardDisplayConfig"] | null;
            agent_pipeline_mappings?: components["schemas"]["AgentPipelineMappings"] | null;
        };
        User: {
            github_user_id: string;
            github_username: string;
            github_avatar_url: string | null;
            selected_project_id: string | null;
            /** @description security.md (second round) */
            is_admin?: boolean;
        };
        /** @description revisions.md — the revision of each layer of the response (0 = no row). */
        Revisions: {
            global?: number;
            user?: number;
            project?: number;
        };
        ErrorResponse: {
            /** @description one human-readable sentence */
            error: string;
            /** @description one entry per offending field (422), empty or absent otherwise */
            details?: {
                /** @description dotted path, e.g. ai.temperature */
                field: string;
                message: string;
                /**
                 * @description web.md second round — a stable machine code
                 * @enum {string}
                 */
                code?: "required" | "unknown_field" | "wrong_type" | "out_of_range" | "too_long" | "bad_format" | "not_allowed" | "duplicate" | "quota";
                min?: number;
                max?: number;
                allowed?: unknown[];
            }[];
            /** @description 412 only (revisions.md) — the current effective view of the resource */
            current?: {
                [key: string]: unknown;
            };
        };
    };
    responses: {
        /** @description revisions.md — the ETag still matches; no body. */
        NotModified: {
            headers: {
                ETag: components["headers"]["ETag"];
                [name: string]: unknown;
            };
            content?: never;
        };
        /** @description revisions.md — If-Match did not match; nothing written; the body carries `current`. */
        PreconditionFailed: {
            headers: {
                ETag: components["headers"]["ETag"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description A foreign Origin (decisions 3), or (PUT /settings/global) a user who is not an admin (security.md). */
        Forbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description No such endpoint (or dev login disabled). */
        NotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description The path exists; the method does not. */
        MethodNotAllowed: {
            headers: {
                Allow: components["headers"]["Allow"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description The body is over 65,536 bytes (decisions 2). */
        PayloadTooLarge: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description A PUT or POST without `Content-Type: application/json`, with or without a body (decisions 1). */
        UnsupportedMediaType: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description A rate limit or stream limit was passed (security.md, revisions.md); nothing written. */
        TooManyRequests: {
            headers: {
                "Retry-After": components["headers"]["RetryAfter"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description Storage is busy or unreachable (or GitHub login is not configured); nothing written. */
        ServiceUnavailable: {
            headers: {
                "Retry-After": components["headers"]["RetryAfter"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description No session cookie, or the session is unknown or expired. */
        Unauthorized: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description Body is valid JSON but breaks the schema; nothing was written. */
        Invalid: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description Body is not JSON, not an object, has duplicate keys or is nested too deep (decisions 1). */
        BadRequest: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
    };
    parameters: {
        /** @description revisions.md — the PUT proceeds only when this equals the current ETag (`*` always matches); otherwise 412. */
        IfMatch: string;
        /** @description revisions.md — 304 when this equals the current ETag. */
        IfNoneMatch: string;
    };
    requestBodies: never;
    headers: {
        /** @description Seconds after which a retry may succeed. */
        RetryAfter: number;
        /** @description revisions.md — strong ETag built from `revisions`, e.g. "g7-u3". */
        ETag: string;
        /** @description `session_id=…; HttpOnly; SameSite=Strict; Path=/; Max-Age=…` (Secure per COOKIE_SECURE); logout sends an expired one. */
        SetSessionCookie: string;
        /** @description The methods this path accepts. */
        Allow: string;
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "ok";
                        schema_version: number;
                        /** @description scale-out.md: sqlite, postgresql; unavailable, replaced, corrupt with 503 */
                        storage?: string;
                    };
                };
            };
            405: components["responses"]["MethodNotAllowed"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    startGithubLogin: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Redirect to GitHub */
            302: {
                headers: {
                    /** @description GITHUB_OAUTH_URL/login/oauth/authorize?client_id=…&state=… */
                    Location?: string;
                    /** @description the short-lived state cookie (security.md) */
                    "Set-Cookie"?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            405: components["responses"]["MethodNotAllowed"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    finishGithubLogin: {
        parameters: {
            query: {
                code: string;
                state: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Logged in; cookie set */
            302: {
                headers: {
                    /** @description FRONTEND_URL */
                    Location?: string;
                    "Set-Cookie": components["headers"]["SetSessionCookie"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description GitHub could not be reached */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    devLogin: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    username: string;
                    /** @description defaults to a stable id derived from username */
                    user_id?: string;
                    avatar_url?: string;
                };
            };
        };
        responses: {
            /** @description Logged in */
            200: {
                headers: {
                    "Set-Cookie": components["headers"]["SetSessionCookie"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Invalid"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getMe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            401: components["responses"]["Unauthorized"];
            405: components["responses"]["MethodNotAllowed"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    selectProject: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    selected_project_id: string | null;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            405: components["responses"]["MethodNotAllowed"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Invalid"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    logout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Logged out */
            200: {
                headers: {
                    "Set-Cookie": components["headers"]["SetSessionCookie"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            405: components["responses"]["MethodNotAllowed"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getUserSettings: {
        parameters: {
            query?: never;
            header?: {
                /** @description revisions.md — 304 when this equals the current ETag. */
                "If-None-Match"?: components["parameters"]["IfNoneMatch"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EffectiveUserSettings"];
                };
            };
            304: components["responses"]["NotModified"];
            401: components["responses"]["Unauthorized"];
            405: components["responses"]["MethodNotAllowed"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    updateUserSettings: {
        parameters: {
            query?: never;
            header?: {
                /** @description revisions.md — the PUT proceeds only when this equals the current ETag (`*` always matches); otherwise 412. */
                "If-Match"?: components["parameters"]["IfMatch"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UserPreferencesUpdate"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EffectiveUserSettings"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            405: components["responses"]["MethodNotAllowed"];
            412: components["responses"]["PreconditionFailed"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Invalid"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getGlobalSettings: {
        parameters: {
            query?: never;
            header?: {
                /** @description revisions.md — 304 when this equals the current ETag. */
                "If-None-Match"?: components["parameters"]["IfNoneMatch"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GlobalSettings"];
                };
            };
            304: components["responses"]["NotModified"];
            401: components["responses"]["Unauthorized"];
            405: components["responses"]["MethodNotAllowed"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    updateGlobalSettings: {
        parameters: {
            query?: never;
            header?: {
                /** @description revisions.md — the PUT proceeds only when this equals the current ETag (`*` always matches); otherwise 412. */
                "If-Match"?: components["parameters"]["IfMatch"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["GlobalSettingsUpdate"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GlobalSettings"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            405: components["responses"]["MethodNotAllowed"];
            412: components["responses"]["PreconditionFailed"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Invalid"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    listProjectSettings: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        projects: {
                            project_id: string;
                            updated_at: string;
                        }[];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            405: components["responses"]["MethodNotAllowed"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getProjectSettings: {
        parameters: {
            query?: never;
            header?: {
                /** @description revisions.md — 304 when this equals the current ETag. */
                "If-None-Match"?: components["parameters"]["IfNoneMatch"];
            };
            path: {
                project_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EffectiveProjectSettings"];
                };
            };
            304: components["responses"]["NotModified"];
            401: components["responses"]["Unauthorized"];
            405: components["responses"]["MethodNotAllowed"];
            422: components["responses"]["Invalid"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    updateProjectSettings: {
        parameters: {
            query?: never;
            header?: {
                /** @description revisions.md — the PUT proceeds only when this equals the current ETag (`*` always matches); otherwise 412. */
                "If-Match"?: components["parameters"]["IfMatch"];
            };
            path: {
                project_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ProjectSettingsUpdate"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EffectiveProjectSettings"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            405: components["responses"]["MethodNotAllowed"];
            412: components["responses"]["PreconditionFailed"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Invalid"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getSettingsHistory: {
        parameters: {
            query?: {
                scope?: "user" | "global" | "project";
                project_id?: string;
                limit?: number;
                before?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        next_before: number | null;
                        entries: {
                            id: number;
                            /** @description decisions 20 */
                            at: string;
                            /** @description {"github_user_id", "github_username"} or {"tool": "settingsctl"|"seed"} */
                            actor: Record<string, never>;
                            /** @enum {string} */
                            scope: "user" | "global" | "project";
                            project_id?: string;
                            /** @description decisions 5 path */
                            field: string;
                            /** @description JSON value or null */
                            old: unknown;
                            /** @description JSON value or null */
                            new: unknown;
                            revision: number;
                        }[];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            422: components["responses"]["Invalid"];
        };
    };
    streamSettingsEvents: {
        parameters: {
            query?: {
                last_event_id?: number;
            };
            header?: {
                "Last-Event-ID"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description text/event-stream: events `settings`, `reset`, `session-ended`; `: ping` every 15 s */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    listGithubProjects: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        projects: {
                            id: string;
                            title: string;
                            owner: string;
                            url: string;
                        }[];
                    };
                };
            };
            /** @description no session, or github_token_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    getReady: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description ready */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description not ready; the body names the reason */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
}
