package io.netplane.ipam.messaging;

import io.agroal.api.AgroalDataSource;
import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.Topic;
import io.netplane.events.data.NodeHeartbeat;
import io.netplane.events.data.NodeJoined;
import io.netplane.events.data.NodeLeft;
import io.netplane.ipam.allocation.NodeStore;
import io.netplane.ipam.allocation.PredefinedNetworks;
import io.netplane.ipam.outbox.Outbox;
import io.netplane.ipam.outbox.OutboxRelay;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import io.netplane.ipam.IpamSettings;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Reads {@code <prefix>.nodes} into the nodes table (the subnets each host already routes), and creates the
 * default {@code bridge} network once a node is known.
 */
@Singleton
public class NodeConsumer extends DatabaseConsumer {
    private final NodeStore nodes;
    private final PredefinedNetworks predefined;
    private final KafkaSettings kafka;
    private final String group;

    public NodeConsumer(AgroalDataSource dataSource, OutboxRelay relay, Outbox outbox, NodeStore nodes, PredefinedNetworks predefined,
                        KafkaSettings kafka, IpamSettings settings) {
        super(dataSource, relay, outbox);
        this.nodes = nodes;
        this.predefined = predefined;
        this.kafka = kafka;
        this.group = settings.nodesGroup();
    }

    public void start() {
        start(new KafkaConsumer<>(kafka.consumer(group, "ipam-nodes")), List.of(kafka.topic(Topic.NODES)),
                "node-consumer");
    }

    @Override
    void apply(Connection c, Envelope event) throws SQLException {
        if (event.is(EventType.NODE_JOINED)) {
            NodeJoined joined = event.data(NodeJoined.class);
            nodes.joined(c, joined.node(), joined.underlayAddress(), joined.routedSubnets(), event.time());
        } else if (event.is(EventType.NODE_HEARTBEAT)) {
            NodeHeartbeat beat = event.data(NodeHeartbeat.class);
            nodes.heartbeat(c, beat.node(), beat.routedSubnets(), event.time());
        } else if (event.is(EventType.NODE_LEFT)) {
            nodes.left(c, event.data(NodeLeft.class).node(), event.time());
        }
    }

    @Override
    void afterBatch(Connection c) throws SQLException {
        predefined.ensureBridge(c);
    }
}
