package io.netplane.ipam.allocation;

import io.netplane.events.data.Family;
import io.netplane.events.data.Network;
import io.netplane.events.data.SubnetAllocation;
import io.netplane.ipam.pool.Ipv4Address;
import io.netplane.ipam.pool.Ipv4Subnet;
import io.netplane.ipam.pool.Pools;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code host}, {@code none} and {@code bridge}: created once, kept in the database (their ids never change),
 * published through the outbox like any network. {@code bridge} waits for the first node, because it must
 * avoid what the nodes already route (docker0 on a host that runs Docker).
 */
@ApplicationScoped
public class PredefinedNetworks {
    public static final String BRIDGE = "bridge";
    private static final Logger LOG = Logger.getLogger(PredefinedNetworks.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final NetworkStore store;
    private final SubnetPicker picker;
    private final Pools pools;
    private final Outcomes outcomes;
    private final String defaultBridgeName;

    public PredefinedNetworks(NetworkStore store, SubnetPicker picker, Pools pools, Outcomes outcomes,
                              @ConfigProperty(name = "netplane.bridge.default-name") String defaultBridgeName) {
        this.store = store;
        this.picker = picker;
        this.pools = pools;
        this.outcomes = outcomes;
        this.defaultBridgeName = defaultBridgeName;
    }

    public void ensureHostAndNone(Connection c) throws SQLException {
        insertOnce(c, network("host", "host", List.of(), null, Map.of()));
        insertOnce(c, network("none", "null", List.of(), null, Map.of()));
    }

    /** Creates {@code bridge} if it is missing and a node is known. @return true when it was created now */
    public boolean ensureBridge(Connection c) throws SQLException {
        if (store.exists(c, BRIDGE)) {
            return false;
        }
        if (store.nodeCount(c) == 0) {
            LOG.info("the default network bridge waits for the first node (its subnet must avoid the node's routes)");
            return false;
        }
        Optional<Ipv4Subnet> free = picker.firstFree(c, pools.defaults());
        if (free.isEmpty()) {
            LOG.errorf("cannot create the default network bridge: every default pool overlaps a network or a "
                    + "node's routes (%s)", pools.defaults().pools());
            return false;
        }
        Ipv4Subnet subnet = free.get();
        Ipv4Subnet preferred = pools.defaults().get(0);
        if (!subnet.equals(preferred)) {
            List<String> routing = store.nodesRouting(c, preferred);
            LOG.warnf("default network bridge gets %s, not %s: %s", subnet, preferred, routing.isEmpty()
                    ? "a network uses it" : "node(s) " + String.join(", ", routing) + " already route it");
        }
        Map<String, String> options = new LinkedHashMap<>();
        options.put("com.docker.network.bridge.default_bridge", "true");
        options.put("com.docker.network.bridge.enable_icc", "true");
        options.put("com.docker.network.bridge.enable_ip_masquerade", "true");
        options.put("com.docker.network.bridge.host_binding_ipv4", "0.0.0.0");
        options.put(BridgeName.OPTION, defaultBridgeName);
        options.put("com.docker.network.driver.mtu", "1500");
        SubnetAllocation allocation = new SubnetAllocation(Family.ipv4, subnet.toString(),
                Ipv4Address.format(subnet.firstHost()), null, true, false);
        boolean created = insertOnce(c, network(BRIDGE, "bridge", List.of(allocation), defaultBridgeName, options));
        if (created) {
            LOG.infof("created the default network bridge: %s gateway %s, Linux bridge %s", subnet,
                    allocation.gateway(), defaultBridgeName);
        }
        return created;
    }

    private static Network network(String name, String driver, List<SubnetAllocation> subnets, String bridge,
                                   Map<String, String> options) {
        return new Network(HexFormat.of().formatHex(randomBytes()), name, driver, "local", subnets, false, false,
                false, options, Map.of(), null, bridge, true, NetworkAllocator.now());
    }

    private static byte[] randomBytes() {
        byte[] id = new byte[32];
        RANDOM.nextBytes(id);
        return id;
    }

    /** Inserts unless a network of that name exists (another replica may be doing the same right now). */
    private boolean insertOnce(Connection c, Network network) throws SQLException {
        if (store.exists(c, network.name())) {
            return false;
        }
        var before = c.setSavepoint();
        try {
            store.insert(c, network);
        } catch (SQLException e) {
            c.rollback(before);
            if ("23505".equals(e.getSQLState())) {
                return false;
            }
            throw e;
        }
        c.releaseSavepoint(before);
        outcomes.created(c, null, network);
        return true;
    }
}
