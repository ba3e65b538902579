package io.netplane.agent.dns;

import io.netplane.agent.IpCommand;
import io.netplane.agent.reconcile.DesiredChange;
import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.Keys;
import io.netplane.events.Subject;
import io.netplane.events.data.Endpoint;
import io.netplane.events.data.EndpointAddress;
import io.netplane.events.data.Family;
import io.netplane.events.data.Network;
import io.netplane.events.data.Sandbox;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Tests only: desired records as ipam writes them. */
final class DnsRecords {
    private DnsRecords() {
    }

    static Network userNetwork(String name) {
        return new Network(IpCommand.hex(32), name, "bridge", "local", List.of(), false, false, false, Map.of(),
                Map.of(), null, "br-" + IpCommand.hex(6), false, Instant.now());
    }

    static Network defaultBridge() {
        return new Network(IpCommand.hex(32), "bridge", "bridge", "local", List.of(), false, false, false, Map.of(),
                Map.of(), null, "np0", true, Instant.now());
    }

    static Sandbox sandbox(String name, String node) {
        String id = IpCommand.hex(32);
        return new Sandbox(id, name, node, "bridge", "np-" + id.substring(0, 12), null, null, List.of(), Instant.now());
    }

    static Endpoint endpoint(Sandbox sandbox, Network network, String address, String... aliases) {
        return new Endpoint(IpCommand.hex(32), sandbox.id(), network.id(), sandbox.node(), "eth0",
                List.of(new EndpointAddress(Family.ipv4, address, 24, null)), "02:42:00:00:00:01", List.of(),
                List.of(aliases), Instant.now());
    }

    static DesiredChange desired(Network network) {
        return new DesiredChange(Keys.desiredNetwork(network.id()),
                Envelope.of(EventType.NETWORK_DESIRED, Subject.network(network.id()), network, "test"), null);
    }

    static DesiredChange desired(Sandbox sandbox) {
        return new DesiredChange(Keys.desiredSandbox(sandbox.id()),
                Envelope.of(EventType.SANDBOX_DESIRED, Subject.sandbox(sandbox.id()), sandbox, "test"), null);
    }

    static DesiredChange desired(Endpoint endpoint) {
        return new DesiredChange(Keys.desiredEndpoint(endpoint.id()),
                Envelope.of(EventType.ENDPOINT_DESIRED, Subject.endpoint(endpoint.id()), endpoint, "test"), null);
    }

    static DesiredChange tombstone(Endpoint endpoint) {
        return new DesiredChange(Keys.desiredEndpoint(endpoint.id()), null, null);
    }

    static DesiredChange tombstone(Sandbox sandbox) {
        return new DesiredChange(Keys.desiredSandbox(sandbox.id()), null, null);
    }
}
