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
-- the sum of the scopes it may see: '' for anyone, '' and <org> for a
-- member.  Each bump adds one and rows are never deleted, so the sum
-- only grows, and any write a reader could see changes it.
--
-- Writers of one scope queue on its row until they commit, as they do on
-- the counts of sql/0006 (rows are locked in key order: no deadlock
-- between two writers).  Drafts of different organizations do not share
-- a row; everything published does.

CREATE TABLE content_versions (
    collection text NOT NULL,
    scope      text NOT NULL,
    version    bigint NOT NULL,
    PRIMARY KEY (collection, scope)
);

-- Bump the scopes of collection coll in the rows of scopes (may hold
-- duplicates), in key order.
CREATE FUNCTION content_versions_bump(coll text, scopes text[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO content_versions AS v (collection, scope, version)
    SELECT coll, s, 1 FROM (SELECT DISTINCT s FROM unnest(scopes) AS u(s)) d
    ORDER BY s
    ON CONFLICT (collection, scope) DO UPDATE SET version = v.version + 1;
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
            SELECT CASE WHEN status = 'published' THEN '' ELSE coalesce(organization_id, '') END
            FROM blog_post_version_new));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM content_versions_bump('blog_posts', ARRAY(
            SELECT CASE WHEN status = 'published' THEN '' ELSE coalesce(organization_id, '') END
            FROM blog_post_version_old));
    ELSE
        PERFORM content_versions_bump('blog_posts', ARRAY(
            SELECT CASE WHEN status = 'published' THEN '' ELSE coalesce(organization_id, '') END
            FROM blog_post_version_new
            UNION ALL
            SELECT CASE WHEN status = 'published' THEN '' ELSE coalesce(organization_id, '') END
            FROM blog_post_version_old));
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

INSERT INTO content_versions (collection, scope, version)
VALUES ('articles', '', 1), ('blog_posts', '', 1);
