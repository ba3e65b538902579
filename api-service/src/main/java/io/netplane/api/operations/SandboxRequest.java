package io.netplane.api.operations;

import java.util.List;

/**
 * A sandbox create request, whichever API it came through. {@code network}: a network name, id or id
 * prefix (null = the default bridge). Ports: {@code hostPort} 0 = ephemeral, {@code protocol} null = tcp,
 * {@code hostIp} null = 0.0.0.0. {@code dns}, {@code dnsSearch}, {@code dnsOptions}: the sandbox's resolv.conf
 * (docker run --dns, --dns-search, --dns-option); null = the host's.
 */
public record SandboxRequest(String name, String network, String node, String hostname, String ipv4Address,
                             List<String> aliases, List<Port> ports, List<String> dns, List<String> dnsSearch,
                             List<String> dnsOptions) {

    public record Port(Integer containerPort, Integer hostPort, String protocol, String hostIp) {
    }
}
