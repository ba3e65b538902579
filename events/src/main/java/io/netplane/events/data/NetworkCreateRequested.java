package io.netplane.events.data;

import io.netplane.events.EventData;

import java.util.List;
import java.util.Map;

/** {@code network.create.requested}: api-service has validated the request and chosen the id. */
public record NetworkCreateRequested(String networkId, String name, String driver, List<IpamConfig> ipam,
                                     boolean internal, boolean attachable, boolean enableIpv6,
                                     Map<String, String> options, Map<String, String> labels) implements EventData {
}
