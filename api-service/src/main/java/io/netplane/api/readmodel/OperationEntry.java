package io.netplane.api.readmodel;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.ColumnTransformer;

import java.time.Instant;
import java.util.List;

/**
 * One user request, from its intent to its outcome. Its id is the intent's correlationId. The request
 * writes it pending; the projection writes the outcome, whether or not the caller still waits.
 */
@Entity
@Table(name = "operations")
public class OperationEntry extends PanacheEntityBase {
    public static final String CREATE_NETWORK = "network.create";
    public static final String REMOVE_NETWORK = "network.remove";
    public static final String CREATE_SANDBOX = "sandbox.create";
    public static final String REMOVE_SANDBOX = "sandbox.remove";
    public static final String CONNECT_ENDPOINT = "endpoint.connect";
    public static final String DISCONNECT_ENDPOINT = "endpoint.disconnect";
    public static final String REMOVE_NODE = "node.remove";

    public static final String PENDING = "pending";
    public static final String TIMEOUT = "timeout";
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";

    @Id
    public String id;
    public String kind;
    /** The network id (network operations) or the sandbox id (sandbox and endpoint operations). */
    public String target;
    @Column(name = "target_name")
    public String targetName;
    public String actor;
    /** The network a connect or disconnect is about. */
    @Column(name = "network_id")
    public String networkId;
    /** JSON list of the endpoint ids a sandbox or endpoint operation waits for. */
    @Column(columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    public String endpoints;
    public String state;
    public Integer status;
    public String message;
    @Column(columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    public String result;
    public Instant created;
    public Instant updated;

    /**
     * Literals, not a parameter: only then can PostgreSQL use the partial index operations_open (a generic plan of
     * {@code state in ($2, $3)} scans the whole table, which grows with every call) and Hibernate cache the query.
     */
    public static final String OPEN = "state in ('" + PENDING + "', '" + TIMEOUT + "')";

    public boolean isOpen() {
        return PENDING.equals(state) || TIMEOUT.equals(state);
    }

    public static List<OperationEntry> open(String kind, String target) {
        return list("kind = ?1 and target = ?2 and " + OPEN, kind, target);
    }

    /** Every open operation on {@code target}, whatever its kind. */
    public static List<OperationEntry> open(String target) {
        return list("target = ?1 and " + OPEN + " order by created", target);
    }

    public List<String> endpointIds() {
        return JsonColumns.stringList(endpoints);
    }

    public void finish(String state, int status, String message, String result) {
        this.state = state;
        this.status = status;
        this.message = message;
        this.result = result;
        this.updated = Instant.now();
    }
}
