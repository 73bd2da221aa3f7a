-- Versions of what content reads may see, kept in step with the content
-- tables, so a content process may keep an answer it built and serve it
-- again while the version it was built at is still the current one
-- (lib/pcache.h): each read then costs Postgres a lookup of one or two
-- rows instead of the page's statement, and still sees every committed
-- write, since the version is read in the request's own pipeline.
--
-- A collection's rows are split by who may read them: scope '' holds what
-- every reader may see (articles; published blog posts), scope <org> the
-- drafts of that organization, which only its members see.  A write bumps
-- the scope of every row it touched, before and after the change (a post
-- being published bumps its organization and ''), in the same transaction
-- as the rows, so any snapshot sees the two agree.  A reader's version is
-- the pair of the scopes it may see: '' for anyone, '' and <org> for a
-- member.
--
-- A version is the time of the write in microseconds since the epoch, or
-- one more than the scope's last version when that is later, so a scope's
-- versions only grow and one never comes back: not after a restore from a
-- backup or a failover to a standby that lost commits (the content
-- processes may still hold answers built before either), nor when rows of
-- this table are deleted and made again (unless the clock goes back).
-- Without the '' row of a collection nothing is kept.
--
-- Writes that skip triggers must bump what they change themselves:
--     UPDATE content_versions SET version = version + 1;
-- (a load with triggers disabled, an ALTER TABLE ... DISABLE TRIGGER).
-- The triggers fire ALWAYS, so they also fire where changes are applied
-- under session_replication_role = replica (a logical replica).
--
-- Writers of one scope queue on its row until they commit, as they do on
-- the counts of sql/0006: writers of drafts on their organization's row,
-- writers of anything published (and of articles) on the collection's ''
-- row.  A statement locks its rows in key order, so two single-statement
-- writers never deadlock; two transactions of several statements that
-- write published posts and drafts in opposite orders can, and Postgres
-- then ends one of them (deadlock_timeout), as it can on the counts.

CREATE TABLE content_versions (
    collection text NOT NULL,
    scope      text NOT NULL,
    version    bigint NOT NULL,
    PRIMARY KEY (collection, scope)
);

-- A new version: now, in microseconds since the epoch.
CREATE FUNCTION content_versions_now() RETURNS bigint
LANGUAGE sql VOLATILE AS $$
    SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint;
$$;

-- Bump the scopes of collection coll named in scopes (each once, however
-- often named), in key order.  The triggers pass each scope once: a bulk
-- write of a million rows makes an array of a hundred scopes, not of a
-- million.
CREATE FUNCTION content_versions_bump(coll text, scopes text[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO content_versions AS v (collection, scope, version)
    SELECT coll, s, content_versions_now()
    FROM (SELECT DISTINCT s FROM unnest(scopes) AS u(s)) d
    ORDER BY s
    ON CONFLICT (collection, scope)
    DO UPDATE SET version = greatest(v.version + 1, excluded.version);
$$;

-- The scope a blog post is read under: '' when published, else its
-- organization's.  (A SQL function of one expression: Postgres inlines it.)
CREATE FUNCTION blog_post_version_scope(status text, organization_id text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN status = 'published' THEN '' ELSE coalesce(organization_id, '') END;
$$;

CREATE FUNCTION blog_post_versions_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        -- Every scope: the rows are gone without a transition table.
        PERFORM content_versions_bump('blog_posts',
            ARRAY(SELECT scope FROM content_versions WHERE collection = 'blog_posts') || ''::text);
    ELSIF TG_OP = 'INSERT' THEN
        PERFORM content_versions_bump('blog_posts', ARRAY(
            SELECT DISTINCT blog_post_version_scope(status, organization_id)
            FROM blog_post_version_new));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM content_versions_bump('blog_posts', ARRAY(
            SELECT DISTINCT blog_post_version_scope(status, organization_id)
            FROM blog_post_version_old));
    ELSE
        PERFORM content_versions_bump('blog_posts', ARRAY(
            SELECT blog_post_version_scope(status, organization_id) FROM blog_post_version_new
            UNION
            SELECT blog_post_version_scope(status, organization_id) FROM blog_post_version_old));
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER blog_post_versions_insert AFTER INSERT ON blog_posts
    REFERENCING NEW TABLE AS blog_post_version_new
    FOR EACH STATEMENT EXECUTE FUNCTION blog_post_versions_apply();
CREATE TRIGGER blog_post_versions_update AFTER UPDATE ON blog_posts
    REFERENCING OLD TABLE AS blog_post_version_old NEW TABLE AS blog_post_version_new
    FOR EACH STATEMENT EXECUTE FUNCTION blog_post_versions_apply();
CREATE TRIGGER blog_post_versions_delete AFTER DELETE ON blog_posts
    REFERENCING OLD TABLE AS blog_post_version_old
    FOR EACH STATEMENT EXECUTE FUNCTION blog_post_versions_apply();
CREATE TRIGGER blog_post_versions_truncate AFTER TRUNCATE ON blog_posts
    FOR EACH STATEMENT EXECUTE FUNCTION blog_post_versions_apply();

-- Articles have one scope.  A statement that touched no row bumps nothing.
CREATE FUNCTION article_versions_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    touched boolean := true;
BEGIN
    -- Each branch names only the transition table its trigger has.
    IF TG_OP = 'INSERT' THEN
        touched := EXISTS (SELECT 1 FROM article_version_new);
    ELSIF TG_OP <> 'TRUNCATE' THEN
        touched := EXISTS (SELECT 1 FROM article_version_old);
    END IF;
    IF touched THEN
        PERFORM content_versions_bump('articles', ARRAY['']);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER article_versions_insert AFTER INSERT ON articles
    REFERENCING NEW TABLE AS article_version_new
    FOR EACH STATEMENT EXECUTE FUNCTION article_versions_apply();
CREATE TRIGGER article_versions_update AFTER UPDATE ON articles
    REFERENCING OLD TABLE AS article_version_old NEW TABLE AS article_version_new
    FOR EACH STATEMENT EXECUTE FUNCTION article_versions_apply();
CREATE TRIGGER article_versions_delete AFTER DELETE ON articles
    REFERENCING OLD TABLE AS article_version_old
    FOR EACH STATEMENT EXECUTE FUNCTION article_versions_apply();
CREATE TRIGGER article_versions_truncate AFTER TRUNCATE ON articles
    FOR EACH STATEMENT EXECUTE FUNCTION article_versions_apply();

ALTER TABLE blog_posts ENABLE ALWAYS TRIGGER blog_post_versions_insert,
    ENABLE ALWAYS TRIGGER blog_post_versions_update,
    ENABLE ALWAYS TRIGGER blog_post_versions_delete,
    ENABLE ALWAYS TRIGGER blog_post_versions_truncate;
ALTER TABLE articles ENABLE ALWAYS TRIGGER article_versions_insert,
    ENABLE ALWAYS TRIGGER article_versions_update,
    ENABLE ALWAYS TRIGGER article_versions_delete,
    ENABLE ALWAYS TRIGGER article_versions_truncate;

INSERT INTO content_versions (collection, scope, version)
VALUES ('articles', '', content_versions_now()), ('blog_posts', '', content_versions_now());
