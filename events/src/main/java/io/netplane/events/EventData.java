package io.netplane.events;

/** The {@code data} of an envelope: one record per event type (package {@code io.netplane.events.data}). */
public interface EventData {
}
