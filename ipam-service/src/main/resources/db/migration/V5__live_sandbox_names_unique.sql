-- Docker refuses a second container with a name in use (409 "Conflict. The container name ... is already in
-- use"). A removed sandbox's row is deleted, so every row is live and a plain unique index says it for all
-- replicas at once.
create unique index sandboxes_name_key on sandboxes (name);
