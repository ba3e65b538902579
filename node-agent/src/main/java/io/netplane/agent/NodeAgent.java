package io.netplane.agent;

import io.netplane.agent.dataplane.NetworkDataplane;
import io.netplane.agent.dataplane.NodeInventory;
import io.netplane.agent.kernel.Rtnetlink;
import io.netplane.agent.kernel.Uname;
import io.netplane.agent.messaging.KafkaProducers;
import io.netplane.agent.messaging.NodeAnnouncer;
import io.netplane.agent.messaging.StatusPublisher;
import io.netplane.agent.reconcile.DesiredInformer;
import io.netplane.agent.reconcile.KernelThread;
import io.netplane.agent.reconcile.NetworkReconciler;
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
    private final KernelThread kernelThread = new KernelThread();
    private Rtnetlink kernel;
    private NodeInventory inventory;
    private Producer<String, Envelope> producer;
    private NodeAnnouncer announcer;
    private NetworkReconciler reconciler;
    private DesiredInformer informer;
    private ScheduledExecutorService heartbeats;
    private volatile boolean joined;
    private volatile boolean heartbeatFailing;

    public NodeAgent(AgentSettings settings) {
        this.settings = settings;
    }

    /** Returns once the node has joined; the list and reconcile go on in the background ({@link #isReady()}). */
    public void start() {
        String node = settings.node();
        TopicProvisioner.ensure(settings.bootstrapServers(), settings.topicPrefix(), (short) 1);
        kernelThread.run(() -> {
            kernel = Rtnetlink.open();
            inventory = new NodeInventory(kernel);
        });
        NetworkDataplane dataplane = kernelThread.call(() -> new NetworkDataplane(kernel, node, settings.defaultBridgeName()));
        producer = KafkaProducers.envelopes(settings.bootstrapServers(), "node-agent-" + node);
        announcer = new NodeAnnouncer(producer, settings.topicPrefix(), node);
        NodeJoined facts = kernelThread.call(() -> new NodeJoined(node, inventory.underlayAddress(),
                inventory.routedSubnets(), versions()));
        announcer.joined(facts);
        joined = true;
        LOG.infof("node %s joined on %s (underlay %s, routed %s)", node, Topic.NODES.name(settings.topicPrefix()),
                facts.underlayAddress(), facts.routedSubnets());

        reconciler = new NetworkReconciler(kernelThread, dataplane, new StatusPublisher(producer, settings.topicPrefix(), node));
        informer = new DesiredInformer(settings.bootstrapServers(), Topic.DESIRED.name(settings.topicPrefix()),
                "node-agent-" + node + "-desired", reconciler);
        informer.start();

        heartbeats = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "netplane-heartbeat");
            thread.setDaemon(true);
            return thread;
        });
        long every = settings.heartbeatInterval().toMillis();
        heartbeats.scheduleWithFixedDelay(this::heartbeat, every, every, TimeUnit.MILLISECONDS);
    }

    private Map<String, String> versions() {
        return Map.of("netplane", settings.version(), "kernel", Uname.read().release(),
                "java", System.getProperty("java.version"));
    }

    private void heartbeat() {
        try {
            var routed = kernelThread.call(() -> inventory.routedSubnets());
            announcer.heartbeat(new NodeHeartbeat(settings.node(), routed, reconciler.readyNetworks(), 0, 0));
            heartbeatFailing = false;
        } catch (RuntimeException e) {
            // keep beating: a broker that is back gets the next one
            heartbeatFailing = true;
            LOG.warnf("heartbeat of node %s failed: %s", settings.node(), e.getMessage());
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
        return joined && reconciler != null && reconciler.isListed() && informer.isAlive();
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
        if (kernel != null) {
            kernelThread.run(kernel::close);
        }
        kernelThread.close();
        joined = false;
    }
}
