-- One row per sign-in.  The public id is the suite JWT's `sid` claim; every
-- authenticated request checks the row, so revoking it (logout, reuse of a
-- rotated-away refresh secret, WorkOS saying so) takes effect at once.
CREATE TABLE sessions (
    -- 24 of [a-z0-9] from the CSPRNG, like a documentId.
    id                  text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9]{23}$'),
    user_id             bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The organization the session's tokens name; NULL for none.
    organization_id     text REFERENCES organizations (id) ON DELETE SET NULL,
    -- `sid` of the WorkOS access token, for logout and WorkOS-side revocation.
    workos_session_id   text,
    -- The WorkOS refresh token, AES-256-GCM under a key derived from
    -- WORKOS_COOKIE_PASSWORD, bound to this row's id: never stored in clear.
    workos_refresh      text,
    -- When the WorkOS access token behind the session expires: past it, a
    -- refresh here also refreshes at WorkOS.
    workos_access_exp   timestamptz,
    -- SHA-256 of the current refresh secret; the secret itself is never kept.
    refresh_hash        bytea NOT NULL,
    -- The secret it replaced, accepted until prev_until (the rotation grace
    -- period); after that, presenting it ends the session (reuse detection).
    prev_refresh_hash   bytea,
    prev_until          timestamptz,
    -- 'api' (refresh token in the body) or 'browser' (the wos_session cookie).
    mode                text NOT NULL CHECK (mode IN ('api', 'browser')),
    created_at          timestamptz NOT NULL DEFAULT now(),
    last_used_at        timestamptz NOT NULL DEFAULT now(),
    idle_expires_at     timestamptz NOT NULL,
    expires_at          timestamptz NOT NULL,
    revoked_at          timestamptz,
    revoked_reason      text,
    ip                  text,
    user_agent          text CHECK (char_length(user_agent) <= 512)
);

CREATE INDEX sessions_user_idx ON sessions (user_id) WHERE revoked_at IS NULL;
CREATE INDEX sessions_workos_idx ON sessions (workos_session_id)
    WHERE workos_session_id IS NOT NULL;
