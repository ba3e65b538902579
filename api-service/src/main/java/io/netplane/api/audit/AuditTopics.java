package io.netplane.api.audit;

import io.netplane.events.Topic;

import java.util.List;

/** The topics the audit reads, in the order that breaks ties of equal log times (a request before its outcome). */
public final class AuditTopics {
    /** desired is derived from changes (and compacted): it adds no fact of its own. */
    public static final List<Topic> TOPICS = List.of(Topic.INTENTS, Topic.CHANGES, Topic.STATUS, Topic.NODES);

    private AuditTopics() {
    }

    /** The rank of a full topic name under {@code prefix}, -1 for another topic. */
    public static int rank(String prefix, String topic) {
        for (int i = 0; i < TOPICS.size(); i++) {
            if (TOPICS.get(i).name(prefix).equals(topic)) {
                return i;
            }
        }
        return -1;
    }
}
