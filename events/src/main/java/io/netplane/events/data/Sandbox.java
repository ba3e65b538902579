package io.netplane.events.data;

import io.netplane.events.EventData;

import java.time.Instant;
import java.util.List;

/**
 * The network side of a container on one node: the data of {@code sandbox.scheduled} and of the desired
 * record {@code sandbox/<id>}. {@code mode}: bridge, host, none or container; {@code containerOf} names the
 * sandbox whose netns a container-mode sandbox shares.
 */
public record Sandbox(String id, String name, String node, String mode, String netns, String hostname,
                      String containerOf, List<String> dns, Instant created) implements EventData {
}
