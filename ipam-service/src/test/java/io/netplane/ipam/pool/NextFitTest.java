package io.netplane.ipam.pool;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The arithmetic of libnetwork's next-fit, without a database (the order through the real path: DefaultPoolOrderTest). */
class NextFitTest {
    private final PoolSet set = PoolSetTest.dockerDefaults();
    private final List<Ipv4Subnet> taken = new ArrayList<>();
    private int cursor;

    private String next() {
        Optional<NextFit.Pick> pick = NextFit.find(set, cursor, new TakenSubnets(taken));
        if (pick.isEmpty()) {
            return "exhausted";
        }
        cursor = pick.get().cursor();
        taken.add(pick.get().subnet());
        return pick.get().subnet().toString();
    }

    private void free(String subnet) {
        taken.remove(Ipv4Subnet.parse(subnet));
    }

    @Test
    void followsDockersObservedSequence() {
        assertEquals("172.17.0.0/16", next()); // docker0
        for (int i = 18; i <= 22; i++) {
            assertEquals("172." + i + ".0.0/16", next());
        }
        free("172.19.0.0/16");
        assertEquals("172.23.0.0/16", next()); // the freed one is not reused yet
        for (int i = 24; i <= 31; i++) {
            assertEquals("172." + i + ".0.0/16", next());
        }
        for (int i = 0; i < 16; i++) {
            assertEquals("192.168." + (16 * i) + ".0/20", next());
        }
        assertEquals(0, cursor, "the cursor reached the end of the list: reset to 0");
        assertEquals("172.19.0.0/16", next()); // wrapped: first free
        assertEquals("exhausted", next());
    }

    @Test
    void cursorIsResetNotTakenModuloAfterAWrap() {
        // docker-facts 9.1: only index 1 free, cursor 6 → 172.18; then 172.18 and 172.21 freed → 172.18 again
        for (int i = 0; i < set.size(); i++) {
            if (i != 1) {
                taken.add(set.get(i));
            }
        }
        cursor = 6;
        assertEquals("172.18.0.0/16", next());
        assertEquals(0, cursor);
        free("172.18.0.0/16");
        free("172.21.0.0/16");
        assertEquals("172.18.0.0/16", next(), "search starts at pool 0, not at index 2");
        assertEquals(2, cursor);
        assertEquals("172.21.0.0/16", next());
        assertEquals(5, cursor);
    }

    @Test
    void newCursorIsStartPlusOffsetPlusOne() {
        cursor = 3;
        taken.add(set.get(3));
        taken.add(set.get(4));
        assertEquals(set.get(5).toString(), next());
        assertEquals(6, cursor);
    }

    @Test
    void lastEntryResetsTheCursor() {
        cursor = 30;
        assertEquals("192.168.240.0/20", next());
        assertEquals(0, cursor);
    }

    @Test
    void skipsAnythingOverlappingIncludingWiderAndNarrowerSubnets() {
        taken.add(Ipv4Subnet.parse("172.16.0.0/12"));        // covers 172.16-172.31
        taken.add(Ipv4Subnet.parse("192.168.1.128/25"));      // inside 192.168.0.0/20
        assertEquals("192.168.16.0/20", next());
    }

    @Test
    void cursorOutsideTheListCountsAsZero() {
        cursor = 99;
        assertEquals("172.17.0.0/16", next());
        assertEquals(1, cursor);
    }

    @Test
    void exhaustionLeavesTheCursorAlone() {
        for (int i = 0; i < set.size(); i++) {
            taken.add(set.get(i));
        }
        cursor = 7;
        assertTrue(NextFit.find(set, cursor, new TakenSubnets(taken)).isEmpty());
    }

    @Test
    void takenSubnetsFindsOverlapsAcrossWidths() {
        TakenSubnets t = new TakenSubnets(List.of(Ipv4Subnet.parse("10.0.0.0/8"), Ipv4Subnet.parse("192.168.5.7/32"),
                Ipv4Subnet.parse("172.20.0.0/14")));
        assertTrue(t.test(Ipv4Subnet.parse("10.200.3.0/24")));
        assertTrue(t.test(Ipv4Subnet.parse("192.168.0.0/20")));
        assertTrue(t.test(Ipv4Subnet.parse("172.22.0.0/16")));
        assertTrue(t.test(Ipv4Subnet.parse("0.0.0.0/0")));
        assertEquals(false, t.test(Ipv4Subnet.parse("192.168.16.0/20")));
        assertEquals(false, t.test(Ipv4Subnet.parse("172.19.0.0/16")));
        assertEquals(false, t.test(Ipv4Subnet.parse("11.0.0.0/8")));
    }
}
