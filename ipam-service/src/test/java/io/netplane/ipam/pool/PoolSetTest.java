package io.netplane.ipam.pool;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PoolSetTest {
    /** libnetwork's localScopeDefaultNetworks, as application.properties configures them. */
    static PoolSet dockerDefaults() {
        return new PoolSet("default", List.of(
                PoolSpec.of("172.17.0.0/16", 16), PoolSpec.of("172.18.0.0/16", 16), PoolSpec.of("172.19.0.0/16", 16),
                PoolSpec.of("172.20.0.0/14", 16), PoolSpec.of("172.24.0.0/14", 16), PoolSpec.of("172.28.0.0/14", 16),
                PoolSpec.of("192.168.0.0/16", 20)));
    }

    @Test
    void dockerDefaultsAreThirtyOneSubnetsInDockersOrder() {
        PoolSet set = dockerDefaults();
        assertEquals(31, set.size());
        for (int i = 0; i < 15; i++) {
            assertEquals("172." + (17 + i) + ".0.0/16", set.get(i).toString());
        }
        for (int i = 0; i < 16; i++) {
            assertEquals("192.168." + (16 * i) + ".0/20", set.get(15 + i).toString());
        }
    }

    @Test
    void overlayPoolIsSixtyFiveThousandSlash24s() {
        PoolSet overlay = new PoolSet("overlay", List.of(PoolSpec.of("10.0.0.0/8", 24)));
        assertEquals(65536, overlay.size());
        assertEquals("10.0.0.0/24", overlay.get(0).toString());
        assertEquals("10.0.1.0/24", overlay.get(1).toString());
        assertEquals("10.255.255.0/24", overlay.get(65535).toString());
    }

    @Test
    void refusesBadPools() {
        assertThrows(IllegalArgumentException.class, () -> PoolSpec.of("10.0.0.0/16", 8));
        assertThrows(IllegalArgumentException.class, () -> PoolSpec.of("10.0.0.1/16", 24));
        assertThrows(IllegalArgumentException.class, () -> PoolSpec.of("10.0.0.0/16", 33));
    }
}
