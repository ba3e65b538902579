package io.netplane.agent.dns;

import io.netplane.agent.kernel.Link;
import io.netplane.agent.kernel.NetNamespace;
import io.netplane.agent.kernel.NetNamespaces;
import io.netplane.agent.kernel.Rtnetlink;
import io.netplane.agent.reconcile.DesiredChange;
import io.netplane.events.data.Endpoint;
import io.netplane.events.data.Network;
import io.netplane.events.data.Sandbox;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code deploy/netplane bench dns}: the embedded server in a throwaway sandbox namespace, asked 10,000 times
 * for a local name (A) by a client whose socket lives in that namespace; prints median and p99 round trips.
 */
public final class DnsBench {
    public static void main(String[] args) throws Exception {
        int queries = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        String node = "dnsbench-" + io.netplane.agent.IpCommand.hex(3);
        Network network = DnsRecords.userNetwork("benchnet");
        Sandbox self = DnsRecords.sandbox("bench-self", node);
        Sandbox peer = DnsRecords.sandbox("bench-peer", "another-node");
        Endpoint selfEndpoint = DnsRecords.endpoint(self, network, "10.232.0.2");
        Endpoint peerEndpoint = DnsRecords.endpoint(peer, network, "10.232.0.3", "web");
        NetNamespace netns = NetNamespaces.create(self.netns());
        Path etcNetns = Files.createTempDirectory("dnsbench-etc-netns");
        EmbeddedDns dns = null;
        try {
            try (Rtnetlink inside = Rtnetlink.in(netns)) {
                Link lo = inside.links().get("lo").orElseThrow();
                inside.links().setUp(lo.index(), "lo");
            }
            dns = new EmbeddedDns(node, new DnsSettings(true, List.of(), Duration.ofSeconds(1), etcNetns,
                    DnsSettings.HOST_RESOLV_CONF));
            Map<String, DesiredChange> desired = new LinkedHashMap<>();
            for (DesiredChange change : List.of(DnsRecords.desired(network), DnsRecords.desired(self),
                    DnsRecords.desired(peer), DnsRecords.desired(selfEndpoint), DnsRecords.desired(peerEndpoint))) {
                desired.put(change.key(), change);
            }
            dns.listed(desired);
            try (SandboxResolver resolver = SandboxResolver.open(netns.name(), 2000)) {
                Message check = resolver.query("bench-peer", Type.A);
                if (check.getRcode() != Rcode.NOERROR || check.getSectionArray(1).length != 1) {
                    throw new IllegalStateException("unexpected answer:\n" + check);
                }
                byte[] query = SandboxResolver.newQuery("bench-peer", Type.A).toWire();
                for (int i = 0; i < 3000; i++) { // warm up the JIT on both ends
                    resolver.exchange(query);
                }
                long[] nanos = new long[queries];
                for (int i = 0; i < queries; i++) {
                    long start = System.nanoTime();
                    resolver.exchange(query);
                    nanos[i] = System.nanoTime() - start;
                }
                Arrays.sort(nanos);
                double p50 = nanos[queries / 2] / 1e6;
                double p99 = nanos[(int) Math.ceil(queries * 0.99) - 1] / 1e6;
                double mean = Arrays.stream(nanos).average().orElse(0) / 1e6;
                System.out.printf("dns: %d queries for a local name (A bench-peer) over UDP from inside %s%n", queries, netns);
                System.out.printf("  min %.3f ms  median %.3f ms  mean %.3f ms  p99 %.3f ms  max %.3f ms%n",
                        nanos[0] / 1e6, p50, mean, p99, nanos[queries - 1] / 1e6);
                System.out.printf("RESULT dns_p50_ms=%.3f dns_p99_ms=%.3f%n", p50, p99);
            }
        } finally {
            if (dns != null) {
                dns.close();
            }
            NetNamespaces.delete(netns.name());
            try (var files = Files.walk(etcNetns)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
