package io.netplane.api.readmodel;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.ColumnTransformer;

import java.time.Instant;
import java.util.List;

/** A sandbox as ipam scheduled it ({@code sandbox.scheduled}); {@code removed} once ipam freed it. */
@Entity
@Table(name = "sandboxes")
public class SandboxEntry extends PanacheEntityBase {
    @Id
    public String id;
    public String name;
    public String node;
    public String mode;
    public String netns;
    public String hostname;
    @Column(name = "container_of")
    public String containerOf;
    /** JSON list of DNS servers. */
    @Column(columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    public String dns;
    public Instant created;
    public Instant removed;

    public static List<SandboxEntry> live() {
        return list("removed is null order by created, id");
    }

    /** The live rows whose id or name is {@code ref}: Docker's first two ways to resolve it, in one query. */
    public static List<SandboxEntry> liveByIdOrName(String ref) {
        return list("(id = ?1 or name = ?1) and removed is null", ref);
    }

    public static List<SandboxEntry> liveByName(String name) {
        return list("name = ?1 and removed is null", name);
    }

    public static List<SandboxEntry> liveByIdPrefix(String prefix) {
        return list("id like ?1 and removed is null", prefix.replace("%", "").replace("_", "") + "%");
    }
}
