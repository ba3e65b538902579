package io.netplane.ipam.api;

import io.agroal.api.AgroalDataSource;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** {@code GET /ipam/nodes/{node}/ports}: the host ports bound on a node, with their owners. */
@Path("/ipam/nodes/{node}/ports")
@Produces(MediaType.APPLICATION_JSON)
public class PortResource {

    public record BoundPort(String protocol, String hostIp, int hostPort, int containerPort, boolean ephemeral,
                            String endpointId, String sandboxId, String sandboxName, String containerAddress) {
    }

    private final AgroalDataSource dataSource;

    public PortResource(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    @GET
    public List<BoundPort> ports(@PathParam("node") String node) throws SQLException {
        List<BoundPort> ports = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("select b.protocol, host(b.host_ip), b.host_port, "
                     + "b.container_port, b.ephemeral, e.id, e.sandbox_id, s.name, host(e.address) from port_bindings b "
                     + "join endpoints e on e.id = b.endpoint_id join sandboxes s on s.id = e.sandbox_id "
                     + "where b.node = ? order by b.protocol, b.host_port, b.host_ip")) {
            select.setString(1, node);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    ports.add(new BoundPort(row.getString(1), row.getString(2), row.getInt(3), row.getInt(4),
                            row.getBoolean(5), row.getString(6), row.getString(7), row.getString(8), row.getString(9)));
                }
            }
        }
        return ports;
    }
}
