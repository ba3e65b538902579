package io.netplane.events.data;

import io.netplane.events.EventData;

import java.util.List;

/**
 * {@code sandbox.create.requested}: a sandbox for {@code node} (chosen by api-service) in {@code mode};
 * {@code dns}, {@code dnsSearch}, {@code dnsOptions} as {@link Sandbox} has them. Events written before those
 * three fields decode with null.
 */
public record SandboxCreateRequested(String sandboxId, String name, String node, String mode, String hostname,
                                     String containerOf, List<EndpointRequest> networks, List<PortBinding> ports,
                                     List<String> dns, List<String> dnsSearch, List<String> dnsOptions)
        implements EventData {

    public SandboxCreateRequested(String sandboxId, String name, String node, String mode, String hostname,
                                  String containerOf, List<EndpointRequest> networks, List<PortBinding> ports) {
        this(sandboxId, name, node, mode, hostname, containerOf, networks, ports, null, null, null);
    }
}
