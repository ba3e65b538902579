-- ipam-service schema, issue 3: sandboxes, endpoints with their addresses, host ports, VNIs.
-- Uniqueness is the database's: (network, address) and (node, protocol, port, overlapping host IP) are
-- constraints, so replicas cannot hand anything out twice whatever the JVMs do.

-- btree_gist: "=" on text/integer inside the host-port exclusion constraint (a trusted extension)
create extension if not exists btree_gist schema public;

create table sandboxes (
    id           char(64)    primary key,
    name         text        not null,
    node         text        not null,
    mode         text        not null,
    netns        text,
    hostname     text,
    container_of text,
    -- ethN of the next endpoint: only grows (docker-facts 6.5: reconnecting gives eth3, not eth0)
    next_ifindex integer     not null default 0,
    created      timestamptz not null default now()
);

create table endpoints (
    id            char(64)    primary key,
    sandbox_id    char(64)    not null references sandboxes (id) on delete cascade,
    -- no cascade: a network with endpoints cannot be removed (403 "has active endpoints")
    network_id    char(64)    not null references networks (id),
    node          text        not null,
    ifname        text        not null,
    address       inet        check (address is null or masklen(address) = 32),
    prefix_length integer,
    gateway       inet,
    mac           text,
    aliases       jsonb       not null default '[]',
    created       timestamptz not null default now(),
    unique (sandbox_id, network_id),
    unique (sandbox_id, ifname),
    -- the guarantee: one owner per address of a network
    constraint endpoints_address_key unique (network_id, address)
);

create index endpoints_network on endpoints (network_id);

-- Flat automatic allocation (no scan of the taken addresses): every address of the range below
-- next_address is taken, the gateway, or listed in free_addresses; the lowest free one is
-- min(free_addresses) if any, else the first untaken address from next_address on.
create table address_cursors (
    network_id    char(64) primary key references networks (id) on delete cascade,
    first_address bigint   not null,
    last_address  bigint   not null,
    next_address  bigint   not null,
    gateway       bigint
);

create table free_addresses (
    network_id char(64) not null references networks (id) on delete cascade,
    address    bigint   not null,
    primary key (network_id, address)
);

create function ip_number(a inet) returns bigint language sql immutable strict as $$ select a - '0.0.0.0'::inet $$;
create function ip_of(n bigint) returns inet language sql immutable strict as $$ select '0.0.0.0'::inet + n $$;

-- The range handed out automatically: the ip-range (its own first address included, docker-facts 9.2)
-- or the subnet, never the subnet's network or broadcast address.
create function init_address_cursor(p_network char(64)) returns void language sql as $$
    insert into address_cursors (network_id, first_address, last_address, next_address, gateway)
    select s.network_id, b.first, b.last, b.first, ip_number(s.gateway)
    from subnets s,
         lateral (select greatest(ip_number(network(coalesce(s.ip_range, s.subnet))), ip_number(network(s.subnet)) + 1) as first,
                         least(ip_number(broadcast(coalesce(s.ip_range, s.subnet))), ip_number(broadcast(s.subnet)) - 1) as last) b
    where s.network_id = p_network and s.family = 'ipv4'
    on conflict do nothing
$$;

select init_address_cursor(id) from networks;

