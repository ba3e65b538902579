package io.netplane.agent.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import io.netplane.agent.IpCommand;
import io.netplane.agent.TestRequirements;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** As root, against the real kernel: a bridge built through JNA netlink, checked with iproute2. */
class BridgeKernelTest {
    private final String name = "npt" + IpCommand.hex(4);
    private final int octet = IpCommand.random(1, 250);
    private final String alias = "netplane:kernel-test:network:" + IpCommand.hex(32);
    private Rtnetlink kernel;

    @BeforeEach
    void open() {
        TestRequirements.requireRoot();
        kernel = Rtnetlink.open();
    }

    @AfterEach
    void cleanUp() {
        try {
            if (kernel != null) {
                kernel.links().deleteByName(name);
                kernel.close();
            }
        } finally {
            IpCommand.deleteQuietly(name); // last resort if netlink itself is what broke
        }
    }

    @Test
    void bridgeIsCreatedMarkedAddressedUpListedAndDeleted() {
        Link created = kernel.links().createBridge(name, alias);
        assertEquals(name, created.name());
        assertEquals("bridge", created.kind());
        assertEquals(alias, created.alias());

        Cidr gateway = Cidr.parse("10.213." + octet + ".1/24");
        assertTrue(kernel.addresses().add(created.index(), name, gateway));
        assertFalse(kernel.addresses().add(created.index(), name, gateway), "EEXIST means present");
        kernel.links().setUp(created.index(), name);

        JsonNode shown = IpCommand.link(name).orElseThrow();
        assertEquals(alias, shown.path("ifalias").asText());
        assertEquals("bridge", shown.path("linkinfo").path("info_kind").asText());
        assertEquals(0, shown.path("linkinfo").path("info_data").path("mcast_snooping").asInt(-1),
                "multicast snooping off (O(ports) timers per port state change)");
        assertEquals("3", sysfs(name, "addr_assign_type"), "a MAC of its own (NET_ADDR_SET), not its lowest port's");
        assertEquals(2, Integer.parseInt(shown.path("address").asText().substring(0, 2), 16) & 3, shown.toString());
        assertTrue(shown.path("flags").toString().contains("\"UP\""), shown.path("flags").toString());
        assertTrue(IpCommand.hasAddress(name, "10.213." + octet + ".1", 24));
        assertEquals("10.213." + octet + ".255", IpCommand.addresses(name).get(0).path("broadcast").asText());

        Link listed = kernel.links().list().stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow();
        assertEquals(created.index(), listed.index());
        assertEquals(alias, listed.alias());
        assertTrue(listed.isUp());
        assertEquals(List.of(new Address(created.index(), gateway, name)), // plus the kernel's IPv6 link-local
                kernel.addresses().list(created.index()).stream().filter(a -> a.cidr().isIpv4()).toList());

        Route route = kernel.routes().listIpv4Main().stream()
                .filter(r -> r.outputIndex() == created.index()).findFirst().orElseThrow();
        assertEquals("10.213." + octet + ".0/24", route.destination().toString());

        kernel.links().delete(created.index(), name);
        assertTrue(kernel.links().get(name).isEmpty());
        assertTrue(IpCommand.link(name).isEmpty());
        assertFalse(kernel.links().deleteByName(name), "deleting a gone link is idempotent");
    }

    @Test
    void kernelErrorsCarryOperationErrnoAndName() {
        kernel.links().createBridge(name, alias);
        KernelException e = assertThrows(KernelException.class, () -> kernel.links().createBridge(name, alias));
        assertEquals(Errno.EEXIST, e.errno());
        assertEquals("EEXIST", e.errnoName());
        assertTrue(e.getMessage().startsWith("create bridge " + name + ": File exists (EEXIST)"), e.getMessage());
        assertEquals(alias, IpCommand.link(name).orElseThrow().path("ifalias").asText(), "the first bridge is untouched");

        KernelException noDevice = assertThrows(KernelException.class, () -> kernel.links().setUp(999_999, "nosuch"));
        assertEquals("set nosuch up: No such device (ENODEV)", noDevice.getMessage());
    }

    private static String sysfs(String link, String attribute) {
        try {
            return Files.readString(Path.of("/sys/class/net", link, attribute)).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
