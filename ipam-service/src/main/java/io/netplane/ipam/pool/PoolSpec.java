package io.netplane.ipam.pool;

/**
 * One entry of Docker's {@code default-address-pools}: {@code base} cut into subnets of prefix {@code size}
 * ({@code 192.168.0.0/16} size 20 → 192.168.0.0/20, 192.168.16.0/20, … 192.168.240.0/20).
 */
public record PoolSpec(Ipv4Subnet base, int size) {

    public PoolSpec {
        if (base.hasHostBits()) {
            throw new IllegalArgumentException("pool base " + base.asWritten() + " has host bits set");
        }
        if (size < base.prefix() || size > 32) {
            throw new IllegalArgumentException("pool " + base + ": size " + size + " must be in "
                    + base.prefix() + "..32");
        }
    }

    public static PoolSpec of(String base, int size) {
        return new PoolSpec(Ipv4Subnet.parse(base), size);
    }

    /** How many subnets of {@code size} the base holds. */
    public long count() {
        return 1L << (size - base.prefix());
    }

    public Ipv4Subnet subnet(long index) {
        if (index < 0 || index >= count()) {
            throw new IndexOutOfBoundsException("pool " + this + " has " + count() + " subnets, not #" + index);
        }
        return new Ipv4Subnet(base.network() + (int) (index << (32 - size)), size);
    }

    @Override
    public String toString() {
        return base + " size " + size;
    }
}
