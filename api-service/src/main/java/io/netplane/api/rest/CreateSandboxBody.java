package io.netplane.api.rest;

import io.netplane.api.operations.SandboxRequest;

import java.util.List;

/**
 * The native create body: {@code {"name", "network", "node", "hostname", "ipv4Address", "aliases",
 * "ports": [{"containerPort", "hostPort", "protocol", "hostIp"}], "dns", "dnsSearch", "dnsOptions"}}; all but
 * name optional.
 */
public record CreateSandboxBody(String name, String network, String node, String hostname, String ipv4Address,
                                List<String> aliases, List<SandboxRequest.Port> ports,
                                List<String> dns, List<String> dnsSearch, List<String> dnsOptions) {

    SandboxRequest toRequest() {
        return new SandboxRequest(name, network, node, hostname, ipv4Address, aliases, ports, dns, dnsSearch, dnsOptions);
    }
}
