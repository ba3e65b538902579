-- A disconnect found the endpoint, freed its host ports, deleted it and freed its address in four statements, four
-- round trips on every disconnect's path; this does the same steps (SandboxStore.delete's) in one call. At most
-- one endpoint per sandbox and network (unique). Nothing is returned, and nothing changed, when there is none.
create function disconnect_endpoint(p_sandbox char(64), p_network char(64))
    returns table (endpoint_id char(64), endpoint_node text, endpoint_address text) language plpgsql as $$
declare
    found_id      char(64);
    found_node    text;
    found_address inet;
begin
    select e.id, e.node, e.address into found_id, found_node, found_address
    from endpoints e where e.sandbox_id = p_sandbox and e.network_id = p_network;
    if found_id is null then
        return;
    end if;
    perform release_ports(found_id);
    delete from endpoints e where e.id = found_id;
    if found_address is not null then
        perform release_address(p_network, found_address);
    end if;
    return query select found_id, found_node, host(found_address);
end
$$;
