package io.netplane.agent;

import io.netplane.agent.dataplane.EndpointAttacher;
import io.netplane.agent.dataplane.Firewall;
import io.netplane.agent.dataplane.NamespaceRecords;
import io.netplane.agent.dataplane.NetworkDataplane;
import io.netplane.agent.dataplane.NftablesFirewall;
import io.netplane.agent.dataplane.PortReservations;
import io.netplane.agent.dataplane.SandboxDataplane;
import io.netplane.agent.dataplane.NodeInventory;
import io.netplane.agent.dataplane.Underlay;
import io.netplane.agent.dns.DnsSettings;
import io.netplane.agent.dns.EmbeddedDns;
import io.netplane.agent.kernel.NetNamespace;
import io.netplane.agent.kernel.KernelModules;
import io.netplane.agent.kernel.Nftables;
import io.netplane.agent.kernel.Rtnetlink;
import io.netplane.agent.kernel.Uname;
import io.netplane.agent.messaging.KafkaProducers;
import io.netplane.agent.messaging.NodeAnnouncer;
import io.netplane.agent.messaging.NodeDirectory;
import io.netplane.agent.messaging.StatusPublisher;
import io.netplane.agent.reconcile.DesiredInformer;
import io.netplane.agent.reconcile.KernelThread;
import io.netplane.agent.reconcile.NetworkReconciler;
import io.netplane.agent.reconcile.NodeReconciler;
import io.netplane.agent.reconcile.SandboxReconciler;
import io.netplane.events.Envelope;
import io.netplane.events.Topic;
import io.netplane.events.data.NodeHeartbeat;
import io.netplane.events.data.NodeJoined;
import io.netplane.events.kafka.TopicProvisioner;
import org.apache.kafka.clients.producer.Producer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One node agent: joins the node registry, lists and watches {@code desired}, converges the kernel, and
 * heartbeats until closed. Wires the kernel, dataplane, reconcile and messaging packages together.
 */
