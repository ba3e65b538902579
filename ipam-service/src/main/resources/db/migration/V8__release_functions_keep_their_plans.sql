-- release_ports and release_address run at every disconnect. As `language sql` functions that cannot be
-- inlined, PostgreSQL (before 18) parses and plans their body at each call (39 µs here); in plpgsql the plan is
-- kept for the session (5 µs). Same bodies.
create or replace function release_address(p_network char(64), p_address inet) returns void language plpgsql as $$
begin
    insert into free_addresses (network_id, address)
    select network_id, ip_number(p_address) from address_cursors
    where network_id = p_network and ip_number(p_address) between first_address and last_address
    on conflict do nothing;
end
$$;

create or replace function release_ports(p_endpoint char(64)) returns void language plpgsql as $$
begin
    insert into free_ports (node, protocol, port)
    select b.node, b.protocol, b.host_port from port_bindings b
    where b.endpoint_id = p_endpoint
      and not exists (select 1 from port_bindings o where o.node = b.node and o.protocol = b.protocol
                      and o.host_port = b.host_port and o.endpoint_id <> p_endpoint)
    on conflict do nothing;
end
$$;
