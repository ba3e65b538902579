package io.netplane.api.readmodel;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** What the sandbox's node last reported for it: ready (with the netns), failed (with the error), cleared. */
@Entity
@Table(name = "sandbox_status")
public class SandboxNodeState extends PanacheEntityBase {
    public static final String READY = "ready";
    public static final String FAILED = "failed";
    public static final String CLEARED = "cleared";

    @Id
    @Column(name = "sandbox_id")
    public String sandboxId;
    public String node;
    public String state;
    public String netns;
    public String error;
    public Instant updated;

    /** Finds or creates (not yet persisted) the row of {@code sandboxId}. */
    public static SandboxNodeState forUpdate(String sandboxId) {
        SandboxNodeState row = findById(sandboxId);
        if (row == null) {
            row = new SandboxNodeState();
            row.sandboxId = sandboxId;
        }
        return row;
    }
}
