package io.netplane.api.readmodel;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** What one node reported for one network: ready (with bridge and ifindex), failed (with the error), cleared. */
@Entity
@Table(name = "network_nodes")
@IdClass(NetworkNodeState.Key.class)
public class NetworkNodeState extends PanacheEntityBase {
    public static final String READY = "ready";
    public static final String FAILED = "failed";
    public static final String CLEARED = "cleared";

    @Id
    @Column(name = "network_id")
    public String networkId;
    @Id
    public String node;
    public String state;
    public String bridge;
    public Integer ifindex;
    public String error;
    public Instant updated;

    public static List<NetworkNodeState> of(String networkId) {
        return list("networkId = ?1 order by node", networkId);
    }

    /** Finds or creates (not yet persisted) the row of {@code networkId} on {@code node}. */
    public static NetworkNodeState forUpdate(String networkId, String node) {
        NetworkNodeState row = findById(new Key(networkId, node));
        if (row == null) {
            row = new NetworkNodeState();
            row.networkId = networkId;
            row.node = node;
        }
        return row;
    }

    public static class Key implements Serializable {
        public String networkId;
        public String node;

        public Key() {
        }

        public Key(String networkId, String node) {
            this.networkId = networkId;
            this.node = node;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(networkId, k.networkId) && Objects.equals(node, k.node);
        }

        @Override
        public int hashCode() {
            return Objects.hash(networkId, node);
        }
    }
}
