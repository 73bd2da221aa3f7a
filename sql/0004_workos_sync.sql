-- WorkOS as the source of truth: events applied from signed webhooks and
-- from the Events API (bin/workos-sync), each exactly once (by event id)
-- and in order (by the object's updated_at at WorkOS).

-- One row per applied event: a replayed webhook or a re-read event finds
-- its id here and changes nothing.
CREATE TABLE workos_events (
    id         text PRIMARY KEY CHECK (id <> '' AND char_length(id) <= 255),
    event      text NOT NULL,
    -- When WorkOS made the event; /api/health's lag is measured from it.
    created_at timestamptz NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    source     text NOT NULL CHECK (source IN ('webhook', 'events_api'))
);

CREATE INDEX workos_events_created_idx ON workos_events (created_at);

-- The Events API position of bin/workos-sync: one row.  `cursor` is the id
-- of the last event read (the next read passes it as `after`); NULL with
-- `range_start` set means "start at that time" (after a reconciliation).
CREATE TABLE workos_sync_state (
    id           boolean PRIMARY KEY DEFAULT true CHECK (id),
    cursor       text,
    range_start  timestamptz,
    -- The last time a read reached the end of the Events API.
    caught_up_at timestamptz,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Version stamps: WorkOS's updated_at of the copy held here.  An event
-- about an older version changes nothing (events arrive out of order).
ALTER TABLE users
    ADD COLUMN workos_updated_at timestamptz,
    -- Set when WorkOS deleted the user: the account is unlinked
    -- (workos_user_id NULL) and refused until a sign-in links it again.
    ADD COLUMN workos_deleted_at timestamptz;

ALTER TABLE organizations
    ADD COLUMN workos_updated_at timestamptz,
    ADD COLUMN workos_deleted_at timestamptz;

-- `status` stays what authorization reads ('active' or not).  It is derived
-- from what WorkOS says of the membership (workos_status: active, inactive,
-- pending, or deleted for a removed one, kept so that a late older event
-- cannot bring it back) and of the person in the organization's directory
-- (directory_state: a deprovisioned person is inactive whatever the
-- membership says).
ALTER TABLE memberships
    ADD COLUMN workos_status text
        CHECK (workos_status IN ('active', 'inactive', 'pending', 'deleted')),
    ADD COLUMN workos_updated_at timestamptz,
    ADD COLUMN directory_state text
        CHECK (directory_state IN ('active', 'inactive', 'suspended', 'deleted')),
    ADD COLUMN directory_updated_at timestamptz;

-- Memberships so far came from sign-ins, where WorkOS vouched for them.
UPDATE memberships SET workos_status = 'active' WHERE status = 'active';
UPDATE memberships SET workos_status = 'inactive' WHERE status <> 'active';

CREATE INDEX sessions_user_org_idx ON sessions (user_id, organization_id)
    WHERE revoked_at IS NULL;
