package io.netplane.agent.dns;

import io.netplane.agent.kernel.NetNamespace;
import io.netplane.agent.kernel.NetNamespaces;
import io.netplane.agent.reconcile.DesiredChange;
import io.netplane.agent.reconcile.DesiredListener;
import io.netplane.events.EventType;
import io.netplane.events.data.Endpoint;
import io.netplane.events.data.EndpointAddress;
import io.netplane.events.data.Family;
import io.netplane.events.data.Network;
import io.netplane.events.data.Sandbox;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Docker's embedded DNS for this node's sandboxes. It keeps the desired network, sandbox and endpoint records
 * of ALL nodes (names resolve across nodes) as a {@link NameTable}, and for each sandbox of this node with its
 * own namespace: a server at 127.0.0.11:53 once it is on a user-defined network (kept until the sandbox goes,
 * as Docker keeps 127.0.0.11 after a disconnect), its {@code /etc/netns} files (the embedded resolver, or a copy
 * of the host's resolv.conf for default-bridge-only sandboxes), and nothing left behind when it is removed.
 * Runs after the sandbox reconciler for each record, so a namespace it needs is already built.
 */
public final class EmbeddedDns implements DesiredListener, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EmbeddedDns.class);

    private final String node;
    private final DnsSettings settings;
    private final SandboxDnsFiles files;
    private final DnsServers servers;
    private final Map<String, Network> networks = new HashMap<>();
    private final Map<String, Sandbox> sandboxes = new HashMap<>();
    private final Map<String, Endpoint> endpoints = new HashMap<>();
    private final Map<String, Object> served = new HashMap<>(); // sandbox id → inode of the netns its server is in
    private volatile NameTable table = NameTable.EMPTY;
    private volatile boolean listed;

    public EmbeddedDns(String node, DnsSettings settings) {
        this.node = node;
        this.settings = settings;
        this.files = new SandboxDnsFiles(settings.etcNetns(), node);
        this.servers = new DnsServers(() -> table, new UpstreamResolvers(settings.upstream(),
                (int) settings.upstreamTimeout().toMillis()));
        LOG.infof("embedded DNS on node %s: upstream %s", node, settings.upstream());
    }

    @Override
    public synchronized void listed(Map<String, DesiredChange> desired) {
        desired.values().forEach(this::remember);
        table = NameTable.build(networks.values(), sandboxes.values(), endpoints.values());
        converge();
        listed = true;
    }

    @Override
    public synchronized void changed(DesiredChange change) {
        changedAll(List.of(change));
    }

    /**
     * The table is built once for all of them. Endpoint records touch only their sandboxes' servers and files (a
     * connect or disconnect rewrites one sandbox's, not every sandbox's of the node); a network or sandbox record
     * checks them all, and what is stale.
     */
    @Override
    public synchronized void changedAll(List<DesiredChange> changes) {
        boolean changed = false;
        boolean everything = false;
        Set<String> touched = new HashSet<>();
        for (DesiredChange change : changes) {
            Endpoint before = change.kind().equals("endpoint") ? endpoints.get(change.id()) : null;
            if (!remember(change)) {
                continue;
            }
            changed = true;
            if (change.kind().equals("endpoint")) {
                Endpoint after = endpoints.get(change.id());
                if (before != null) {
                    touched.add(before.sandboxId());
                }
                if (after != null) {
                    touched.add(after.sandboxId());
                }
            } else {
                everything = true;
            }
        }
        if (!changed) {
            return;
        }
        table = NameTable.build(networks.values(), sandboxes.values(), endpoints.values());
        if (everything) {
            converge();
            return;
        }
        String hostResolvConf = hostResolvConf();
        for (String sandboxId : touched) {
            Sandbox sandbox = sandboxes.get(sandboxId);
            if (sandbox != null) {
                converge(sandbox, hostResolvConf);
            }
        }
    }

    /** Servers and files for this node's sandboxes as the records say; stale ones removed. */
    public synchronized void converge() {
        Set<String> local = new HashSet<>();
        String hostResolvConf = hostResolvConf();
        for (Sandbox sandbox : sandboxes.values()) {
            if (converge(sandbox, hostResolvConf)) {
                local.add(NetNamespace.of(sandbox.netns()).name());
            }
        }
        try {
            for (String sandboxId : List.copyOf(served.keySet())) {
                Sandbox sandbox = sandboxes.get(sandboxId);
                if (sandbox == null || !local.contains(NetNamespace.of(sandbox.netns()).name())) {
                    servers.close(sandboxId);
                    served.remove(sandboxId);
                }
            }
            for (String netns : files.written()) {
                if (!local.contains(netns)) {
                    files.remove(netns);
                }
            }
        } catch (RuntimeException e) {
            LOG.warnf("DNS: removing what is no longer desired: %s", e.getMessage());
        }
    }

    /** One sandbox's server and files, if it is this node's and built; false when it is not. */
    private boolean converge(Sandbox sandbox, String hostResolvConf) {
        if (!hasOwnNamespace(sandbox) || !NetNamespaces.exists(NetNamespace.of(sandbox.netns()).name())) {
            return false; // another node's, or not built (yet)
        }
        NetNamespace netns = NetNamespace.of(sandbox.netns());
        try {
            boolean embedded = table.serves(sandbox.id()) || served.containsKey(sandbox.id());
            if (embedded) {
                Object inode = inode(netns);
                if (!inode.equals(served.get(sandbox.id()))) { // new, or its namespace was rebuilt
                    servers.open(sandbox.id(), netns, upstreamOf(sandbox));
                    served.put(sandbox.id(), inode);
                }
            }
            files.write(netns.name(), SandboxDnsFiles.resolvConf(hostResolvConf, embedded, sandbox.dns(),
                            sandbox.dnsSearch(), sandbox.dnsOptions()),
                    files.hosts(sandbox.id(), hostname(sandbox), addressesOf(sandbox.id())));
        } catch (RuntimeException e) {
            LOG.warnf("DNS for sandbox %s in %s: %s", sandbox.id(), netns, e.getMessage());
        }
        return true;
    }

    /** True when the record changed what DNS knows. */
    private boolean remember(DesiredChange change) {
        boolean live = !change.isTombstone();
        switch (change.kind()) {
            case "network" -> {
                if (live && change.envelope().is(EventType.NETWORK_DESIRED)) {
                    networks.put(change.id(), change.envelope().data(Network.class));
                } else {
                    networks.remove(change.id());
                }
            }
            case "sandbox" -> {
                if (live && change.envelope().is(EventType.SANDBOX_DESIRED)) {
                    sandboxes.put(change.id(), change.envelope().data(Sandbox.class));
                } else {
                    sandboxes.remove(change.id());
                }
            }
            case "endpoint" -> {
                if (live && change.envelope().is(EventType.ENDPOINT_DESIRED)) {
                    endpoints.put(change.id(), change.envelope().data(Endpoint.class));
                } else {
                    endpoints.remove(change.id());
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private boolean hasOwnNamespace(Sandbox sandbox) {
        String mode = sandbox.mode() == null ? "bridge" : sandbox.mode();
        return node.equals(sandbox.node()) && sandbox.netns() != null && !sandbox.netns().isBlank()
                && !"host".equals(mode) && !"container".equals(mode);
    }

    private List<String> addressesOf(String sandboxId) {
        List<Endpoint> own = new ArrayList<>(endpoints.values().stream().filter(e -> sandboxId.equals(e.sandboxId())).toList());
        own.sort(Comparator.comparing(e -> e.ifname() == null ? "" : e.ifname()));
        List<String> addresses = new ArrayList<>();
        for (Endpoint endpoint : own) {
            for (EndpointAddress address : endpoint.addresses() == null ? List.<EndpointAddress>of() : endpoint.addresses()) {
                if (address.family() == Family.ipv4 && address.address() != null) {
                    addresses.add(address.address().split("/")[0]);
                }
            }
        }
        return addresses;
    }

    /** The sandbox's own nameservers ({@code --dns}) as its server's upstream; null = the node's. */
    private UpstreamResolvers upstreamOf(Sandbox sandbox) {
        if (sandbox.dns() == null || sandbox.dns().isEmpty()) {
            return null;
        }
        List<InetSocketAddress> servers = new ArrayList<>();
        for (String server : sandbox.dns()) {
            try {
                servers.add(new InetSocketAddress(DnsSettings.literal(server), 53));
            } catch (IllegalArgumentException e) {
                LOG.warnf("sandbox %s: nameserver %s is not an IP address; skipped", sandbox.id(), server);
            }
        }
        return new UpstreamResolvers(servers, (int) settings.upstreamTimeout().toMillis());
    }

    private static String hostname(Sandbox sandbox) {
        return sandbox.hostname() != null && !sandbox.hostname().isBlank() ? sandbox.hostname()
                : sandbox.id().substring(0, Math.min(12, sandbox.id().length()));
    }

    private String hostResolvConf() {
        try {
            return Files.readString(settings.hostResolvConf());
        } catch (IOException e) {
            return "";
        }
    }

    private static Object inode(NetNamespace netns) {
        try {
            return Files.getAttribute(netns.path(), "unix:ino");
        } catch (IOException | UnsupportedOperationException e) {
            return netns.name();
        }
    }

    /** The current table (tests, and the bench). */
    public NameTable table() {
        return table;
    }

    public boolean isListed() {
        return listed;
    }

    /** Sandbox id → namespace of each running server. */
    public Map<String, String> serving() {
        return servers.serving();
    }

    @Override
    public void close() {
        servers.close();
    }
}
