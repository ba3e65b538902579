-- The relay takes the rows it sends (deletes them, their locks keeping any other relay off) in a transaction that
-- commits without waiting for the WAL flush: about two flushes per connect and disconnect, each a wait on the
-- relay's thread before its next batch. What a crash can take back is the end of the deletes; those rows are then
-- sent again, in id order as always, so every record key's last record on the topics stays its latest, and the
-- consumers take a repeated record as they take a redelivered one. The allocations and their outbox rows still
-- commit with the flush.
create function take_outbox_rows(p_ids bigint[]) returns setof bigint language plpgsql as $$
begin
    set local synchronous_commit to off;
    return query delete from outbox where id = any (p_ids) returning id;
end
$$;
