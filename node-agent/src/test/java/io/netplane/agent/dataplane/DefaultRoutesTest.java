package io.netplane.agent.dataplane;

import io.netplane.agent.dataplane.DefaultRoutes.Attachment;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Docker's default-route rule (docker-facts §6.4/§6.5): the first non-internal network by name, with a gateway. */
class DefaultRoutesTest {
    private static final Attachment NET_B = new Attachment("net-b", false, "eth0", "10.1.0.1");
    private static final Attachment NET_A = new Attachment("net-a", false, "eth1", "10.2.0.1");
    private static final Attachment INTERNAL = new Attachment("aaa-int", true, "eth2", "10.3.0.1");
    private static final Attachment BRIDGE = new Attachment("bridge", false, "eth3", "172.17.0.1");

    @Test
    void theFirstNonInternalNetworkByNameWinsWhateverTheConnectOrder() {
        assertEquals(Optional.of(NET_B), DefaultRoutes.choose(List.of(NET_B)));
        assertEquals(Optional.of(NET_A), DefaultRoutes.choose(List.of(NET_B, NET_A)));
        assertEquals(Optional.of(NET_A), DefaultRoutes.choose(List.of(NET_A, INTERNAL, NET_B)));
        assertEquals(Optional.of(BRIDGE), DefaultRoutes.choose(List.of(NET_A, NET_B, BRIDGE))); // "bridge" < "net-a"
    }

    @Test
    void internalNetworksAndNetworksWithoutGatewayNeverCarryIt() {
        assertEquals(Optional.empty(), DefaultRoutes.choose(List.of(INTERNAL)));
        assertEquals(Optional.empty(), DefaultRoutes.choose(List.of()));
        Attachment noGateway = new Attachment("aa-nogw", false, "eth4", null);
        assertEquals(Optional.of(NET_B), DefaultRoutes.choose(List.of(noGateway, INTERNAL, NET_B)));
    }
}
