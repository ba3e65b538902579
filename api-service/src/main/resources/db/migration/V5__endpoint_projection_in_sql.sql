-- The projection of the four records every connect and disconnect makes (endpoint.allocated and .released from
-- ipam, endpoint ready and cleared from the node), and the settling of the connect and disconnect operations they
-- decide, in one call per record. Through the ORM each record was four to seven statements (a find per row, a
-- write per row, the open operations of the sandbox, their update), about thirty round trips per connect and
-- disconnect. Every function returns the sandbox id when operations of other kinds (a sandbox create or remove)
-- are open on it, for projection.SandboxProjection to settle; else null. Tables are named with the schema Flyway
-- migrates (the live read model, or a replay's scratch schema), whatever the caller's search_path.
-- A record alone (the usual case) goes in one statement with its partition's offset (advance_projection_offset),
-- outside any transaction: the BEGIN, the offset's update and the COMMIT were three more round trips a record.

-- Moves a partition's offset on from p_from, the offset this replica committed last; fails when another replica
-- moved it meanwhile, and with it the statement it is part of, which then changes nothing.
create function ${flyway:defaultSchema}.advance_projection_offset(p_topic text, p_partition integer, p_offset bigint,
        p_from bigint)
    returns void language plpgsql as $$
begin
    update ${flyway:defaultSchema}.projection_offsets o set last_offset = p_offset
    where o.topic = p_topic and o.partition = p_partition and o.last_offset = p_from;
    if not found then
        raise exception 'the offset of %-% is no longer %: projected elsewhere', p_topic, p_partition, p_from
            using errcode = 'NP001';
    end if;
end
$$;

-- Settles the open connects and disconnects of a sandbox (SandboxProjection's rules): a connect succeeds once the
-- sandbox is live and every endpoint it waits for is live and reported ready by the sandbox's node; a disconnect
-- once every endpoint it waits for is released and no ready node (p_ready) still reports it built. A connect that
-- waits for p_released (an endpoint just released) fails instead: it cannot finish (409).
create function ${flyway:defaultSchema}.settle_endpoint_operations(p_sandbox varchar, p_ready text[],
        p_released varchar default null)
    returns varchar language plpgsql as $$
declare
    op           record;
    endpoint     varchar;
    done         boolean;
    sandbox_node text;
    looked_up    boolean := false;
    others       boolean := false;
begin
    for op in select o.id, o.kind, coalesce(o.endpoints, '[]') as endpoints from ${flyway:defaultSchema}.operations o
              where o.target = p_sandbox and o.state in ('pending', 'timeout') loop
        if op.kind = 'endpoint.connect' then
            if p_released is not null and op.endpoints ? p_released then
                update ${flyway:defaultSchema}.operations o
                set state = 'failed', status = 409,
                    message = 'endpoint ' || p_released || ' was disconnected before it was ready', result = null,
                    updated = clock_timestamp()
                where o.id = op.id;
                continue;
            end if;
            if not looked_up then
                select s.node into sandbox_node from ${flyway:defaultSchema}.sandboxes s
                where s.id = p_sandbox and s.removed is null;
                looked_up := true;
            end if;
            done := sandbox_node is not null;
            -- one key lookup per endpoint (a set-returning join was planned as a scan of every live endpoint)
            for endpoint in select jsonb_array_elements_text(op.endpoints) loop
                exit when not done;
                done := exists (select 1 from ${flyway:defaultSchema}.endpoints e
                                join ${flyway:defaultSchema}.endpoint_status st on st.endpoint_id = e.id
                                where e.id = endpoint and e.released is null and st.state = 'ready'
                                  and st.node = sandbox_node);
            end loop;
        elsif op.kind = 'endpoint.disconnect' then
            done := true;
            for endpoint in select jsonb_array_elements_text(op.endpoints) loop
                done := exists (select 1 from ${flyway:defaultSchema}.endpoints e
                                where e.id = endpoint and e.released is not null)
                    and not exists (select 1 from ${flyway:defaultSchema}.endpoint_status st
                                    where st.endpoint_id = endpoint and st.state = 'ready'
                                      and st.node = any (p_ready));
                exit when not done;
            end loop;
        else
            others := true;
            continue;
        end if;
        if done then
            update ${flyway:defaultSchema}.operations o
            set state = 'succeeded', status = 200, message = null, result = null, updated = clock_timestamp()
            where o.id = op.id;
        end if;
    end loop;
    return case when others then p_sandbox end;
end
$$;

-- ipam allocated the endpoint: its row as ipam has it (a released one stays released). What waits for an
-- allocation waits for the node's report too: settled only when that report came first.
create function ${flyway:defaultSchema}.project_endpoint_allocated(p_id varchar, p_sandbox varchar, p_network varchar,
        p_node text, p_ifname text, p_addresses jsonb, p_mac text, p_ports jsonb, p_aliases jsonb,
        p_created timestamptz, p_ready text[])
    returns varchar language plpgsql as $$
begin
    insert into ${flyway:defaultSchema}.endpoints as e (id, sandbox_id, network_id, node, ifname, addresses, mac, ports,
                                                      aliases, created)
    values (p_id, p_sandbox, p_network, p_node, p_ifname, p_addresses, p_mac, p_ports, p_aliases, p_created)
    on conflict (id) do update set sandbox_id = excluded.sandbox_id, network_id = excluded.network_id,
        node = excluded.node, ifname = excluded.ifname, addresses = excluded.addresses, mac = excluded.mac,
        ports = excluded.ports, aliases = excluded.aliases, created = excluded.created;
    if exists (select 1 from ${flyway:defaultSchema}.endpoint_status st where st.endpoint_id = p_id and st.state = 'ready') then
        return ${flyway:defaultSchema}.settle_endpoint_operations(p_sandbox, p_ready);
    end if;
    return null;
end
$$;

-- The node built the endpoint.
create function ${flyway:defaultSchema}.project_endpoint_ready(p_id varchar, p_sandbox varchar, p_node text,
        p_host_ifname text, p_ifname text, p_ifindex integer, p_iflink integer, p_updated timestamptz, p_ready text[])
    returns varchar language plpgsql as $$
begin
    insert into ${flyway:defaultSchema}.endpoint_status as st (endpoint_id, sandbox_id, node, state, host_ifname, ifname,
                                                             ifindex, iflink, error, updated)
    values (p_id, p_sandbox, p_node, 'ready', p_host_ifname, p_ifname, p_ifindex, p_iflink, null, p_updated)
    on conflict (endpoint_id) do update set sandbox_id = excluded.sandbox_id, node = excluded.node, state = 'ready',
        host_ifname = excluded.host_ifname, ifname = excluded.ifname, ifindex = excluded.ifindex,
        iflink = excluded.iflink, error = null, updated = excluded.updated;
    return ${flyway:defaultSchema}.settle_endpoint_operations(p_sandbox, p_ready);
end
$$;

-- ipam released the endpoint: a connect still waiting for it cannot finish.
create function ${flyway:defaultSchema}.project_endpoint_released(p_id varchar, p_sandbox varchar,
        p_released timestamptz, p_ready text[])
    returns varchar language plpgsql as $$
begin
    update ${flyway:defaultSchema}.endpoints e set released = p_released where e.id = p_id and e.released is null;
    return ${flyway:defaultSchema}.settle_endpoint_operations(p_sandbox, p_ready, p_id);
end
$$;

-- The node removed the endpoint. The status is keyed by the sandbox id (p_key); ipam's record, or an earlier
-- report, names the sandbox too and wins.
create function ${flyway:defaultSchema}.project_endpoint_cleared(p_id varchar, p_key varchar, p_node text,
        p_updated timestamptz, p_ready text[])
    returns varchar language plpgsql as $$
declare
    sandbox varchar;
begin
    select e.sandbox_id into sandbox from ${flyway:defaultSchema}.endpoints e where e.id = p_id;
    if sandbox is null then
        select coalesce(st.sandbox_id, p_key) into sandbox from ${flyway:defaultSchema}.endpoint_status st
        where st.endpoint_id = p_id;
        if not found then
            sandbox := p_key;
        end if;
    end if;
    insert into ${flyway:defaultSchema}.endpoint_status as st (endpoint_id, sandbox_id, node, state, error, updated)
    values (p_id, sandbox, p_node, 'cleared', null, p_updated)
    on conflict (endpoint_id) do update set sandbox_id = excluded.sandbox_id, node = excluded.node, state = 'cleared',
        error = null, updated = excluded.updated;
    if sandbox is null then
        return null;
    end if;
    return ${flyway:defaultSchema}.settle_endpoint_operations(sandbox, p_ready);
end
$$;
