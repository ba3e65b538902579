package io.netplane.api.readmodel;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.ColumnTransformer;

import java.time.Instant;
import java.util.List;

/** One attachment of a sandbox to a network as ipam allocated it; {@code released} once ipam freed it. */
@Entity
@Table(name = "endpoints")
public class EndpointEntry extends PanacheEntityBase {
    @Id
    public String id;
    @Column(name = "sandbox_id")
    public String sandboxId;
    @Column(name = "network_id")
    public String networkId;
    public String node;
    public String ifname;
    /** JSON list of EndpointAddress. */
    @Column(columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    public String addresses;
    public String mac;
    /** JSON list of PortBinding. */
    @Column(columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    public String ports;
    @Column(columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    public String aliases;
    public Instant created;
    public Instant released;

    public boolean live() {
        return released == null;
    }

    public static List<EndpointEntry> liveOfSandbox(String sandboxId) {
        return list("sandboxId = ?1 and released is null order by created, id", sandboxId);
    }

    public static List<EndpointEntry> liveOnNetwork(String networkId) {
        return list("networkId = ?1 and released is null order by created, id", networkId);
    }
}
