package io.netplane.api.readmodel;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.Set;

/** What the endpoint's node last reported for it: ready (interfaces), failed (the error), cleared. */
@Entity
@Table(name = "endpoint_status")
public class EndpointNodeState extends PanacheEntityBase {
    public static final String READY = "ready";
    public static final String FAILED = "failed";
    public static final String CLEARED = "cleared";

    @Id
    @Column(name = "endpoint_id")
    public String endpointId;
    @Column(name = "sandbox_id")
    public String sandboxId;
    public String node;
    public String state;
    @Column(name = "host_ifname")
    public String hostIfname;
    public String ifname;
    public Integer ifindex;
    public Integer iflink;
    public String error;
    public Instant updated;

    /** Whether its node holds it built now (reported ready) and is up to report its removal. */
    public boolean builtOn(Set<String> readyNodes) {
        return READY.equals(state) && readyNodes.contains(node);
    }

    /** Finds or creates (not yet persisted) the row of {@code endpointId}. */
    public static EndpointNodeState forUpdate(String endpointId) {
        EndpointNodeState row = findById(endpointId);
        if (row == null) {
            row = new EndpointNodeState();
            row.endpointId = endpointId;
        }
        return row;
    }
}
