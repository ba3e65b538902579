package io.netplane.agent.dns;

import io.netplane.agent.IpCommand;
import io.netplane.agent.Netns;
import io.netplane.agent.TestRequirements;
import io.netplane.agent.reconcile.DesiredChange;
import io.netplane.events.data.Endpoint;
import io.netplane.events.data.Network;
import io.netplane.events.data.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.netplane.agent.dns.DnsRecords.desired;
import static io.netplane.agent.dns.DnsRecords.endpoint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed's user-network DNS scenario with real namespaces: u1 and u2 on net1 (an alias on both), u3 on net2,
 * d1 on the default bridge only. Queried from inside the namespaces with glibc's resolver ({@code getent} via
 * {@code ip netns exec}, which reads /etc/netns/NS/resolv.conf) and with a raw client for exact rcodes.
 * Forwarded names go to the test's own resolver on 127.0.0.1, never the machine's.
 */
class EmbeddedDnsKernelTest {
    private final String node = "dnstest-" + IpCommand.hex(4);
    private final List<String> namespaces = new ArrayList<>();
    private EmbeddedDns dns;
    private TestUpstream upstream;
    private Path hostResolvConf;

    private final Network net1 = DnsRecords.userNetwork("dnsnet1-" + IpCommand.hex(3));
    private final Network net2 = DnsRecords.userNetwork("dnsnet2-" + IpCommand.hex(3));
    private final Network bridge = DnsRecords.defaultBridge();
    private final Sandbox u1 = DnsRecords.sandbox("dns-u1-" + IpCommand.hex(3), node);
    private final Sandbox u2 = DnsRecords.sandbox("dns-u2-" + IpCommand.hex(3), node);
    private final Sandbox u3 = DnsRecords.sandbox("dns-u3-" + IpCommand.hex(3), node);
    private final Sandbox d1 = DnsRecords.sandbox("dns-d1-" + IpCommand.hex(3), node);
    private final Endpoint e1 = endpoint(u1, net1, "10.231.1.2", "shared");
    private final Endpoint e2 = endpoint(u2, net1, "10.231.1.3", "web", "shared");
    private final Endpoint e3 = endpoint(u3, net2, "10.231.2.2");
    private final Endpoint ed = endpoint(d1, bridge, "10.231.0.2");

