-- The two content collections and the organization-role rules of blog posts.

CREATE TABLE articles (
    id           bigserial PRIMARY KEY,
    document_id  text NOT NULL UNIQUE CHECK (document_id ~ '^[a-z][a-z0-9]{23}$'),
    title        text NOT NULL CHECK (char_length(title) <= 255),
    content      text,
    -- Strapi's UID pattern; unique across the collection.
    slug         text UNIQUE CHECK (slug ~ '^[A-Za-z0-9_.~-]*$' AND char_length(slug) <= 255),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz DEFAULT now()
);

CREATE TABLE blog_posts (
    id              bigserial PRIMARY KEY,
    document_id     text NOT NULL UNIQUE CHECK (document_id ~ '^[a-z][a-z0-9]{23}$'),
    title           text NOT NULL CHECK (char_length(title) <= 255),
    content         text,
    slug            text CHECK (slug ~ '^[A-Za-z0-9_.~-]*$' AND char_length(slug) <= 255),
    -- The WorkOS organization id, verbatim: every tenant row carries it.
    organization_id text NOT NULL REFERENCES organizations (id),
    status          text NOT NULL DEFAULT 'draft'
                    CHECK (status IN ('draft', 'published', 'archived')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    -- Null until first published; then the time it last became published.
    published_at    timestamptz,
    -- Slugs are unique within an organization, so one tenant's slugs
    -- reveal nothing about another's.
    UNIQUE (organization_id, slug)
);

CREATE INDEX blog_posts_org_idx ON blog_posts (organization_id, id);
CREATE INDEX blog_posts_published_idx ON blog_posts (id) WHERE status = 'published';

-- Which WorkOS organization roles may write blog posts of their own
-- organization.  Reading is open to every active member; a role slug with
-- no rows here may only read.
CREATE TABLE organization_role_permissions (
    role_slug text NOT NULL,
    action    text NOT NULL,
    PRIMARY KEY (role_slug, action)
);

INSERT INTO organization_role_permissions (role_slug, action)
SELECT r.slug, a.action
FROM (VALUES ('admin'), ('member')) AS r (slug)
CROSS JOIN (VALUES
    ('api::blog-post.blog-post.create'),
    ('api::blog-post.blog-post.update'),
    ('api::blog-post.blog-post.delete')
) AS a (action);
