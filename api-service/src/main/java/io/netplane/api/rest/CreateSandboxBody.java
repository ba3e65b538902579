package io.netplane.api.rest;

import io.netplane.api.operations.SandboxRequest;

import java.util.List;

/**
 * The native create body: {@code {"name", "network", "node", "hostname", "ipv4Address", "aliases",
 * "ports": [{"containerPort", "hostPort", "protocol", "hostIp"}]}}; all but name optional.
 */
public record CreateSandboxBody(String name, String network, String node, String hostname, String ipv4Address,
                                List<String> aliases, List<SandboxRequest.Port> ports) {

    SandboxRequest toRequest() {
        return new SandboxRequest(name, network, node, hostname, ipv4Address, aliases, ports);
    }
}
