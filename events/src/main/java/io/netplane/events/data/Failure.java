package io.netplane.events.data;

import io.netplane.events.EventData;

/**
 * {@code *.failed} from one node: the kernel refused. {@code error} is the agent's message with the
 * kernel's ("create bridge np-…: File exists (EEXIST)").
 */
public record Failure(String id, String node, String error) implements EventData {
}
