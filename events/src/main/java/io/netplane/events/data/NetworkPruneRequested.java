package io.netplane.events.data;

import io.netplane.events.EventData;

import java.util.List;
import java.util.Map;

/** {@code network.prune.requested}: remove every unused custom network matching the filters (Docker's). */
public record NetworkPruneRequested(Map<String, List<String>> filters) implements EventData {
}
