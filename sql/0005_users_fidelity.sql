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

-- The username a new user gets: base if free, else the first free of
-- base1, base2, ... (each cut to fit 255 characters), in at most ~80
-- probes of users_username_key whatever the number of users sharing the
-- base: a galloping search (1, 2, 4, ...) for a free suffix, then a
-- binary search back to a taken N-1 next to a free N.  Every code path
-- that creates users (sign-in, WorkOS sync, an operator's SQL) should
-- take its username from here; the unique index stays the arbiter when
-- two of them race, and the loser chooses again.
CREATE FUNCTION users_free_username(base text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
    WITH RECURSIVE up (n, free) AS (
        SELECT 1::bigint, NOT EXISTS (SELECT 1 FROM users
            WHERE username = left(base, 254) || '1')
      UNION ALL
        SELECT u.n * 2, NOT EXISTS (SELECT 1 FROM users
            WHERE username = left(base, 255 - length((u.n * 2)::text)) || (u.n * 2))
        FROM up u WHERE NOT u.free AND u.n < 1099511627776
    ), bs (lo, hi) AS (
        SELECT n / 2, n FROM up WHERE free
      UNION ALL
        SELECT CASE WHEN m.taken THEN m.mid ELSE b.lo END,
               CASE WHEN m.taken THEN b.hi ELSE m.mid END
        FROM bs b CROSS JOIN LATERAL (SELECT (b.lo + b.hi) / 2 AS mid,
            EXISTS (SELECT 1 FROM users WHERE username =
                left(base, 255 - length(((b.lo + b.hi) / 2)::text)) || ((b.lo + b.hi) / 2)) AS taken) m
        WHERE b.hi - b.lo > 1
    )
    SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM users WHERE username = base) THEN base
        ELSE (SELECT left(base, 255 - length(min(hi)::text)) || min(hi) FROM bs) END
$fn$;
