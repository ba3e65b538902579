-- Replay (issue 8): the last record of the log a replay applied per partition (changes, nodes), in the schema it
-- rebuilt. A record at or below it changes nothing, so the log can be fed through again.
create table replay_offsets (
    topic       text    not null,
    partition   integer not null,
    last_offset bigint  not null,
    primary key (topic, partition)
);
