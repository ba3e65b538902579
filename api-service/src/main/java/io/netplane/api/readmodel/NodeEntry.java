package io.netplane.api.readmodel;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.ColumnTransformer;

import java.time.Instant;

/** A node-agent as seen on the nodes topic. Times are the events' times, so a replay never revives a node. */
@Entity
@Table(name = "nodes")
public class NodeEntry extends PanacheEntityBase {
    @Id
    public String name;
    @Column(name = "underlay_address")
    public String underlayAddress;
    @Column(name = "routed_subnets", columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    public String routedSubnets;
    @Column(columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    public String versions;
    /** The host's name (uname), for a host-mode sandbox's hostname; null from agents that did not say it. */
    public String hostname;
    /** What the agent can build (bridge, overlay, nftables, dns); null from agents that did not say it. */
    @Column(columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    public String capabilities;
    public Instant joined;
    @Column(name = "last_seen")
    public Instant lastSeen;
    @Column(name = "left_at")
    public Instant leftAt;
    @Column(name = "removed_at")
    public Instant removedAt;

    public boolean hasLeft() {
        return leftAt != null && !leftAt.isBefore(lastSeen);
    }

    /** Removed for good and not seen since. */
    public boolean isRemoved() {
        return removedAt != null && !removedAt.isBefore(lastSeen);
    }
}
