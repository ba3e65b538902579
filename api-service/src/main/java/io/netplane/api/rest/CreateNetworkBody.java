package io.netplane.api.rest;

import io.netplane.api.operations.NetworkRequest;
import io.netplane.events.data.IpamConfig;

import java.util.List;
import java.util.Map;

/**
 * The native create body: {@code {"name", "driver", "ipam": {"config": [{"subnet", "ipRange", "gateway"}]},
 * "internal", "attachable", "enableIpv6", "options", "labels"}}; all but name optional.
 */
public record CreateNetworkBody(String name, String driver, Ipam ipam, Boolean internal, Boolean attachable,
                                Boolean enableIpv6, Map<String, String> options, Map<String, String> labels) {

    public record Ipam(List<Config> config) {
    }

    public record Config(String subnet, String ipRange, String gateway, Map<String, String> auxAddresses) {
    }

    NetworkRequest toRequest() {
        List<IpamConfig> configs = ipam == null || ipam.config() == null ? List.of()
                : ipam.config().stream()
                        .map(c -> new IpamConfig(c.subnet(), c.ipRange(), c.gateway(),
                                c.auxAddresses() == null ? Map.of() : c.auxAddresses()))
                        .toList();
        return new NetworkRequest(name, driver, configs, Boolean.TRUE.equals(internal),
                Boolean.TRUE.equals(attachable), Boolean.TRUE.equals(enableIpv6), options, labels);
    }
}
