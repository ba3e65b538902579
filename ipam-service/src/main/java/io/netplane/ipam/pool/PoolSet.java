package io.netplane.ipam.pool;

import java.util.ArrayList;
import java.util.List;

/**
 * The ordered list of candidate subnets of a set of pools, as libnetwork builds it: every pool of the
 * configuration in order, each cut in address order. Indexed without materialising the list (the overlay
 * pool 10.0.0.0/8 as /24s holds 65,536 candidates).
 */
public final class PoolSet {
    private final String name;
    private final List<PoolSpec> pools;
    private final long[] starts;
    private final int size;

    public PoolSet(String name, List<PoolSpec> pools) {
        this.name = name;
        this.pools = List.copyOf(pools);
        this.starts = new long[pools.size()];
        long total = 0;
        for (int i = 0; i < pools.size(); i++) {
            starts[i] = total;
            total += pools.get(i).count();
        }
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("pool set " + name + " holds " + total + " subnets; too many");
        }
        this.size = (int) total;
    }

    public String name() { return name; }

    public List<PoolSpec> pools() { return pools; }

    /** Number of candidate subnets. */
    public int size() { return size; }

    public Ipv4Subnet get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("pool set " + name + " has " + size + " subnets, not #" + index);
        }
        int pool = pools.size() - 1;
        while (starts[pool] > index) {
            pool--;
        }
        return pools.get(pool).subnet(index - starts[pool]);
    }

    /** The index of {@code subnet} in the list (the first pool that cuts it), or -1 when no pool does. */
    public int indexOf(Ipv4Subnet subnet) {
        for (int i = 0; i < pools.size(); i++) {
            PoolSpec pool = pools.get(i);
            if (subnet.prefix() == pool.size() && pool.base().contains(subnet)) {
                long offset = (Integer.toUnsignedLong(subnet.network()) - Integer.toUnsignedLong(pool.base().network()))
                        >>> (32 - pool.size());
                return (int) (starts[i] + offset);
            }
        }
        return -1;
    }

    public List<Ipv4Subnet> all() {
        List<Ipv4Subnet> all = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            all.add(get(i));
        }
        return all;
    }
}
