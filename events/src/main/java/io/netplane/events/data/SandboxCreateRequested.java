package io.netplane.events.data;

import io.netplane.events.EventData;

import java.util.List;

/** {@code sandbox.create.requested}: a sandbox for {@code node} (chosen by api-service) in {@code mode}. */
public record SandboxCreateRequested(String sandboxId, String name, String node, String mode, String hostname,
                                     String containerOf, List<EndpointRequest> networks, List<PortBinding> ports)
        implements EventData {
}
