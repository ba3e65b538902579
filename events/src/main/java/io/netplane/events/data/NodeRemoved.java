package io.netplane.events.data;

import io.netplane.events.EventData;

import java.util.List;

/**
 * {@code node.removed}: ipam released the node's sandboxes (each with its own {@code sandbox.removed}, listed
 * here by id), their addresses and host ports, and forgot the node.
 */
public record NodeRemoved(String node, List<String> sandboxIds) implements EventData {
}
