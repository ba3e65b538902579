-- node.joined says what the agent can build (bridge, overlay, nftables, dns). Null for agents before it.
alter table nodes add column capabilities jsonb;
