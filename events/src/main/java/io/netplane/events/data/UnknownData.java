package io.netplane.events.data;

import com.fasterxml.jackson.databind.JsonNode;
import io.netplane.events.EventData;

/** The data of an event whose type this reader does not know: kept raw, so it can be passed on or audited. */
public record UnknownData(JsonNode raw) implements EventData {
}
