-- Sandboxes and their endpoints, projected from ipam's changes (sandbox.scheduled/removed,
-- endpoint.allocated/released) and the agents' status. Status lives in its own tables because it can
-- arrive before the change it reports on (different topics).

-- No unique name constraint, as for networks: a replay may see a name's new sandbox before its old
-- one's removal.
create table sandboxes (
    id           varchar(64) primary key,
    name         text        not null,
    node         text        not null,
    mode         text        not null,
    netns        text,
    hostname     text,
    container_of text,
    dns          jsonb       not null,
    created      timestamptz not null,
    removed      timestamptz
);
create index sandboxes_live_name on sandboxes (name) where removed is null;

-- ports: the published ports with the host ports ipam allocated (on a sandbox's first endpoint)
create table endpoints (
    id         varchar(64) primary key,
    sandbox_id varchar(64) not null,
    network_id varchar(64) not null,
    node       text        not null,
    ifname     text,
    addresses  jsonb       not null,
    mac        text,
    ports      jsonb       not null,
    aliases    jsonb       not null,
    created    timestamptz not null,
    released   timestamptz
);
create index endpoints_live_sandbox on endpoints (sandbox_id) where released is null;
create index endpoints_live_network on endpoints (network_id) where released is null;

-- what the sandbox's node last reported: ready | failed | cleared
create table sandbox_status (
    sandbox_id varchar(64) primary key,
    node       text        not null,
    state      text        not null,
    netns      text,
    error      text,
    updated    timestamptz not null
);

create table endpoint_status (
    endpoint_id varchar(64) primary key,
    sandbox_id  varchar(64),
    node        text        not null,
    state       text        not null,
    host_ifname text,
    ifname      text,
    ifindex     integer,
    iflink      integer,
    error       text,
    updated     timestamptz not null
);

-- sandbox and endpoint operations: target = the sandbox id; network_id = the network a connect or
-- disconnect is about; endpoints = the endpoint ids the operation waits for (JSON list)
alter table operations add column network_id varchar(64);
alter table operations add column endpoints jsonb;
