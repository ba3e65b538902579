package io.netplane.ipam.pool;

import java.util.Optional;
import java.util.function.Predicate;

/**
 * libnetwork's next-fit over predefined pools (ipam/allocator.go getPredefinedPool + updateStartIndex): the
 * search starts at the cursor, wraps to the start of the list, skips taken subnets; the new cursor is
 * {@code cursor + offset + 1}, and it is reset to 0 — not taken modulo — when that reaches the end of the
 * list. So after a pick that wrapped, the next search starts again at pool 0 (docker-facts 9.1).
 */
public final class NextFit {
    private NextFit() {
    }

    /** The pick: the subnet, its index in the set, and the cursor to persist. */
    public record Pick(Ipv4Subnet subnet, int index, int cursor) {
    }

    /** @param cursor the persisted cursor; a value outside the list (the list shrank) counts as 0 */
    public static Optional<Pick> find(PoolSet set, int cursor, Predicate<Ipv4Subnet> taken) {
        int size = set.size();
        int start = cursor < 0 || cursor >= size ? 0 : cursor;
        for (int offset = 0; offset < size; offset++) {
            int index = start + offset;
            if (index >= size) {
                index -= size;
            }
            Ipv4Subnet candidate = set.get(index);
            if (!taken.test(candidate)) {
                long next = (long) start + offset + 1;
                return Optional.of(new Pick(candidate, index, next >= size ? 0 : (int) next));
            }
        }
        return Optional.empty();
    }
}
