package io.netplane.events.data;

import io.netplane.events.EventData;

/** {@code *.cleared} from one node: nothing of the removed object is left in its kernel. */
public record Cleared(String id, String node) implements EventData {
}
