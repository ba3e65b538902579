package io.netplane.agent;

import io.netplane.agent.dns.DnsSettings;
import io.netplane.agent.kernel.Uname;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Starts the node agent with the application and stops it (saying node.left) on a clean shutdown. */
@ApplicationScoped
public class AgentLifecycle {
    @ConfigProperty(name = "netplane.node.name")
    Optional<String> nodeName;

    @ConfigProperty(name = "kafka.bootstrap.servers", defaultValue = "127.0.0.1:9092")
    String bootstrapServers;

    @ConfigProperty(name = "netplane.topics.prefix", defaultValue = "netplane")
    String topicPrefix;

    @ConfigProperty(name = "netplane.bridge.default-name", defaultValue = "np0")
    String defaultBridgeName;

    @ConfigProperty(name = "netplane.node.heartbeat-interval", defaultValue = "5s")
    Duration heartbeatInterval;

    @ConfigProperty(name = "quarkus.application.version", defaultValue = "dev")
    String version;

    @ConfigProperty(name = "netplane.agent.state-dir", defaultValue = "/var/lib/netplane/agent")
    String stateDir;

    @ConfigProperty(name = "netplane.firewall.enabled", defaultValue = "true")
    boolean firewallEnabled;

    @ConfigProperty(name = "netplane.firewall.table", defaultValue = "netplane")
    String firewallTable;

    @ConfigProperty(name = "netplane.node.netns")
    Optional<String> netns;

    @ConfigProperty(name = "netplane.node.underlay-address")
    Optional<String> underlayAddress;

    @ConfigProperty(name = "netplane.reconcile.interval", defaultValue = "30s")
    Duration reconcileInterval;

    @ConfigProperty(name = "netplane.dns.enabled", defaultValue = "true")
    boolean dnsEnabled;

    @ConfigProperty(name = "netplane.dns.upstream")
    Optional<String> dnsUpstream;

    @ConfigProperty(name = "netplane.dns.upstream-timeout", defaultValue = "2s")
    Duration dnsUpstreamTimeout;

    private volatile NodeAgent agent;

    void onStart(@Observes StartupEvent event) {
        String node = nodeName.filter(n -> !n.isBlank()).orElseGet(() -> Uname.read().nodename());
        NodeAgent started = new NodeAgent(new AgentSettings(node, bootstrapServers, topicPrefix, defaultBridgeName,
                heartbeatInterval, version, Path.of(stateDir), firewallEnabled ? firewallTable : "",
                netns.filter(n -> !n.isBlank()), reconcileInterval, underlayAddress.filter(a -> !a.isBlank())),
                new DnsSettings(dnsEnabled,
                DnsSettings.upstream(dnsUpstream.orElse(null), DnsSettings.HOST_RESOLV_CONF), dnsUpstreamTimeout,
                DnsSettings.ETC_NETNS, DnsSettings.HOST_RESOLV_CONF));
        agent = started;
        started.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        NodeAgent running = agent;
        if (running != null) {
            running.close();
        }
    }

    /** The running agent, or null before start. */
    public NodeAgent agent() {
        return agent;
    }
}
