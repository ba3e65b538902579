package io.netplane.ipam.pool;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * What a candidate subnet must not overlap: the subnets of every network and every subnet a node routes.
 * Sorted by network address so one lookup costs a binary search plus the few wider prefixes before it.
 */
public final class TakenSubnets implements Predicate<Ipv4Subnet> {
    private final List<Ipv4Subnet> sorted;
    private final int widestPrefixLength;

    public TakenSubnets(Collection<Ipv4Subnet> subnets) {
        List<Ipv4Subnet> canonical = new ArrayList<>(subnets.size());
        subnets.forEach(s -> canonical.add(s.canonical()));
        canonical.sort(Comparator.comparingLong((Ipv4Subnet s) -> Integer.toUnsignedLong(s.network())));
        this.sorted = canonical;
        this.widestPrefixLength = canonical.stream().mapToInt(Ipv4Subnet::prefix).min().orElse(32);
    }

    public TakenSubnets plus(Ipv4Subnet extra) {
        List<Ipv4Subnet> more = new ArrayList<>(sorted);
        more.add(extra);
        return new TakenSubnets(more);
    }

    @Override
    public boolean test(Ipv4Subnet candidate) {
        return overlapping(candidate) != null;
    }

    /** The first taken subnet that overlaps {@code candidate}, or null. */
    public Ipv4Subnet overlapping(Ipv4Subnet candidate) {
        long low = Integer.toUnsignedLong(candidate.network());
        long high = Integer.toUnsignedLong(candidate.broadcast());
        // a taken subnet overlapping the candidate starts at most at its end, and, being at most
        // 2^(32 - widest) wide, no earlier than that much before its start
        long from = low - (1L << (32 - widestPrefixLength)) + 1;
        int i = firstAtOrAfter(Math.max(0, from));
        for (; i < sorted.size(); i++) {
            Ipv4Subnet taken = sorted.get(i);
            if (Integer.toUnsignedLong(taken.network()) > high) {
                return null;
            }
            if (taken.overlaps(candidate)) {
                return taken;
            }
        }
        return null;
    }

    private int firstAtOrAfter(long address) {
        int lo = 0;
        int hi = sorted.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Integer.toUnsignedLong(sorted.get(mid).network()) < address) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    public int count() {
        return sorted.size();
    }
}
