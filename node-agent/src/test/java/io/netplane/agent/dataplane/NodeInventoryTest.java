package io.netplane.agent.dataplane;

import io.netplane.agent.kernel.Cidr;
import io.netplane.agent.kernel.KernelModules;
import io.netplane.agent.kernel.Route;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

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

    @Test
    void capabilitiesFollowTheModulesTheUnderlayTheFirewallAndDns(@TempDir Path root) throws IOException {
        Path sys = Files.createDirectories(root.resolve("sys/module"));
        Path lib = Files.createDirectories(root.resolve("lib/modules/6.1.0"));
        Files.createDirectories(sys.resolve("bridge"));
        Underlay underlay = new Underlay((java.net.Inet4Address) InetAddress.getByName("198.18.0.11"), 1500);
        KernelModules modules = new KernelModules(sys, lib);

        assertEquals(List.of("bridge"), NodeInventory.capabilities(modules, underlay, false, false));
        // installed, not loaded yet: the kernel loads it on the first vxlan link
        Files.writeString(lib.resolve("modules.dep"),
                "kernel/drivers/net/vxlan/vxlan.ko.xz: kernel/net/ipv4/udp_tunnel.ko.xz\n");
        assertEquals(List.of("bridge", "overlay", "nftables", "dns"), NodeInventory.capabilities(modules, underlay, true, true));
        // no underlay address: no overlay, whatever the kernel has
        assertEquals(List.of("bridge", "nftables"), NodeInventory.capabilities(modules, Underlay.NONE, true, false));
        // a bridge built in and vxlan missing
        KernelModules builtIn = new KernelModules(root.resolve("empty"), lib.resolve("none"));
        Files.createDirectories(lib.resolve("none"));
        Files.writeString(lib.resolve("none/modules.builtin"), "kernel/net/bridge/bridge.ko\nkernel/net/vxlanx/novxlan.ko\n");
        assertEquals(List.of("bridge"), NodeInventory.capabilities(builtIn, underlay, false, false));
    }
}
