package io.netplane.api.audit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The audit index in PostgreSQL ({@code audit_events}, plain JDBC): the indexer's inserts, where each
 * partition resumes, and the filtered queries. Rows keep the envelope as on Kafka, so a page is one query
 * and the answer survives a retention the operator sets on the topics.
 */
@ApplicationScoped
public class AuditIndex {
    private static final String COLUMNS = "topic, partition, log_offset, topic_rank, log_time, envelope";

    @Inject
    DataSource dataSource;

    @ConfigProperty(name = "quarkus.hibernate-orm.database.default-schema", defaultValue = "api")
    String schema;

    private String table() {
        return schema + ".audit_events";
    }

    /** The offset after the last indexed record of a partition, or -1 when none is indexed. */
    public long nextOffset(String topic, int partition) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("select max(log_offset) from " + table()
                     + " where topic = ? and partition = ?")) {
            s.setString(1, topic);
            s.setInt(2, partition);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                long last = r.getLong(1);
                return r.wasNull() ? -1 : last + 1;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the audit index: " + e.getMessage(), e);
        }
    }

    /** Indexes the records in one transaction; a record already indexed (same place in the log) is left as it is. */
    public void insert(List<LoggedEvent> events, List<IndexEntry> entries) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("insert into " + table() + " (" + COLUMNS
                    + ", event_id, type, time, actor, subject_kind, subject_id, node, correlation_id, causation_id, entities)"
                    + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing")) {
                for (int i = 0; i < events.size(); i++) {
                    LoggedEvent e = events.get(i);
                    IndexEntry x = entries.get(i);
                    s.setString(1, e.topic());
                    s.setInt(2, e.partition());
                    s.setLong(3, e.offset());
                    s.setShort(4, (short) e.rank());
                    s.setObject(5, time(e.logTime()));
                    s.setString(6, e.envelope());
                    s.setObject(7, x.eventId());
                    s.setString(8, x.type());
                    s.setObject(9, OffsetDateTime.ofInstant(x.time(), ZoneOffset.UTC));
                    s.setString(10, x.actor());
                    s.setString(11, x.subjectKind());
                    s.setString(12, x.subjectId());
                    s.setString(13, x.node());
                    s.setString(14, x.correlationId());
                    s.setString(15, x.causationId());
                    s.setArray(16, c.createArrayOf("text", x.entities().toArray()));
                    s.addBatch();
                }
                s.executeBatch();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * A page of {@code query}. With {@code entity} ({@code kind:id}), its history: the events that name it, all
     * events of the correlations (requests) that touched it, and the events of its endpoints.
     */
    public AuditPage query(AuditQuery query, String entity) {
        StringBuilder sql = new StringBuilder("select " + COLUMNS + " from " + table() + " where true");
        List<Object> args = new ArrayList<>();
        if (query.since() != null) {
            sql.append(" and log_time >= ?");
            args.add(time(query.since()));
        }
        if (query.until() != null) {
            sql.append(" and log_time < ?");
            args.add(time(query.until()));
        }
        if (!query.types().isEmpty()) {
            List<String> exact = query.types().stream().filter(t -> !t.endsWith("*")).toList();
            List<String> prefixes = query.types().stream().filter(t -> t.endsWith("*"))
                    .map(t -> like(t.substring(0, t.length() - 1)) + "%").toList();
            sql.append(" and (type = any(?)");
            args.add(exact);
            prefixes.forEach(p -> {
                sql.append(" or type like ?");
                args.add(p);
            });
            sql.append(")");
        }
        if (!query.subjects().isEmpty()) {
            sql.append(" and entities && ?");
            args.add(query.subjects().stream().flatMap(AuditIndex::kinds).toList());
        }
        if (!query.actors().isEmpty()) {
            sql.append(" and actor = any(?)");
            args.add(query.actors());
        }
        if (!query.nodes().isEmpty()) {
            sql.append(" and node = any(?)");
            args.add(query.nodes());
        }
        if (!query.correlations().isEmpty()) {
            sql.append(" and correlation_id = any(?)");
            args.add(query.correlations());
        }
        if (entity != null) {
            // its events, its requests' events, and its endpoints' own status (a cleared has its own correlation)
            sql.append(" and (entities && ? or correlation_id in (select correlation_id from ").append(table())
                    .append(" where entities && ? and correlation_id is not null) or entities && array(select distinct e from ")
                    .append(table()).append(" touched, unnest(touched.entities) e where touched.entities && ? and e like 'endpoint:%'))");
            args.add(List.of(entity));
            args.add(List.of(entity));
            args.add(List.of(entity));
        }
        if (query.cursor() instanceof AuditCursor.After after) {
            sql.append(" and (log_time, topic_rank, partition, log_offset) > (?, ?, ?, ?)");
            args.add(time(after.logTime()));
            args.add((short) after.rank());
            args.add(after.partition());
            args.add(after.offset());
        }
        sql.append(" order by log_time, topic_rank, partition, log_offset limit ?");
        args.add(query.limit() + 1);
        List<LoggedEvent> events = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                Object arg = args.get(i);
                if (arg instanceof List<?> list) {
                    s.setArray(i + 1, c.createArrayOf("text", list.toArray()));
                } else {
                    s.setObject(i + 1, arg);
                }
            }
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    events.add(new LoggedEvent(r.getString(1), r.getInt(2), r.getLong(3), r.getShort(4),
                            r.getObject(5, OffsetDateTime.class).toInstant().toEpochMilli(), r.getString(6)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot query the audit index: " + e.getMessage(), e);
        }
        if (events.size() <= query.limit()) {
            return new AuditPage(events, null);
        }
        List<LoggedEvent> page = events.subList(0, query.limit());
        LoggedEvent last = page.get(page.size() - 1);
        return new AuditPage(List.copyOf(page),
                new AuditCursor.After(last.logTime(), last.rank(), last.partition(), last.offset()));
    }

    /** Whether any indexed event names {@code entity} ({@code kind:id}) as subject or in its data. */
    public boolean knows(String entity) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("select 1 from " + table() + " where entities && ? limit 1")) {
            s.setArray(1, c.createArrayOf("text", new Object[] {entity}));
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot query the audit index: " + e.getMessage(), e);
        }
    }

    private static OffsetDateTime time(long epochMillis) {
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC);
    }

    private static OffsetDateTime time(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    /** A subject filter: {@code kind:id} as is, a bare id (or node name) of any kind. */
    private static java.util.stream.Stream<String> kinds(String subject) {
        return subject.contains(":") ? java.util.stream.Stream.of(subject)
                : java.util.stream.Stream.of("network:", "sandbox:", "endpoint:", "node:").map(k -> k + subject);
    }

    private static String like(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
