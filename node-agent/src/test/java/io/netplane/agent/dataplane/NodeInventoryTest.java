package io.netplane.agent.dataplane;

import io.netplane.agent.kernel.Cidr;
import io.netplane.agent.kernel.Route;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class NodeInventoryTest {
    private static Route route(String destination, int link) {
        return new Route(Cidr.parse(destination), null, link, Route.RT_TABLE_MAIN, 2, 253, Route.RTN_UNICAST, null);
    }

    @Test
    void routedSubnetsSkipDefaultRoutesAndThisNodesLinks() {
        List<Route> routes = List.of(
                route("0.0.0.0/0", 2),
                route("10.0.2.0/24", 2),
                route("172.17.0.0/16", 5), // docker0
                route("172.18.0.0/16", 9), // a bridge this node marked
                new Route(Cidr.parse("10.9.9.0/24"), null, 0, Route.RT_TABLE_MAIN, 4, 0, 6, null)); // blackhole
        assertEquals(List.of("10.0.2.0/24", "172.17.0.0/16"), NodeInventory.routedSubnets(routes, Set.of(9)));
    }
}
