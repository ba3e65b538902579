package io.netplane.api.audit;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the next page starts, opaque to the caller. An index page ends at a row: the next one starts after
 * its place in the order. A log page ends at a position per partition: the next one reads each partition on
 * from there (a partition left out is exhausted), so a page never skips a record whatever the timestamps.
 */
public sealed interface AuditCursor {

    /** The last row of an index page, in {@link LoggedEvent#ORDER}. */
    record After(long logTime, int rank, int partition, long offset) implements AuditCursor {
    }

    /** The next offset of each partition (by topic rank) that a log page did not exhaust. */
    record Positions(Map<PartitionRef, Long> next) implements AuditCursor {
    }

    record PartitionRef(int rank, int partition) {
    }

    default String encode() {
        String text;
        if (this instanceof After a) {
            text = "i." + a.logTime() + "." + a.rank() + "." + a.partition() + "." + a.offset();
        } else {
            StringBuilder b = new StringBuilder("k");
            ((Positions) this).next().forEach((p, offset) ->
                    b.append('.').append(p.rank()).append('-').append(p.partition()).append('-').append(offset));
            text = b.toString();
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The cursor of {@code text}, or an IllegalArgumentException. */
    static AuditCursor decode(String text) {
        String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
        String[] parts = plain.split("\\.", -1);
        if (parts[0].equals("i") && parts.length == 5) {
            return new After(Long.parseLong(parts[1]), Integer.parseInt(parts[2]), Integer.parseInt(parts[3]),
                    Long.parseLong(parts[4]));
        }
        if (parts[0].equals("k")) {
            Map<PartitionRef, Long> next = new LinkedHashMap<>();
            for (int i = 1; i < parts.length; i++) {
                String[] p = parts[i].split("-");
                if (p.length != 3) {
                    throw new IllegalArgumentException("bad position " + parts[i]);
                }
                next.put(new PartitionRef(Integer.parseInt(p[0]), Integer.parseInt(p[1])), Long.parseLong(p[2]));
            }
            return new Positions(next);
        }
        throw new IllegalArgumentException("unknown cursor");
    }
}
