package io.netplane.api.readmodel;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.ColumnTransformer;

import java.time.Instant;
import java.util.List;

/** A network as the read model holds it: ipam's record from {@code network.created}; {@code removed} once gone. */
@Entity
@Table(name = "networks")
public class NetworkEntry extends PanacheEntityBase {
    @Id
    public String id;
    public String name;
    public String driver;
    public String scope;
    /** JSON list of SubnetAllocation. */
    @Column(columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    public String subnets;
    public boolean internal;
    public boolean attachable;
    @Column(name = "enable_ipv6")
    public boolean enableIpv6;
    @Column(columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    public String options;
    @Column(columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    public String labels;
    public Integer vni;
    public String bridge;
    public boolean predefined;
    public Instant created;
    public Instant removed;

    public static List<NetworkEntry> live() {
        return list("removed is null order by created, id");
    }

    /** The live rows whose id or name is {@code ref}: Docker's first two ways to resolve it, in one query. */
    public static List<NetworkEntry> liveByIdOrName(String ref) {
        return list("(id = ?1 or name = ?1) and removed is null", ref);
    }

    public static List<NetworkEntry> liveByName(String name) {
        return list("name = ?1 and removed is null", name);
    }

    public static List<NetworkEntry> liveByIdPrefix(String prefix) {
        return list("id like ?1 and removed is null", prefix.replace("%", "").replace("_", "") + "%");
    }
}