-- The lowest free address of the network's range, or null when there is none. Holds the network's cursor
-- row until the transaction ends: allocations on one network take turns (Docker's "lowest free" needs that).
create function allocate_address(p_network char(64)) returns inet language plpgsql as $$
declare
    cur address_cursors%rowtype;
    candidate bigint;
begin
    select * into cur from address_cursors where network_id = p_network for update;
    if not found then
        return null;
    end if;
    select min(address) into candidate from free_addresses where network_id = p_network;
    if candidate is not null and candidate < cur.next_address then
        delete from free_addresses where network_id = p_network and address = candidate;
        return ip_of(candidate);
    end if;
    candidate := cur.next_address;
    loop
        if candidate > cur.last_address then
            return null;
        end if;
        -- statics above the mark are skipped once each: the cost stays flat on average
        exit when candidate is distinct from cur.gateway
            and not exists (select 1 from endpoints where network_id = p_network and address = ip_of(candidate));
        candidate := candidate + 1;
    end loop;
    update address_cursors set next_address = candidate + 1 where network_id = p_network;
    -- a released static address above the mark may be listed: it is handed out now
    delete from free_addresses where network_id = p_network and address = candidate;
    return ip_of(candidate);
end
$$;

-- Before a static address is inserted: take the cursor's turn and unlist it if it was free. Whether it
-- is taken is then decided by endpoints_address_key.
create function claim_address(p_network char(64), p_address inet) returns void language plpgsql as $$
begin
    perform 1 from address_cursors where network_id = p_network for update;
    delete from free_addresses where network_id = p_network and address = ip_number(p_address);
end
$$;

-- After an endpoint's row is deleted. Listed whenever it lies in the range: an entry at or above the mark
-- is harmless (the allocator reaches it in order), and no lock is needed: a concurrent allocator that still
-- saw the address taken and moved the mark past it finds it listed once this commits.
create function release_address(p_network char(64), p_address inet) returns void language sql as $$
    insert into free_addresses (network_id, address)
    select network_id, ip_number(p_address) from address_cursors
    where network_id = p_network and ip_number(p_address) between first_address and last_address
    on conflict do nothing
$$;

-- Host ports. host_net is the bound host IP as a prefix: 0.0.0.0 → 0.0.0.0/0, so it overlaps (conflicts
-- with) every address of the node, and a specific address /32 conflicts with 0.0.0.0 and itself only.
create table port_bindings (
    endpoint_id    char(64) not null references endpoints (id) on delete cascade,
    node           text     not null,
    protocol       text     not null check (protocol in ('tcp', 'udp', 'sctp')),
    host_ip        inet     not null,
    host_port      integer  not null check (host_port between 1 and 65535),
    container_port integer  not null check (container_port between 1 and 65535),
    ephemeral      boolean  not null,
    host_net       cidr     not null generated always as (
        case when host_ip = '0.0.0.0'::inet then '0.0.0.0/0'::cidr
             when host_ip = '::'::inet then '::/0'::cidr
             else set_masklen(host_ip, case family(host_ip) when 4 then 32 else 128 end)::cidr end) stored,
    constraint port_bindings_no_conflict exclude using gist
        (node with =, protocol with =, host_port with =, host_net inet_ops with &&)
);

create index port_bindings_endpoint on port_bindings (endpoint_id);
create index port_bindings_port on port_bindings (node, protocol, host_port);

-- Ephemeral ports, per node and protocol, the same way as addresses: a mark and a list of freed ports.
create table port_cursors (
    node      text    not null,
    protocol  text    not null,
    next_port integer not null,
    primary key (node, protocol)
);

create table free_ports (
    node     text    not null,
    protocol text    not null,
    port     integer not null,
    primary key (node, protocol, port)
);

-- The lowest port of [p_first, p_last] no binding of the node uses (on any host IP), or null.
create function allocate_port(p_node text, p_protocol text, p_first integer, p_last integer)
        returns integer language plpgsql as $$
declare
    mark integer;
    candidate integer;
begin
    insert into port_cursors (node, protocol, next_port) values (p_node, p_protocol, p_first) on conflict do nothing;
    select next_port into mark from port_cursors where node = p_node and protocol = p_protocol for update;
    mark := greatest(mark, p_first);
    loop
        select min(port) into candidate from free_ports
        where node = p_node and protocol = p_protocol and port between p_first and least(mark - 1, p_last);
        exit when candidate is null;
        delete from free_ports where node = p_node and protocol = p_protocol and port = candidate;
        -- an explicit binding may have taken a listed port since: then the entry was stale
        if not exists (select 1 from port_bindings where node = p_node and protocol = p_protocol and host_port = candidate) then
            return candidate;
        end if;
    end loop;
    candidate := mark;
    loop
        if candidate > p_last then
            return null;
        end if;
        exit when not exists (select 1 from port_bindings
                              where node = p_node and protocol = p_protocol and host_port = candidate);
        candidate := candidate + 1;
    end loop;
    update port_cursors set next_port = candidate + 1 where node = p_node and protocol = p_protocol;
    delete from free_ports where node = p_node and protocol = p_protocol and port = candidate;
    return candidate;
end
$$;

-- Ports of an endpoint being released are listed as free when nothing else binds them.
create function release_ports(p_endpoint char(64)) returns void language sql as $$
    insert into free_ports (node, protocol, port)
    select b.node, b.protocol, b.host_port from port_bindings b
    where b.endpoint_id = p_endpoint
      and not exists (select 1 from port_bindings o where o.node = b.node and o.protocol = b.protocol
                      and o.host_port = b.host_port and o.endpoint_id <> p_endpoint)
    on conflict do nothing
$$;

-- VNIs of overlay networks: unique (networks.vni is unique already), from 4096 as Docker swarm
alter table networks add constraint networks_vni_range check (vni is null or vni between 4096 and 16777215);
