package io.netplane.api.readmodel;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.netplane.events.data.Network;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A network in the native API: ipam's record plus what each node reported. {@code ready} is true when
 * every ready node reports it ready (host and null networks have nothing to build: always ready).
 * {@code containers}: the sandboxes attached to it, by sandbox id (as Docker's network inspect).
 */
public record NetworkView(String id, String name, String driver, String scope, List<Subnet> subnets,
                          boolean internal, boolean attachable, Map<String, String> options,
                          Map<String, String> labels, String bridge, boolean predefined, Instant created,
                          Map<String, NodeState> nodes, boolean ready, Map<String, Container> containers) {

    /** The view of ipam's record alone, for when the read model has not caught up yet. */
    public static NetworkView of(Network n, boolean ready) {
        List<Subnet> subnets = n.subnets() == null ? List.of() : n.subnets().stream()
                .map(s -> new Subnet(s.family() == null ? null : s.family().name(), s.subnet(), s.gateway(), s.ipRange()))
                .toList();
        return new NetworkView(n.id(), n.name(), n.driver(), n.scope(), subnets, n.internal(), n.attachable(),
                n.options() == null ? Map.of() : n.options(), n.labels() == null ? Map.of() : n.labels(),
                n.bridge(), n.predefined(), n.created(), Map.of(), ready, Map.of());
    }

    public record Subnet(String family, String subnet, String gateway, String ipRange) {
    }

    /** One attached sandbox: its name, endpoint, MAC and {@code address/prefix}. */
    public record Container(String name, String endpointId, String macAddress, String ipv4Address) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NodeState(String state, String bridge, Integer ifindex, String error) {
    }
}
