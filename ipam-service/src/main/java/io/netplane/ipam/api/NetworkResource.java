package io.netplane.ipam.api;

import io.agroal.api.AgroalDataSource;
import io.netplane.events.data.Network;
import io.netplane.events.data.SubnetAllocation;
import io.netplane.ipam.allocation.NetworkStore;
import io.netplane.ipam.pool.Ipv4Subnet;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code GET /ipam/networks/{id}} (id or name): the network as ipam holds it, and each subnet's utilisation. */
@Path("/ipam/networks")
@Produces(MediaType.APPLICATION_JSON)
public class NetworkResource {

    /** Addresses of a subnet: usable hosts, how many are allocated (the gateway, so far), how many free. */
    public record SubnetUsage(String family, String subnet, String gateway, String ipRange, boolean auto,
                              boolean gatewayGiven, long addresses, long allocated, long free) {
    }

    public record NetworkUsage(Network network, List<SubnetUsage> subnets) {
    }

    private final AgroalDataSource dataSource;
    private final NetworkStore store;

    public NetworkResource(AgroalDataSource dataSource, NetworkStore store) {
        this.dataSource = dataSource;
        this.store = store;
    }

    @GET
    public List<Network> all() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return store.all(c);
        }
    }

    @GET
    @Path("{id}")
    public Response one(@PathParam("id") String id) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Optional<Network> network = id.length() == 64 ? store.find(c, id) : Optional.empty();
            if (network.isEmpty()) {
                network = store.findByName(c, id);
            }
            if (network.isEmpty()) {
                return Response.status(404).type(MediaType.APPLICATION_JSON)
                        .entity(Map.of("message", "network " + id + " not found")).build();
            }
            return Response.ok(new NetworkUsage(network.get(),
                    network.get().subnets().stream().map(NetworkResource::usage).toList())).build();
        }
    }

    static SubnetUsage usage(SubnetAllocation s) {
        Ipv4Subnet subnet = Ipv4Subnet.parse(s.subnet());
        Ipv4Subnet range = s.ipRange() == null ? subnet : Ipv4Subnet.parse(s.ipRange());
        // network and broadcast addresses are never handed out (the range's own first address may be: 9.2)
        long addresses = subnet.size() - 2;
        long allocated = s.gateway() == null ? 0 : 1;
        return new SubnetUsage(s.family().name(), s.subnet(), s.gateway(), s.ipRange(), s.auto(), s.gatewayGiven(),
                addresses, allocated, addresses - allocated);
    }
}
