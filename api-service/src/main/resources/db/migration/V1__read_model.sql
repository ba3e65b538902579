-- api-service's read model, projected from changes, status and nodes. No table here is written by a
-- request except operations (its pending row); everything else comes from events.

-- No unique name constraint: ipam enforces uniqueness; events of different networks live on different
-- partitions, so a replay may see a name's new network before its old one's removal.
create table networks (
    id          varchar(64) primary key,
    name        text        not null,
    driver      text        not null,
    scope       text        not null,
    subnets     jsonb       not null,
    internal    boolean     not null,
    attachable  boolean     not null,
    enable_ipv6 boolean     not null,
    options     jsonb       not null,
    labels      jsonb       not null,
    vni         integer,
    bridge      text,
    predefined  boolean     not null,
    created     timestamptz not null,
    removed     timestamptz
);
create index networks_live_name on networks (name) where removed is null;

-- one row per network and node: ready | failed | cleared
create table network_nodes (
    network_id varchar(64) not null,
    node       text        not null,
    state      text        not null,
    bridge     text,
    ifindex    integer,
    error      text,
    updated    timestamptz not null,
    primary key (network_id, node)
);

create table nodes (
    name             text primary key,
    underlay_address text,
    routed_subnets   jsonb       not null,
    versions         jsonb       not null,
    joined           timestamptz,
    last_seen        timestamptz not null,
    left_at          timestamptz
);

-- kind: network.create | network.remove; state: pending | timeout | succeeded | failed.
-- timeout means the caller stopped waiting; the projection still records the outcome.
create table operations (
    id          text primary key,
    kind        text        not null,
    target      text        not null,
    target_name text,
    actor       text,
    state       text        not null,
    status      integer,
    message     text,
    result      jsonb,
    created     timestamptz not null,
    updated     timestamptz not null
);
create index operations_open on operations (target) where state in ('pending', 'timeout');

-- the last record the projection applied per partition: where it resumes, and what makes a
-- redelivered record a no-op
create table projection_offsets (
    topic       text    not null,
    partition   integer not null,
    last_offset bigint  not null,
    primary key (topic, partition)
);
