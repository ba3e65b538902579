package io.netplane.api.docker;

import io.netplane.api.BrokerPeer;
import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.Topic;
import io.netplane.events.data.Endpoint;
import io.netplane.events.data.EndpointConnectRequested;
import io.netplane.events.data.EndpointDisconnectRequested;
import io.netplane.events.data.EndpointRequest;
import io.netplane.events.data.Family;
import io.netplane.events.data.IpamConfig;
import io.netplane.events.data.Network;
import io.netplane.events.data.NetworkCreateRequested;
import io.netplane.events.data.NetworkRemoveRequested;
import io.netplane.events.data.Rejection;
import io.netplane.events.data.Sandbox;
import io.netplane.events.data.SandboxCreateRequested;
import io.netplane.events.data.SubnetAllocation;
import io.netplane.events.kafka.EnvelopeDeserializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Plays ipam-service and one node-agent on the real broker for the Docker CLI tests: it reads api-service's
 * intents and publishes what they would answer (network.created + network.ready, network.removed +
 * network.cleared, sandbox.scheduled + endpoint.allocated + the ready status, endpoint.released + cleared,
 * and their rejections with ipam's status and wording), plus the node's heartbeats. It keeps just enough
 * state for that (subnets in use, endpoints per network); the real ipam's rules are tested in its module
 * and the whole stack in the end-to-end test.
 */
public final class IpamAndAgentPlayer implements AutoCloseable {
    private final BrokerPeer peer;
    private final String node;
    private final KafkaConsumer<String, Envelope> intents;
    private final Thread thread;
    private volatile boolean running = true;
    /** The intent being answered (on the player's thread). */
    private Envelope cause;
    private final Map<String, Network> networks = new ConcurrentHashMap<>();
    private final Map<String, Integer> nextHost = new HashMap<>();
    private final Map<String, Sandbox> sandboxes = new ConcurrentHashMap<>();
    /** sandbox id → network id → endpoint. */
    private final Map<String, Map<String, Endpoint>> endpoints = new ConcurrentHashMap<>();
    private final Map<String, Integer> ifnames = new HashMap<>();
    private int autoSubnets;
    private final List<Throwable> errors = new ArrayList<>();

    public IpamAndAgentPlayer(String bootstrap, String prefix, String node) {
        this.peer = new BrokerPeer(bootstrap, prefix);
        this.node = node;
        intents = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new EnvelopeDeserializer());
        List<TopicPartition> partitions = intents.partitionsFor(Topic.INTENTS.name(prefix), Duration.ofSeconds(30))
                .stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        intents.assign(partitions);
        intents.seekToEnd(partitions);
        partitions.forEach(intents::position); // positioned now, before any CLI call publishes
        publish(BrokerPeer.joined(node, "10.99.0.1", List.of(), Instant.now()));
        thread = new Thread(this::loop, "ipam-and-agent-player");
        thread.setDaemon(true);
        thread.start();
    }

    /** The predefined networks, as ipam creates them (the bridge's Linux name is np0, Docker's docker0). */
    public void predefined() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("com.docker.network.bridge.default_bridge", "true");
        options.put("com.docker.network.bridge.enable_icc", "true");
        options.put("com.docker.network.bridge.enable_ip_masquerade", "true");
        options.put("com.docker.network.bridge.host_binding_ipv4", "0.0.0.0");
        options.put("com.docker.network.bridge.name", "np0");
        options.put("com.docker.network.driver.mtu", "1500");
        add(new Network(BrokerPeer.randomId(), "bridge", "bridge", "local",
                List.of(new SubnetAllocation(Family.ipv4, "172.17.0.0/16", "172.17.0.1", null, true, false)), false, false,
                false, options, Map.of(), null, "np0", true, Instant.now()), null);
        add(new Network(BrokerPeer.randomId(), "host", "host", "local", List.of(), false, false, false, Map.of(), Map.of(),
                null, null, true, Instant.now()), null);
        add(new Network(BrokerPeer.randomId(), "none", "null", "local", List.of(), false, false, false, Map.of(), Map.of(),
                null, null, true, Instant.now()), null);
    }

    private void loop() {
        long lastBeat = 0;
        while (running) {
            try {
                if (System.currentTimeMillis() - lastBeat > 3000) {
                    publish(BrokerPeer.heartbeat(node, Instant.now()));
                    lastBeat = System.currentTimeMillis();
                }
                for (ConsumerRecord<String, Envelope> record : intents.poll(Duration.ofMillis(50))) {
                    answer(record.value());
                }
            } catch (Throwable t) {
                if (running) {
                    synchronized (errors) {
                        errors.add(t);
                    }
                }
            }
        }
    }

    public List<Throwable> errors() {
        synchronized (errors) {
            return List.copyOf(errors);
        }
    }

    private void answer(Envelope intent) {
        cause = intent;
        try {
            answerIntent(intent);
        } finally {
            cause = null;
        }
    }

    /**
     * As ipam and the agents publish: an answer to the intent being handled carries its actor and names it as
     * its cause (Envelope.causedBy); an agent's own event (a cleared with its own correlation) stays as it is.
     */
    private void publish(Envelope e) {
        Envelope intent = cause;
        if (intent != null && intent.correlationId() != null && intent.correlationId().equals(e.correlationId())) {
            e = new Envelope(e.id(), e.type(), e.version(), e.time(), e.correlationId(), intent.id().toString(),
                    intent.actor(), e.subject(), e.node(), e.data());
        }
        peer.publish(e);
    }

    private void answerIntent(Envelope intent) {
        String c = intent.correlationId();
        if (intent.is(EventType.NETWORK_CREATE_REQUESTED)) {
            createNetwork(c, intent.data(NetworkCreateRequested.class));
        } else if (intent.is(EventType.NETWORK_REMOVE_REQUESTED)) {
            Network n = networks.get(intent.data(NetworkRemoveRequested.class).networkId());
            boolean active = endpoints.values().stream().anyMatch(byNetwork -> byNetwork.containsKey(n.id()));
            if (active) {
                publish(BrokerPeer.rejected(c, n.id(), "remove", n.name(), 403,
                        "error while removing network: network " + n.name() + " id " + n.id() + " has active endpoints"));
                return;
            }
            networks.remove(n.id());
            publish(BrokerPeer.removed(c, n.id(), n.name()));
            publish(BrokerPeer.cleared(n.id(), node));
        } else if (intent.is(EventType.SANDBOX_CREATE_REQUESTED)) {
            SandboxCreateRequested r = intent.data(SandboxCreateRequested.class);
            Sandbox s = BrokerPeer.sandbox(r.sandboxId(), r.name(), node);
            sandboxes.put(s.id(), s);
            publish(BrokerPeer.scheduled(c, s));
            List<Endpoint> made = new ArrayList<>();
            for (EndpointRequest e : r.networks()) {
                made.add(attach(c, s, e.networkId(), e.endpointId(), e.ipv4Address(), e.aliases()));
            }
            publish(BrokerPeer.sandboxReady(c, s));
            made.forEach(e -> publish(BrokerPeer.endpointReady(c, e, 30)));
        } else if (intent.is(EventType.ENDPOINT_CONNECT_REQUESTED)) {
            EndpointConnectRequested r = intent.data(EndpointConnectRequested.class);
            Sandbox s = sandboxes.get(r.sandboxId());
            Network n = networks.get(r.networkId());
            if (endpoints.getOrDefault(s.id(), Map.of()).containsKey(n.id())) {
                publish(BrokerPeer.endpointRejected(c, s.id(), "connect", s.name(), 403,
                        "endpoint with name " + s.name() + " already exists in network " + n.name()));
                return;
            }
            Endpoint e = attach(c, s, n.id(), r.endpointId(), r.ipv4Address(), r.aliases());
            publish(BrokerPeer.endpointReady(c, e, 31));
        } else if (intent.is(EventType.ENDPOINT_DISCONNECT_REQUESTED)) {
            EndpointDisconnectRequested r = intent.data(EndpointDisconnectRequested.class);
            Endpoint e = endpoints.getOrDefault(r.sandboxId(), new HashMap<>()).remove(r.networkId());
            if (e == null) {
                publish(BrokerPeer.endpointRejected(c, r.sandboxId(), "disconnect", sandboxes.get(r.sandboxId()).name(),
                        400, "container " + r.sandboxId() + " is not connected to network " + networks.get(r.networkId()).name()));
                return;
            }
            publish(BrokerPeer.endpointReleased(c, e));
            publish(BrokerPeer.endpointCleared(e));
        }
    }

    private void createNetwork(String c, NetworkCreateRequested r) {
        SubnetAllocation subnet;
        if (r.ipam() == null || r.ipam().isEmpty()) {
            autoSubnets++;
            subnet = new SubnetAllocation(Family.ipv4, "10.201." + autoSubnets + ".0/24", "10.201." + autoSubnets + ".1",
                    null, true, false);
        } else {
            IpamConfig config = r.ipam().get(0);
            long[] net = cidr(config.subnet());
            for (Network other : networks.values()) {
                for (SubnetAllocation s : other.subnets()) {
                    long[] o = cidr(s.subnet());
                    long mask = mask((int) Math.min(net[1], o[1]));
                    if ((net[0] & mask) == (o[0] & mask)) {
                        publish(BrokerPeer.rejected(c, r.networkId(), "create", r.name(), 403,
                                "Pool overlaps with other one on this address space"));
                        return;
                    }
                }
            }
            boolean given = config.gateway() != null && !config.gateway().isEmpty();
            String gateway = given ? config.gateway() : ip(net[0] + 1);
            subnet = new SubnetAllocation(Family.ipv4, config.subnet(), gateway, config.ipRange(), false, given);
        }
        Network n = new Network(r.networkId(), r.name(), r.driver(), "local", List.of(subnet), r.internal(), r.attachable(),
                r.enableIpv6(), r.options(), r.labels(), null, "np-" + r.networkId().substring(0, 12), false, Instant.now());
        add(n, c);
    }

    private void add(Network n, String correlation) {
        networks.put(n.id(), n);
        publish(BrokerPeer.created(correlation, n));
        if (!n.driver().equals("host") && !n.driver().equals("null")) {
            publish(BrokerPeer.ready(correlation, n.id(), node, 20 + networks.size()));
        }
    }

    private synchronized Endpoint attach(String c, Sandbox s, String networkId, String endpointId, String address,
                                         List<String> aliases) {
        Network n = networks.get(networkId);
        SubnetAllocation subnet = n.subnets().get(0);
        long[] net = cidr(subnet.subnet());
        if (address == null || address.isEmpty()) {
            long base = subnet.ipRange() != null ? cidr(subnet.ipRange())[0] : net[0];
            int host = nextHost.merge(networkId, 2, (old, two) -> old + 1);
            address = ip(base + host);
        }
        int index = ifnames.merge(s.id(), 0, (old, zero) -> old + 1);
        Endpoint e = BrokerPeer.endpoint(endpointId, s.id(), networkId, node, "eth" + index, address, (int) net[1],
                subnet.gateway(), List.of(), aliases == null ? List.of() : aliases);
        endpoints.computeIfAbsent(s.id(), k -> new ConcurrentHashMap<>()).put(networkId, e);
        publish(BrokerPeer.allocated(c, e));
        return e;
    }

    private static long[] cidr(String text) {
        String[] parts = text.split("/");
        long ip = 0;
        for (String octet : parts[0].split("\\.")) {
            ip = ip << 8 | Integer.parseInt(octet);
        }
        return new long[] {ip, Integer.parseInt(parts[1])};
    }

    private static long mask(int prefix) {
        return prefix == 0 ? 0 : (0xffffffffL << (32 - prefix)) & 0xffffffffL;
    }

    private static String ip(long v) {
        return (v >> 24 & 255) + "." + (v >> 16 & 255) + "." + (v >> 8 & 255) + "." + (v & 255);
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        intents.close();
        peer.close();
    }
}
