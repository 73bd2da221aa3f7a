-- Usernames are unique, as in Strapi's users-permissions (its user schema
-- marks username unique): before this, two WorkOS users named alike (or
-- joe@example.com and joe@example.org) both became "joe".
--
-- Existing duplicates are renamed first, the oldest account keeping its
-- name and each later one getting the first free <name>1, <name>2, ...
-- (cut to fit 255 characters), as a new sign-in would.
CREATE INDEX users_username_dedup_idx ON users (username);

DO $$
DECLARE
    dup record;
    n bigint;
    candidate text;
BEGIN
    FOR dup IN
        SELECT u.id, u.username FROM users u
        WHERE EXISTS (SELECT 1 FROM users o WHERE o.username = u.username AND o.id < u.id)
        ORDER BY u.id
    LOOP
        n := 1;
        LOOP
            candidate := left(dup.username, 255 - length(n::text)) || n;
            EXIT WHEN NOT EXISTS (SELECT 1 FROM users WHERE username = candidate);
            n := n + 1;
        END LOOP;
        UPDATE users SET username = candidate, updated_at = now() WHERE id = dup.id;
    END LOOP;
END
$$;

DROP INDEX users_username_dedup_idx;
CREATE UNIQUE INDEX users_username_key ON users (username);
