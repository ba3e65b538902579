-- The audit index (issue 8): one row per record of intents, changes, status and nodes (desired is derived
-- from changes and left out), written by audit.AuditIndexer from the log and rebuildable from it. The key
-- is the record's place in the log, so indexing a record again (a redelivery, a rebuild) writes the same row.
create table audit_events (
    topic          text        not null, -- the full name, e.g. netplane.intents
    partition      integer     not null,
    log_offset     bigint      not null,
    topic_rank     smallint    not null, -- intents 0, changes 1, status 2, nodes 3: breaks ties of equal log times
    log_time       timestamptz not null, -- the record's Kafka timestamp: time windows and order
    event_id       uuid        not null,
    type           text        not null,
    time           timestamptz not null, -- the envelope's time
    actor          text,
    subject_kind   text,
    subject_id     text,
    node           text,
    correlation_id text,
    causation_id   text,
    entities       text[]      not null, -- the subject's id and every network, sandbox and endpoint id in data
    envelope       text        not null, -- the record's value, as on Kafka
    primary key (topic, partition, log_offset)
);
create index audit_events_order on audit_events (log_time, topic_rank, partition, log_offset);
create index audit_events_actor on audit_events (actor, log_time);
create index audit_events_node on audit_events (node, log_time);
create index audit_events_type on audit_events (type, log_time);
create index audit_events_correlation on audit_events (correlation_id);
create index audit_events_entities on audit_events using gin (entities);
