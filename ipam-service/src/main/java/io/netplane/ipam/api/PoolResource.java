package io.netplane.ipam.api;

import io.agroal.api.AgroalDataSource;
import io.netplane.ipam.allocation.NetworkStore;
import io.netplane.ipam.pool.Ipv4Subnet;
import io.netplane.ipam.pool.PoolSet;
import io.netplane.ipam.pool.PoolSpec;
import io.netplane.ipam.pool.Pools;
import io.netplane.ipam.pool.TakenSubnets;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** {@code GET /ipam/pools}: each configured pool, how many of its subnets networks use, nodes route, are free. */
@Path("/ipam/pools")
@Produces(MediaType.APPLICATION_JSON)
public class PoolResource {

    public record PoolUsage(String set, String base, int size, long subnets, long used, long routed, long free,
                            Integer cursor) {
    }

    private final AgroalDataSource dataSource;
    private final NetworkStore store;
    private final Pools pools;

    public PoolResource(AgroalDataSource dataSource, NetworkStore store, Pools pools) {
        this.dataSource = dataSource;
        this.store = store;
        this.pools = pools;
    }

    @GET
    public List<PoolUsage> pools() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            TakenSubnets networks = new TakenSubnets(store.ipv4Subnets(c));
            TakenSubnets routed = new TakenSubnets(store.routedSubnets(c));
            List<PoolUsage> usage = new ArrayList<>();
            for (PoolSet set : pools.all()) {
                int cursor = store.cursor(c, set.name());
                for (PoolSpec pool : set.pools()) {
                    long used = 0;
                    long routedOnly = 0;
                    for (long i = 0; i < pool.count(); i++) {
                        Ipv4Subnet subnet = pool.subnet(i);
                        if (networks.test(subnet)) {
                            used++;
                        } else if (routed.test(subnet)) {
                            routedOnly++;
                        }
                    }
                    usage.add(new PoolUsage(set.name(), pool.base().toString(), pool.size(), pool.count(), used,
                            routedOnly, pool.count() - used - routedOnly, cursor));
                }
            }
            return usage;
        }
    }
}
