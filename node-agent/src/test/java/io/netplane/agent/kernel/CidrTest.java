package io.netplane.agent.kernel;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CidrTest {
    @Test
    void parsesNetworksAndBroadcasts() {
        Cidr gateway = Cidr.parse("172.18.3.1/16");
        assertEquals("172.18.0.0/16", gateway.network().toString());
        assertEquals("172.18.255.255", gateway.broadcast().getHostAddress());
        assertEquals("10.0.0.7/32", Cidr.parse("10.0.0.7").toString());
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("example.com/24"));
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.0/33"));
    }
}
