-- The blog posts a read may see, as a view the content program reads
-- through: published posts, and the drafts of the organization the
-- request proved an active membership of.  The programs set
-- app.organization_id per transaction, from a membership looked up by the
-- same pipeline that reads (content.c), so a read that forgets to scope,
-- or scopes wrongly, still sees no other organization's drafts; one run
-- without the setting sees none at all.  The application's own scope
-- stays in every statement; this is the second line.
--
-- Not security_barrier: that would make Postgres plan the view apart from
-- the page's ORDER BY and LIMIT, sorting every visible row for each page
-- instead of reading an index in order.  What security_barrier would add,
-- keeping a caller's filter off the rows the view hides, the statements
-- do themselves: a caller's filter sits outside a subquery over this view
-- that the planner cannot flatten (OFFSET 0), and the tests check the plans.
CREATE VIEW blog_posts_visible AS
SELECT * FROM blog_posts
WHERE status = 'published'
   OR organization_id = current_setting('app.organization_id', true);
