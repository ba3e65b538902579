-- ipam-service schema, issue 2: networks and their subnets, the pool cursors, the nodes' routed subnets,
-- processed intents (idempotency) and the transactional outbox. Issue 3 adds addresses, ports and VNIs.

create table networks (
    id          char(64)    primary key,
    name        text        not null unique,
    driver      text        not null,
    scope       text        not null,
    bridge      text,
    internal    boolean     not null default false,
    attachable  boolean     not null default false,
    enable_ipv6 boolean     not null default false,
    options     jsonb       not null default '{}',
    labels      jsonb       not null default '{}',
    vni         integer     unique,
    predefined  boolean     not null default false,
    created     timestamptz not null default now()
);

-- two networks must never own the same Linux bridge name
create unique index networks_bridge_key on networks (bridge) where bridge is not null;

create table subnets (
    network_id    char(64) not null references networks (id) on delete cascade,
    family        text     not null check (family in ('ipv4', 'ipv6')),
    subnet        cidr     not null,
    gateway       inet,
    ip_range      cidr,
    auto          boolean  not null,
    gateway_given boolean  not null,
    primary key (network_id, subnet),
    check (gateway is null or gateway << subnet),
    check (ip_range is null or ip_range <<= subnet),
    -- the guarantee, for every replica at once: no two subnets of any networks overlap
    constraint subnets_no_overlap exclude using gist (subnet inet_ops with &&)
);

-- next-fit cursor of each pool set ('default', 'overlay'), as libnetwork keeps it in memory
create table pool_cursors (
    pool_set text    primary key,
    position integer not null check (position >= 0)
);

create table nodes (
    name           text        primary key,
    underlay       inet,
    routed_subnets cidr[]      not null default '{}',
    joined         timestamptz not null default now(),
    last_seen      timestamptz not null default now(),
    left_at        timestamptz
);

create table processed_intents (
    intent_id  uuid        primary key,
    intent     text        not null,
    outcome    text        not null,
    created    timestamptz not null default now()
);

create table outbox (
    id           bigserial   primary key,
    topic        text        not null,  -- Topic suffix: changes, desired
    record_key   text        not null,
    event_type   text        not null,  -- for reading the table; a tombstone names what it removes
    value        bytea,                 -- the envelope as EventCodec wrote it; null = tombstone
    created      timestamptz not null default now(),
    published_at timestamptz
);

create index outbox_unpublished on outbox (id) where published_at is null;
