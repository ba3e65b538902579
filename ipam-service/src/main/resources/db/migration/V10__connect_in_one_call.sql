-- A connect looked up its sandbox, checked for an endpoint on the network, allocated an address, took the next
-- ethN and inserted the endpoint: five round trips on every connect's path. This does the same in one call for a
-- connect with nothing to decide but what these rows hold (the caller checked the network, the endpoint id, and
-- that no address was asked for). It returns nothing, and has changed nothing, when the sandbox is missing, not in
-- bridge mode, connected to the network already, or the network has no free address: the caller then goes the
-- step-by-step way, which says what is wrong. A constraint the insert breaks raises, as the step-by-step insert's.
create function connect_endpoint(p_sandbox char(64), p_network char(64), p_endpoint char(64), p_prefix integer,
                                 p_gateway inet, p_aliases jsonb, p_created timestamptz)
    returns table (endpoint_node text, endpoint_ifname text, endpoint_address text, endpoint_mac text)
    language plpgsql as $$
declare
    s_node  text;
    s_mode  text;
    ifindex integer;
    taken   inet;
    n       bigint;
    mac     text;
begin
    select s.node, s.mode into s_node, s_mode from sandboxes s where s.id = p_sandbox;
    if s_node is null or s_mode <> 'bridge'
        or exists (select 1 from endpoints e where e.sandbox_id = p_sandbox and e.network_id = p_network) then
        return;
    end if;
    taken := allocate_address(p_network); -- null: none free, and nothing taken
    if taken is null then
        return;
    end if;
    update sandboxes s set next_ifindex = s.next_ifindex + 1 where s.id = p_sandbox returning s.next_ifindex - 1
        into ifindex;
    -- Docker's MAC: 02:42 and the four bytes of the address (AddressAllocator.mac)
    n := ip_number(taken);
    mac := '02:42:' || lpad(to_hex((n >> 24) & 255), 2, '0') || ':' || lpad(to_hex((n >> 16) & 255), 2, '0') || ':'
        || lpad(to_hex((n >> 8) & 255), 2, '0') || ':' || lpad(to_hex(n & 255), 2, '0');
    insert into endpoints (id, sandbox_id, network_id, node, ifname, address, prefix_length, gateway, mac, aliases,
                           created)
    values (p_endpoint, p_sandbox, p_network, s_node, 'eth' || ifindex, taken, p_prefix, p_gateway, mac, p_aliases,
            p_created);
    return query select s_node, 'eth' || ifindex, host(taken), mac;
end
$$;
