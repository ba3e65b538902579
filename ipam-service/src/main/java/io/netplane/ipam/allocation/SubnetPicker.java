package io.netplane.ipam.allocation;

import io.netplane.ipam.pool.Ipv4Subnet;
import io.netplane.ipam.pool.NextFit;
import io.netplane.ipam.pool.PoolSet;
import io.netplane.ipam.pool.Pools;
import io.netplane.ipam.pool.TakenSubnets;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Chooses automatic subnets: Docker's next-fit over a pool set, skipping networks' and nodes' subnets. */
@ApplicationScoped
public class SubnetPicker {
    static final String EXHAUSTED = "could not find an available, non-overlapping IPv4 address pool among the "
            + "defaults to assign to the network";

    private final NetworkStore store;
    private final Pools pools;

    public SubnetPicker(NetworkStore store, Pools pools) {
        this.store = store;
        this.pools = pools;
    }

    /** The next subnet of {@code set} for a new network; moves the persisted cursor. */
    public Ipv4Subnet next(Connection c, PoolSet set) throws SQLException {
        int cursor = store.lockCursor(c, set.name());
        TakenSubnets taken = taken(c);
        if (set == pools.defaults() && !store.exists(c, PredefinedNetworks.BRIDGE)) {
            // keep the default bridge's subnet for it while it waits for its first node, as docker0 has
            // 172.17.0.0/16 before any user network exists
            Optional<Ipv4Subnet> reserved = firstFree(pools.defaults(), taken);
            if (reserved.isPresent()) {
                taken = taken.plus(reserved.get());
            }
        }
        NextFit.Pick pick = NextFit.find(set, cursor, taken).orElseThrow(() -> new RejectedIntent(404, EXHAUSTED));
        store.saveCursor(c, set.name(), pick.cursor());
        return pick.subnet();
    }

    /** The first subnet of {@code set} from its start (not the cursor) that nothing takes: docker0's choice. */
    public Optional<Ipv4Subnet> firstFree(Connection c, PoolSet set) throws SQLException {
        store.lockCursor(c, set.name());
        return firstFree(set, taken(c));
    }

    private static Optional<Ipv4Subnet> firstFree(PoolSet set, TakenSubnets taken) {
        return NextFit.find(set, 0, taken).map(NextFit.Pick::subnet);
    }

    public TakenSubnets taken(Connection c) throws SQLException {
        List<Ipv4Subnet> taken = new ArrayList<>(store.ipv4Subnets(c));
        taken.addAll(store.routedSubnets(c));
        return new TakenSubnets(taken);
    }
}
