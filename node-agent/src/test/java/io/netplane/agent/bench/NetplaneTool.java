package io.netplane.agent.bench;

import io.netplane.agent.dataplane.EndpointAttacher;
import io.netplane.agent.dataplane.NamespaceRecords;
import io.netplane.agent.dataplane.NetworkDataplane;
import io.netplane.agent.dataplane.NftablesFirewall;
import io.netplane.agent.dataplane.PortReservations;
import io.netplane.agent.dataplane.SandboxDataplane;
import io.netplane.agent.kernel.NetNamespace;
import io.netplane.agent.kernel.NetNamespaces;
import io.netplane.agent.kernel.Nftables;
import io.netplane.agent.kernel.Rtnetlink;
import io.netplane.agent.reconcile.KernelThread;
import io.netplane.events.data.Endpoint;
import io.netplane.events.data.EndpointAddress;
import io.netplane.events.data.Family;
import io.netplane.events.data.Network;
import io.netplane.events.data.PortBinding;
import io.netplane.events.data.Sandbox;
import io.netplane.events.data.SubnetAllocation;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * netplane's agent path: the agent's own kernel thread moved into the host namespace (as
 * {@code netplane.node.netns} does), its firewall, network, sandbox and endpoint classes, called as
 * SandboxReconciler calls them ({@code sandboxes.create}, {@code attacher.ensure}, {@code attacher.detach} with
 * the veth delete handed to the kernel thread's {@code later}).
 */
final class NetplaneTool implements EndpointTool {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private final HostNamespace host;
    private final String node;
    private final String bridge;
    private final Network network;
    private final KernelThread kernelThread = new KernelThread();
    private final Map<String, Sandbox> sandboxRecords = new ConcurrentHashMap<>();
    private Rtnetlink kernel;
    private Nftables nft;
    private SandboxDataplane sandboxes;
    private EndpointAttacher attacher;
    /** CPU time the kernel thread spent in the last attach (system time in the kernel included): less noisy than wall time on a busy machine. */
    private volatile long lastAttachCpuNanos;

    NetplaneTool(HostNamespace host, String tag, Path stateDir) {
        this.host = host;
        this.node = "bench-" + tag;
        this.bridge = "npb-" + tag;
        this.network = new Network(AgentBench.hex(32), "bench-" + tag, "bridge", "local",
                List.of(new SubnetAllocation(Family.ipv4, "10.240.0.0/16", "10.240.0.1", null, true, false)),
                false, false, false, Map.of(), Map.of(), null, bridge, false, Instant.now());
        kernelThread.run(() -> {
            NetNamespaces.enter(new NetNamespace(host.name));
            kernel = Rtnetlink.open();
            nft = Nftables.open();
            NftablesFirewall firewall = new NftablesFirewall(nft, "netplane");
            firewall.start();
            NetworkDataplane networks = new NetworkDataplane(kernel, node, "np0", firewall);
            networks.setup(network);
            sandboxes = new SandboxDataplane(new NamespaceRecords(stateDir, node));
            attacher = new EndpointAttacher(kernel, node, firewall, new PortReservations());
        });
    }

    @Override public String name() { return "netplane"; }

    @Override public HostNamespace host() { return host; }

    @Override public String gateway() { return "10.240.0.1"; }

    @Override public String bridge() { return bridge; }

    @Override
    public void createSandbox(String netns) {
        Sandbox sandbox = new Sandbox(AgentBench.hex(32), netns, node, "bridge", netns, netns, null, List.of(),
                Instant.now());
        kernelThread.call(() -> sandboxes.create(sandbox));
        sandboxRecords.put(netns, sandbox);
    }

    @Override
    public void removeSandbox(String netns) {
        Sandbox sandbox = sandboxRecords.remove(netns);
        if (sandbox != null) {
            kernelThread.run(() -> sandboxes.remove(sandbox.id(), netns));
        }
    }

    @Override
    public Attachment attach(String netns, int slot, int hostPort) {
        Sandbox sandbox = sandboxRecords.get(netns);
        String address = AgentBench.address("10.240", slot);
        Endpoint endpoint = new Endpoint(AgentBench.hex(32), sandbox.id(), network.id(), node, "eth0",
                List.of(new EndpointAddress(Family.ipv4, address, 16, gateway())),
                String.format("02:42:0a:f0:%02x:%02x", (slot + 2) >> 8 & 0xff, (slot + 2) & 0xff),
                hostPort == 0 ? List.of() : List.of(new PortBinding("tcp", "0.0.0.0", hostPort, 80)),
                List.of(), Instant.now());
        kernelThread.call(() -> {
            long cpu = THREADS.getCurrentThreadCpuTime();
            attacher.ensure(endpoint, sandbox.name(), sandbox.netns(), network, bridge);
            lastAttachCpuNanos = THREADS.getCurrentThreadCpuTime() - cpu;
            return null;
        });
        return new Attachment(endpoint.id(), netns, address, hostPort, null);
    }

    long lastAttachCpuNanos() {
        return lastAttachCpuNanos;
    }

    @Override
    public void detach(Attachment attachment) {
        // as SandboxReconciler.removeEndpoint: the veth delete is queued next on the kernel thread
        kernelThread.run(() -> attacher.detach(attachment.id(), kernelThread::later));
    }

    /** The kernel thread runs the deferred veth delete next: a no-op call after it returns once it is done. */
    @Override
    public void settle() {
        kernelThread.call(() -> null);
    }

    @Override
    public void close() {
        try {
            kernelThread.run(() -> {
                if (nft != null) {
                    nft.close();
                }
                if (kernel != null) {
                    kernel.close();
                }
            });
        } finally {
            kernelThread.close();
        }
    }
}
