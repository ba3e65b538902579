package io.netplane.agent.reconcile;

import java.util.Map;

/** What the informer tells: the whole desired state once (the list), then each change (the watch). */
public interface DesiredListener {
    /** Every live desired record (tombstoned keys removed), by key, in topic order per partition. */
    void listed(Map<String, DesiredChange> desired);

    void changed(DesiredChange change);
}