public final class NodeAgent implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NodeAgent.class);

    private final AgentSettings settings;
    private final DnsSettings dnsSettings;
    private EmbeddedDns dns;
    private final KernelThread kernelThread = new KernelThread();
    private Rtnetlink kernel;
    private Nftables nftables;
    private Firewall firewall = Firewall.NONE;
    private NodeInventory inventory;
    private Producer<String, Envelope> producer;
    private NodeAnnouncer announcer;
    private NetworkReconciler reconciler;
    private SandboxReconciler sandboxReconciler;
    private EndpointAttacher attacher;
    private NodeReconciler nodeReconciler;
    private DesiredInformer informer;
    private NodeDirectory nodeDirectory;
    private ScheduledExecutorService heartbeats;
    private volatile boolean joined;
    private volatile boolean heartbeatFailing;

    public NodeAgent(AgentSettings settings) {
        this(settings, DnsSettings.DISABLED);
    }

    public NodeAgent(AgentSettings settings, DnsSettings dnsSettings) {
        this.settings = settings;
        this.dnsSettings = dnsSettings;
    }

    /** Returns once the node has joined; the list and reconcile go on in the background ({@link #isReady()}). */
    public void start() {
        String node = settings.node();
        TopicProvisioner.ensure(settings.bootstrapServers(), settings.topicPrefix(), (short) 1);
        // everything the kernel threads open from here on (sockets, nft context, held ports) lives there
        settings.netns().ifPresent(name -> kernelThread.enter(new NetNamespace(name)));
        kernelThread.run(() -> {
            kernel = Rtnetlink.open();
            inventory = new NodeInventory(kernel, node);
            if (!settings.firewallTable().isBlank()) {
                nftables = Nftables.open();
                firewall = new NftablesFirewall(nftables, settings.firewallTable());
                firewall.start();
            }
        });
        Underlay underlay = kernelThread.call(() -> inventory.underlay(settings.underlayAddress()));
        NetworkDataplane dataplane = kernelThread.call(() -> new NetworkDataplane(kernel, node, settings.defaultBridgeName(),
                firewall, underlay));
        producer = KafkaProducers.envelopes(settings.bootstrapServers(), "node-agent-" + node);
        announcer = new NodeAnnouncer(producer, settings.topicPrefix(), node);
        NodeJoined facts = kernelThread.call(() -> new NodeJoined(node,
                underlay.isKnown() ? underlay.address().getHostAddress() : null, inventory.routedSubnets(), versions(),
                Uname.read().nodename(), NodeInventory.capabilities(KernelModules.running(), underlay,
                        firewall != Firewall.NONE, dnsSettings.enabled())));
        announcer.joined(facts);
        joined = true;
        LOG.infof("node %s joined on %s (underlay %s, routed %s, can %s)", node, Topic.NODES.name(settings.topicPrefix()),
                facts.underlayAddress(), facts.routedSubnets(), facts.capabilities());

        StatusPublisher status = new StatusPublisher(producer, settings.topicPrefix(), node);
        reconciler = new NetworkReconciler(kernelThread, dataplane, status);
        NamespaceRecords records = new NamespaceRecords(settings.stateDir(), node);
        sandboxReconciler = new SandboxReconciler(node, kernelThread, kernel, reconciler, dataplane,
                new SandboxDataplane(records), attacher = new EndpointAttacher(kernel, node, firewall, new PortReservations()),
                firewall, records, status);
        if (dnsSettings.enabled()) {
            dns = new EmbeddedDns(node, dnsSettings);
            nodeReconciler = new NodeReconciler(reconciler, sandboxReconciler, dns);
        } else {
            nodeReconciler = new NodeReconciler(reconciler, sandboxReconciler);
        }
        // the other nodes' underlay addresses: known before the list, so remote endpoints get their FDB entries at once
        NetworkReconciler networks = reconciler;
        nodeDirectory = new NodeDirectory(settings.bootstrapServers(), settings.topicPrefix(), "node-agent-" + node + "-nodes",
                (name, address) -> {
                    if (!name.equals(node)) {
                        networks.nodeAddress(name, address);
                    }
                });
        nodeDirectory.start();
        informer = new DesiredInformer(settings.bootstrapServers(), Topic.DESIRED.name(settings.topicPrefix()),
                "node-agent-" + node + "-desired", nodeReconciler);
        informer.start();

        heartbeats = Executors.newScheduledThreadPool(2, task -> {
            Thread thread = new Thread(task, "netplane-heartbeat");
            thread.setDaemon(true);
            return thread;
        });
        long every = settings.heartbeatInterval().toMillis();
        heartbeats.scheduleWithFixedDelay(this::heartbeat, every, every, TimeUnit.MILLISECONDS);
        long converge = settings.reconcileInterval().toMillis();
        heartbeats.scheduleWithFixedDelay(this::converge, converge, converge, TimeUnit.MILLISECONDS);
    }

    private Map<String, String> versions() {
        return Map.of("netplane", settings.version(), "kernel", Uname.read().release(),
                "java", System.getProperty("java.version"));
    }

    private void heartbeat() {
        try {
            var routed = kernelThread.call(() -> inventory.routedSubnets());
            announcer.heartbeat(new NodeHeartbeat(settings.node(), routed, reconciler.readyNetworks(),
                    sandboxReconciler.readySandboxes(), sandboxReconciler.readyEndpoints()));
            heartbeatFailing = false;
        } catch (RuntimeException e) {
            // keep beating: a broker that is back gets the next one
            heartbeatFailing = true;
            LOG.warnf("heartbeat of node %s failed: %s", settings.node(), e.getMessage());
        }
    }

    /** Rebuilds what was deleted by hand and removes what is stale; waits for the initial list. */
    public void converge() {
        if (nodeReconciler == null || !nodeReconciler.isListed()) {
            return;
        }
        try {
            sandboxReconciler.converge();
            reconciler.convergeOverlays();
            kernelThread.run(firewall::convergeForwardAccepts);
            kernelThread.run(attacher::retryPortReservations);
            if (dns != null) {
                dns.converge();
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "periodic converge of node %s failed", settings.node());
        }
    }

    public String node() {
        return settings.node();
    }

    public boolean isJoined() {
        return joined;
    }

    /** Joined, and the initial list of desired is applied to the kernel. */
    public boolean isReady() {
        return joined && nodeReconciler != null && nodeReconciler.isListed() && informer.isAlive();
    }

    /** The kernel thread, the informer and the heartbeat still run. */
    public boolean isLive() {
        return kernelThread.isAlive() && (informer == null || informer.isAlive())
                && (heartbeats == null || !heartbeats.isShutdown());
    }

    /** Why the agent is not live or not ready, for the health check. */
    public String problem() {
        if (informer != null && informer.failure() != null) {
            return "informer stopped: " + informer.failure();
        }
        if (!kernelThread.isAlive()) {
            return "kernel thread stopped";
        }
        if (heartbeatFailing) {
            return "heartbeats are failing";
        }
        return null;
    }

    /** Stops watching, says node.left, releases the socket and the producer. */
    @Override
    public void close() {
        if (heartbeats != null) {
            heartbeats.shutdownNow();
        }
        if (informer != null) {
            informer.close();
        }
        if (nodeReconciler != null) {
            nodeReconciler.close(); // the DNS changes still queued, before the DNS closes
        }
        if (nodeDirectory != null) {
            nodeDirectory.close();
        }
        if (announcer != null && joined) {
            try {
                announcer.left("shutdown");
            } catch (RuntimeException e) {
                LOG.warnf("cannot announce that node %s left: %s", settings.node(), e.getMessage());
            }
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
        if (dns != null) {
            dns.close();
        }
        if (kernel != null) {
            if (attacher != null) {
                try {
                    kernelThread.run(attacher::deleteDetached); // the veths whose batched delete is still waiting
                } catch (RuntimeException e) {
                    LOG.warnf("deleting detached veths: %s", e.getMessage());
                }
            }
            kernelThread.run(kernel::close);
        }
        if (nftables != null) {
            kernelThread.run(nftables::close); // the table stays: packets keep flowing while the agent is away
        }
        kernelThread.close();
        joined = false;
    }
}
