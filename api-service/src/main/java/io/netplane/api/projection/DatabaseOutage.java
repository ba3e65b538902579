package io.netplane.api.projection;

import org.hibernate.exception.JDBCConnectionException;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;

/**
 * Tells a database that cannot be reached (down, restarting, a connection cut) from a record that cannot be
 * applied: the first passes and must be waited out, the second is the record's own fault.
 */
final class DatabaseOutage {
    private DatabaseOutage() {
    }

    /** True when something in the causes says the database or the connection to it failed. */
    static boolean causes(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
                    || t instanceof SQLRecoverableException
                    || t instanceof JDBCConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    // 08: connection exception; 57P: the server shut down, or a backend was terminated; 53: out of resources
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P")
                    || sql.getSQLState().startsWith("53"))) {
                return true;
            }
            String message = t.getMessage() == null ? "" : t.getMessage();
            // no connection to be had (Hibernate's and Agroal's words), whatever the server said why
            if (message.startsWith("Unable to acquire JDBC Connection") || message.contains("Acquisition timeout")) {
                return true;
            }
        }
        return false;
    }
}
