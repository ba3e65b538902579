-- DELETE /api/v1/nodes/{name}: when the node was removed for good (ipam's node.removed). A node seen after
-- that (its agent still runs, or came back) is listed again.
alter table nodes add column removed_at timestamptz;
