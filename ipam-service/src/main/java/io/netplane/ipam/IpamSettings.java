package io.netplane.ipam;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;
import java.util.List;

/** Every {@code netplane.ipam.*} key. The pools have Docker's {@code default-address-pools} shape: base + size. */
@ConfigMapping(prefix = "netplane.ipam")
public interface IpamSettings {

    /** Pools for local (bridge) networks, in search order. */
    @WithName("default-pools")
    List<Pool> defaultPools();

    /** Pools for overlay networks. */
    @WithName("overlay-pools")
    List<Pool> overlayPools();

    /** The one consumer group of every replica on {@code <prefix>.intents}. */
    @WithName("intents-group")
    @WithDefault("netplane-ipam")
    String intentsGroup();

    /** Consumer threads per replica on {@code <prefix>.intents}, each a member of the group (its own partitions). */
    @WithName("intent-consumers")
    @WithDefault("1")
    int intentConsumers();

    /** The consumer group on {@code <prefix>.nodes}. */
    @WithName("nodes-group")
    @WithDefault("netplane-ipam-nodes")
    String nodesGroup();

    Outbox outbox();

    /** Host ports handed out for {@code hostPort 0}: Linux's ip_local_port_range default, as Docker reads it. */
    @WithName("ephemeral-ports")
    EphemeralPorts ephemeralPorts();

    interface EphemeralPorts {
        @WithDefault("32768")
        int first();

        @WithDefault("60999")
        int last();
    }

    interface Pool {
        String base();

        int size();
    }

    interface Outbox {
        /** The safety net for rows committed but not yet published (a crash between the two). */
        @WithName("poll-interval")
        @WithDefault("1s")
        Duration pollInterval();
    }
}