    @BeforeEach
    void setUp() throws Exception {
        TestRequirements.requireRoot();
        for (Sandbox sandbox : List.of(u1, u2, u3, d1)) {
            IpCommand.check("netns", "add", sandbox.netns());
            namespaces.add(sandbox.netns());
            IpCommand.check("-n", sandbox.netns(), "link", "set", "lo", "up");
        }
        upstream = new TestUpstream("203.0.113.7");
        hostResolvConf = Files.createTempFile("host-resolv", ".conf");
        Files.writeString(hostResolvConf, "# the test's stand-in for the host's resolv.conf\nnameserver 127.0.0.1\n");
        dns = new EmbeddedDns(node, new DnsSettings(true, List.of(upstream.address()), Duration.ofSeconds(1),
                DnsSettings.ETC_NETNS, hostResolvConf));
        Map<String, DesiredChange> listed = new LinkedHashMap<>();
        for (DesiredChange change : List.of(desired(net1), desired(net2), desired(bridge), desired(u1), desired(u2),
                desired(u3), desired(d1), desired(e1), desired(e2), desired(e3), desired(ed))) {
            listed.put(change.key(), change);
        }
        dns.listed(listed);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (dns != null) {
            dns.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        for (String netns : namespaces) {
            IpCommand.run("netns", "del", netns);
            Path folder = DnsSettings.ETC_NETNS.resolve(netns);
            for (String file : List.of("resolv.conf", "hosts")) {
                Files.deleteIfExists(folder.resolve(file));
            }
            Files.deleteIfExists(folder);
        }
        if (hostResolvConf != null) {
            Files.deleteIfExists(hostResolvConf);
        }
    }

    @Test
    void namesAliasesShortIdsAndNameDotNetworkResolveInsideTheSandbox() {
        assertEquals(List.of("10.231.1.3"), getent(u1, u2.name()));
        assertEquals(List.of("10.231.1.3"), getent(u1, "web"));
        assertEquals(List.of("10.231.1.2", "10.231.1.3"), getent(u1, "shared"), "an alias on two sandboxes: both");
        assertEquals(List.of("10.231.1.3"), getent(u1, u2.id().substring(0, 12)));
        assertEquals(List.of("10.231.1.3"), getent(u1, u2.name() + "." + net1.name()));
        assertEquals(List.of("10.231.1.2"), getent(u2, u1.name()));
        Message tcp = SandboxResolver.queryTcp(u1.netns(), "shared", Type.A);
        assertEquals(2, tcp.getSection(Section.ANSWER).size(), "TCP answers the same");
    }

    @Test
    void addressesOfTheSandboxesNetworksResolveBackAndAaaaOfALocalNameIsNoData() throws Exception {
        // glibc's reverse lookup (the sandbox's hosts file holds only its own addresses): a PTR query to 127.0.0.11
        Netns.Result reverse = Netns.run("ip", "netns", "exec", u1.netns(), "getent", "hosts", "10.231.1.3");
        assertEquals(0, reverse.exit(), reverse.err());
        assertEquals(List.of("10.231.1.3", u2.name() + "." + net1.name()), List.of(reverse.out().strip().split("\\s+")));
        try (SandboxResolver resolver = SandboxResolver.open(u1.netns(), 2000)) {
            Message aaaa = resolver.query(u2.name(), Type.AAAA);
            assertEquals(Rcode.NOERROR, aaaa.getRcode(), "a known name without IPv6: no data, not NXDOMAIN");
            assertTrue(aaaa.getSection(Section.ANSWER).isEmpty());
        }
    }

    @Test
    void namesOfOtherNetworksAreNxdomainAndTheDefaultBridgeHasNoServer() throws Exception {
        assertEquals(List.of(), getent(u1, u3.name()));
        assertEquals(List.of(), getent(u3, u1.name()));
        try (SandboxResolver resolver = SandboxResolver.open(u1.netns(), 2000)) {
            assertEquals(Rcode.NXDOMAIN, resolver.query(u3.name(), Type.A).getRcode());
            assertEquals(Rcode.NXDOMAIN, resolver.query(u3.name() + "." + net2.name(), Type.A).getRcode());
            assertEquals(Rcode.NXDOMAIN, resolver.query(d1.name(), Type.A).getRcode(), "forwarded: upstream says no");
        }
        try (SandboxResolver resolver = SandboxResolver.open(d1.netns(), 500)) {
            assertThrows(IOException.class, () -> resolver.query(u1.name(), Type.A), "no server on the default bridge");
        }
        assertEquals(Files.readString(hostResolvConf), read(d1, "resolv.conf"), "a copy of the host's");
        assertEquals("nameserver 127.0.0.11\noptions ndots:0\n", read(u1, "resolv.conf"));
        assertTrue(read(u1, "hosts").contains("10.231.1.2\t" + u1.id().substring(0, 12) + "\n"), read(u1, "hosts"));
        assertTrue(read(u1, "hosts").contains("127.0.0.1\tlocalhost\n"));
        assertTrue(read(d1, "hosts").contains("10.231.0.2\t" + d1.id().substring(0, 12) + "\n"));
        assertEquals(Map.of(u1.id(), u1.netns(), u2.id(), u2.netns(), u3.id(), u3.netns()), dns.serving());
    }

    @Test
    void aSandboxsOwnNameserversSearchDomainsAndOptionsAsDockerWritesThem() throws Exception {
        InetSocketAddress ownAddress = new InetSocketAddress(InetAddress.getByName("127.53." + IpCommand.random(1, 250)
                + "." + IpCommand.random(1, 250)), 53);
        try (TestUpstream own = new TestUpstream("198.51.100.9", ownAddress)) {
            Sandbox u4 = withDns(DnsRecords.sandbox("dns-u4-" + IpCommand.hex(3), node),
                    List.of(ownAddress.getAddress().getHostAddress()), List.of("example.test"), List.of("timeout:1"));
            Sandbox d2 = withDns(DnsRecords.sandbox("dns-d2-" + IpCommand.hex(3), node), List.of("192.0.2.53"),
                    List.of(), List.of("ndots:3"));
            for (Sandbox sandbox : List.of(u4, d2)) {
                IpCommand.check("netns", "add", sandbox.netns());
                namespaces.add(sandbox.netns());
                IpCommand.check("-n", sandbox.netns(), "link", "set", "lo", "up");
                dns.changed(desired(sandbox));
            }
            dns.changed(desired(endpoint(u4, net1, "10.231.1.4")));
            dns.changed(desired(endpoint(d2, bridge, "10.231.0.3")));

            // the embedded server: 127.0.0.11 only, the user's search and options, ndots:0 added
            assertEquals("nameserver 127.0.0.11\nsearch example.test\noptions timeout:1 ndots:0\n", read(u4, "resolv.conf"));
            // default bridge: its own nameserver and options replace the host's; an ndots of its own is kept
            assertEquals("nameserver 192.0.2.53\noptions ndots:3\n", read(d2, "resolv.conf"));
            assertEquals(List.of("198.51.100.9"), getent(u4, "forwarded.test"), "forwarded to its own nameserver");
            assertTrue(own.queries.get() > 0);
            assertEquals(List.of("203.0.113.7"), getent(u1, "forwarded.test"), "the others still use the node's");
            assertEquals(List.of("10.231.1.3"), getent(u4, u2.name()), "local names are still answered");
        }
    }

    private static Sandbox withDns(Sandbox s, List<String> dns, List<String> search, List<String> options) {
        return new Sandbox(s.id(), s.name(), s.node(), s.mode(), s.netns(), s.hostname(), s.containerOf(), dns,
                s.created(), search, options);
    }

    @Test
    void otherNamesAreForwardedToTheUpstream() throws Exception {
        assertEquals(List.of("203.0.113.7"), getent(u1, "forwarded.test"));
        assertTrue(upstream.queries.get() > 0);
        upstream.close(); // nobody answers now: SERVFAIL after the timeout
        try (SandboxResolver resolver = SandboxResolver.open(u1.netns(), 5000)) {
            assertEquals(Rcode.SERVFAIL, resolver.query("forwarded.test", Type.A).getRcode());
        }
    }

    @Test
    void aDetachedEndpointStopsResolvingAndARemovedSandboxLosesServerAndFiles() throws Exception {
        try (SandboxResolver resolver = SandboxResolver.open(u1.netns(), 2000)) {
            Message before = resolver.query("shared", Type.A);
            assertEquals(2, before.getSection(Section.ANSWER).size());
            dns.changed(DnsRecords.tombstone(e2));
            Message after = resolver.query("shared", Type.A);
            assertEquals(List.of("10.231.1.2"), after.getSection(Section.ANSWER).stream()
                    .map(r -> ((ARecord) r).getAddress().getHostAddress()).toList());
            assertNotEquals(Rcode.NOERROR, resolver.query("web", Type.A).getRcode());
        }
        dns.changed(DnsRecords.tombstone(u2));
        assertFalse(Files.exists(DnsSettings.ETC_NETNS.resolve(u2.netns())));
        assertFalse(dns.serving().containsKey(u2.id()));
        try (SandboxResolver resolver = SandboxResolver.open(u2.netns(), 500)) {
            assertThrows(IOException.class, () -> resolver.query(u1.name(), Type.A));
        }
    }

    /**
     * {@code ip netns exec NS getent hosts NAME}: its addresses (glibc's resolver: AAAA, then A), none when not
     * found. Not {@code ahostsv4}: its AI_ADDRCONFIG finds no IPv4 address besides lo here and asks nobody.
     */
    private static List<String> getent(Sandbox sandbox, String name) {
        Netns.Result result = Netns.run("ip", "netns", "exec", sandbox.netns(), "getent", "hosts", name);
        if (result.exit() == 2) {
            return List.of();
        }
        assertEquals(0, result.exit(), "getent " + name + ": " + result.err());
        return result.out().lines().map(l -> l.split("\\s+")[0]).sorted().toList();
    }

    private static String read(Sandbox sandbox, String file) throws IOException {
        return Files.readString(DnsSettings.ETC_NETNS.resolve(sandbox.netns()).resolve(file));
    }

}
