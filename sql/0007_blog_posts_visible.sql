-- The blog posts a read may see, as a view the content program reads
-- through: published posts, and the drafts of the organization the
-- request proved an active membership of.  The programs set
-- app.organization_id per transaction, from a membership looked up by the
-- same pipeline that reads (content.c), so a read that forgets to scope,
-- or scopes wrongly, still sees no other organization's drafts; one run
-- without the setting sees none at all.  security_barrier: a caller's
-- predicate that is not leakproof (strpos, lower, ...) runs only on rows
-- the view lets through, so its cost tells nothing about hidden rows.
-- The application's own scope stays in every statement; this is the
-- second line.
CREATE VIEW blog_posts_visible WITH (security_barrier) AS
SELECT * FROM blog_posts
WHERE status = 'published'
   OR organization_id = current_setting('app.organization_id', true);
