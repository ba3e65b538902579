package io.netplane.agent.dataplane;

import io.netplane.agent.kernel.Cidr;
import io.netplane.events.data.EndpointAddress;
import io.netplane.events.data.Family;
import io.netplane.events.data.PortBinding;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;

/**
 * One published port as the firewall sees it: {@code protocol} tcp/udp, {@code hostIp} a host IPv4 address or
 * null for all of them, {@code hostPort} → {@code address}:{@code containerPort} (the endpoint's IPv4 address).
 */
public record PortMapping(String protocol, String hostIp, int hostPort, String address, int containerPort) {

    /**
     * The IPv4 mappings of an endpoint's published ports. IPv6 host IPs ({@code ::}) are left for dual-stack;
     * a port without an allocated host port is an error (ipam allocates ephemeral ones).
     */
    public static List<PortMapping> of(String endpointId, List<PortBinding> bindings, List<EndpointAddress> addresses) {
        if (bindings == null || bindings.isEmpty()) {
            return List.of();
        }
        String address = addresses == null ? null : addresses.stream()
                .filter(a -> a.family() == Family.ipv4).map(EndpointAddress::address).findFirst().orElse(null);
        if (address == null) {
            throw new DataplaneException("endpoint " + endpointId + " publishes ports but has no IPv4 address");
        }
        List<PortMapping> mappings = new ArrayList<>();
        for (PortBinding binding : bindings) {
            String protocol = binding.protocol() == null ? "tcp" : binding.protocol().toLowerCase();
            if (!protocol.equals("tcp") && !protocol.equals("udp")) {
                throw new DataplaneException("endpoint " + endpointId + ": protocol " + protocol + " not supported");
            }
            if (binding.hostPort() < 1 || binding.hostPort() > 65535 || binding.containerPort() < 1
                    || binding.containerPort() > 65535) {
                throw new DataplaneException("endpoint " + endpointId + ": invalid port binding " + binding);
            }
            String hostIp = binding.hostIp() == null || binding.hostIp().isBlank() || binding.hostIp().equals("0.0.0.0")
                    ? null : binding.hostIp();
            if (hostIp != null && !(Cidr.literal(hostIp) instanceof Inet4Address)) {
                continue; // IPv6 host IP: dual-stack comes later
            }
            mappings.add(new PortMapping(protocol, hostIp, binding.hostPort(), address, binding.containerPort()));
        }
        return List.copyOf(mappings);
    }

    /** "0.0.0.0:18080" as Docker prints it in its messages. */
    public String hostSide() {
        return (hostIp == null ? "0.0.0.0" : hostIp) + ":" + hostPort;
    }
}
