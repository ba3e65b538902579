package io.netplane.api.operations;

import io.netplane.events.data.IpamConfig;

import java.util.List;
import java.util.Map;

/** A network create request, whichever API it came through. */
public record NetworkRequest(String name, String driver, List<IpamConfig> ipam, boolean internal, boolean attachable,
                             boolean enableIpv6, Map<String, String> options, Map<String, String> labels) {
}
