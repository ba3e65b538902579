package io.netplane.api.projection;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.hibernate.Session;
import org.hibernate.engine.spi.SessionImplementor;
import org.hibernate.jdbc.ReturningWork;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Plain SQL in the projection's transaction, beside the ORM: on the ORM's own connection, with what the persistence
 * context holds written out and let go first, so that neither side reads, or writes back, a row the other changed.
 */
@ApplicationScoped
class ReadModelSql {
    @Inject
    EntityManager entityManager;

    /** The read model's schema: the live one, or a replay's scratch schema (ReadModelReplay). */
    @ConfigProperty(name = "quarkus.hibernate-orm.database.default-schema", defaultValue = "api")
    String schema;

    /** {@code name} in the read model's schema. */
    String qualified(String name) {
        return schema + "." + name;
    }

    /** SQL errors come out as the ORM's (JDBCConnectionException for a lost database: DatabaseOutage). */
    <T> T run(ReturningWork<T> work) {
        Session session = entityManager.unwrap(Session.class);
        if (session.unwrap(SessionImplementor.class).getPersistenceContextInternal().getNumberOfManagedEntities() > 0) {
            session.flush();
            session.clear();
        }
        return session.doReturningWork(work);
    }

    static OffsetDateTime time(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
