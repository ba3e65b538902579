-- Docker refuses a second container with a name in use (409 "Conflict. The container name ... is already in
-- use"). A removed sandbox's row is deleted, so every row is live and a plain unique index says it for all
-- replicas at once.
create unique index sandboxes_name_key on sandboxes (name);

-- Fewer index writes per allocation: endpoints_address_key (network_id, address) serves lookups by network,
-- and the relay deletes published outbox rows, so the primary key orders what is left.
drop index endpoints_network;
drop index outbox_unpublished;
delete from outbox where published_at is not null;
