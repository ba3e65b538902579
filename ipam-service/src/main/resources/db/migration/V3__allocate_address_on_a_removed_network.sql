-- A network removed meanwhile (e.g. by another replica) has no cursor any more: say so (P0002), so the
-- caller answers 404 instead of reporting the network as full.
create or replace function allocate_address(p_network char(64)) returns inet language plpgsql as $$
declare
    cur address_cursors%rowtype;
    candidate bigint;
begin
    select * into cur from address_cursors where network_id = p_network for update;
    if not found then
        raise exception 'network % has no address cursor', p_network using errcode = 'P0002';
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
