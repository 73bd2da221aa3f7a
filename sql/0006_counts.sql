-- Row counts kept in step with the content tables, so the total of an
-- unfiltered page (meta.pagination.total) is a lookup of a few rows, not a
-- count(*) over the collection: at a million posts a count reads them all
-- on every page.
--
-- The counts change in the same transaction as the rows they count, so any
-- snapshot sees the two agree: the total stays exact, as Strapi's is.
-- Statement-level triggers with transition tables: a bulk load or a bulk
-- delete touches each count once, and the counts are locked in key order
-- (no deadlock between two writers).  The price is that writers of one
-- organization's posts (and all writers of articles) queue on one count
-- row until they commit; the suite's writes are single statements, so
-- they hold it for well under a millisecond.

CREATE TABLE blog_post_counts (
    organization_id text NOT NULL,
    status          text NOT NULL,
    n               bigint NOT NULL,
    PRIMARY KEY (organization_id, status)
);

CREATE TABLE article_counts (
    -- One row: articles have no scope.
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    n   bigint NOT NULL
);

-- Add the deltas d (organization_id, status, k) to the counts, in key
-- order; a row that kept its organization and status nets to zero and
-- touches nothing.
CREATE FUNCTION blog_post_counts_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM blog_post_counts;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO blog_post_counts AS c (organization_id, status, n)
        SELECT organization_id, status, count(*) FROM blog_post_new
        GROUP BY organization_id, status ORDER BY organization_id, status
        ON CONFLICT (organization_id, status) DO UPDATE SET n = c.n + excluded.n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO blog_post_counts AS c (organization_id, status, n)
        SELECT organization_id, status, -count(*) FROM blog_post_old
        GROUP BY organization_id, status ORDER BY organization_id, status
        ON CONFLICT (organization_id, status) DO UPDATE SET n = c.n + excluded.n;
    ELSE
        INSERT INTO blog_post_counts AS c (organization_id, status, n)
        SELECT organization_id, status, k FROM (
            SELECT organization_id, status, sum(k) AS k FROM (
                SELECT organization_id, status, 1 AS k FROM blog_post_new
                UNION ALL
                SELECT organization_id, status, -1 FROM blog_post_old
            ) d GROUP BY organization_id, status
        ) g
        WHERE k <> 0
        ORDER BY organization_id, status
        ON CONFLICT (organization_id, status) DO UPDATE SET n = c.n + excluded.n;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER blog_post_counts_insert AFTER INSERT ON blog_posts
    REFERENCING NEW TABLE AS blog_post_new
    FOR EACH STATEMENT EXECUTE FUNCTION blog_post_counts_apply();
CREATE TRIGGER blog_post_counts_update AFTER UPDATE ON blog_posts
    REFERENCING OLD TABLE AS blog_post_old NEW TABLE AS blog_post_new
    FOR EACH STATEMENT EXECUTE FUNCTION blog_post_counts_apply();
CREATE TRIGGER blog_post_counts_delete AFTER DELETE ON blog_posts
    REFERENCING OLD TABLE AS blog_post_old
    FOR EACH STATEMENT EXECUTE FUNCTION blog_post_counts_apply();
CREATE TRIGGER blog_post_counts_truncate AFTER TRUNCATE ON blog_posts
    FOR EACH STATEMENT EXECUTE FUNCTION blog_post_counts_apply();

CREATE FUNCTION article_counts_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    k bigint;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        UPDATE article_counts SET n = 0;
        RETURN NULL;
    ELSIF TG_OP = 'INSERT' THEN
        SELECT count(*) INTO k FROM article_new;
    ELSE
        SELECT -count(*) INTO k FROM article_old;
    END IF;
    IF k <> 0 THEN
        UPDATE article_counts SET n = n + k;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER article_counts_insert AFTER INSERT ON articles
    REFERENCING NEW TABLE AS article_new
    FOR EACH STATEMENT EXECUTE FUNCTION article_counts_apply();
CREATE TRIGGER article_counts_delete AFTER DELETE ON articles
    REFERENCING OLD TABLE AS article_old
    FOR EACH STATEMENT EXECUTE FUNCTION article_counts_apply();
CREATE TRIGGER article_counts_truncate AFTER TRUNCATE ON articles
    FOR EACH STATEMENT EXECUTE FUNCTION article_counts_apply();

-- The rows already there, counted once the triggers hold the tables'
-- locks (CREATE TRIGGER takes them until this migration commits), so no
-- write slips between the count and the first delta.
INSERT INTO blog_post_counts (organization_id, status, n)
SELECT organization_id, status, count(*) FROM blog_posts GROUP BY organization_id, status;
INSERT INTO article_counts (n) SELECT count(*) FROM articles;
