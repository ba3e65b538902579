package io.netplane.agent.reconcile;

import java.util.List;
import java.util.Map;

/** What the informer tells: the whole desired state once (the list), then each change (the watch). */
public interface DesiredListener {
    /** Every live desired record (tombstoned keys removed), by key, in topic order per partition. */
    void listed(Map<String, DesiredChange> desired);

    void changed(DesiredChange change);

    /** Several changes, in order, that queued up meanwhile: a listener that can apply them in one go says so here. */
    default void changedAll(List<DesiredChange> changes) {
        changes.forEach(this::changed);
    }
}
