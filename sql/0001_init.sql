-- The users-permissions model (roles, permissions, users) and the WorkOS
-- side of identity (organizations, memberships).  Operators manage users
-- and permissions with SQL: the names below are part of the contract.

CREATE TABLE roles (
    id          bigserial PRIMARY KEY,
    type        text NOT NULL UNIQUE,
    name        text NOT NULL,
    description text NOT NULL DEFAULT ''
);

INSERT INTO roles (type, name, description) VALUES
    ('public', 'Public', 'Default role given to unauthenticated users.'),
    ('authenticated', 'Authenticated', 'Default role given to authenticated users.');

-- A row grants one Strapi action id to one role.
CREATE TABLE permissions (
    id         bigserial PRIMARY KEY,
    role_id    bigint NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    action     text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (role_id, action)
);

INSERT INTO permissions (role_id, action)
SELECT r.id, a.action
FROM roles r
JOIN (VALUES
    ('public', 'api::article.article.find'),
    ('public', 'api::article.article.findOne'),
    ('public', 'api::blog-post.blog-post.find'),
    ('public', 'api::blog-post.blog-post.findOne'),
    ('authenticated', 'plugin::users-permissions.user.me'),
    ('authenticated', 'api::article.article.find'),
    ('authenticated', 'api::article.article.findOne'),
    ('authenticated', 'api::article.article.create'),
    ('authenticated', 'api::article.article.update'),
    ('authenticated', 'api::article.article.delete'),
    ('authenticated', 'api::blog-post.blog-post.find'),
    ('authenticated', 'api::blog-post.blog-post.findOne'),
    ('authenticated', 'api::blog-post.blog-post.create'),
    ('authenticated', 'api::blog-post.blog-post.update'),
    ('authenticated', 'api::blog-post.blog-post.delete')
) AS a (role_type, action) ON a.role_type = r.type;

CREATE TABLE users (
    id             bigserial PRIMARY KEY,
    -- Strapi's documentId: 24 of [a-z0-9], starting with a letter.
    document_id    text NOT NULL UNIQUE CHECK (document_id ~ '^[a-z][a-z0-9]{23}$'),
    username       text NOT NULL CHECK (length(username) BETWEEN 1 AND 255),
    email          text NOT NULL UNIQUE CHECK (email = lower(email) AND email <> ''),
    provider       text NOT NULL DEFAULT 'workos',
    workos_user_id text UNIQUE,
    first_name     text,
    last_name      text,
    confirmed      boolean NOT NULL DEFAULT false,
    blocked        boolean NOT NULL DEFAULT false,
    role_id        bigint NOT NULL REFERENCES roles (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- The WorkOS organization id (org_...), verbatim.
CREATE TABLE organizations (
    id         text PRIMARY KEY CHECK (id <> ''),
    name       text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE memberships (
    id                   bigserial PRIMARY KEY,
    user_id              bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id      text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    role_slug            text NOT NULL,
    status               text NOT NULL DEFAULT 'active',
    workos_membership_id text UNIQUE,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, organization_id)
);

CREATE INDEX memberships_organization_idx ON memberships (organization_id);
