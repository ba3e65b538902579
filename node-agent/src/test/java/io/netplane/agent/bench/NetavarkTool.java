package io.netplane.agent.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * netavark as podman calls it: {@code netavark --config DIR setup|teardown /run/netns/NS} with the network
 * options JSON on stdin, a static address (podman's own IPAM picks it), DNS off (no aardvark-dns, as a
 * network without dns_enabled), firewall driver iptables (netavark 1.4 on a host without firewalld).
 * One anchor container stays attached so the bridge and the network's chains persist (the steady state a
 * busy host is in; netavark otherwise removes the bridge with its last container).
 */
final class NetavarkTool implements EndpointTool {
    static final String BINARY = "/usr/lib/podman/netavark";

    private final HostNamespace host;
    private final String configDir;
    private final String bridge;
    private final String networkId = AgentBench.hex(32);
    private final String networkName;
    private final String anchorNetns;
    private Attachment anchor;

    NetavarkTool(HostNamespace host, String tag, Path workDir) throws Exception {
        this.host = host;
        this.configDir = Files.createDirectories(workDir.resolve("netavark")).toString();
        this.bridge = "nvb-" + tag;
        this.networkName = "bench" + tag;
        this.anchorNetns = host.name + "-anchor";
        createSandbox(anchorNetns);
        anchor = attach(anchorNetns, 60000, 0);
    }

    @Override public String name() { return "netavark"; }

    @Override public HostNamespace host() { return host; }

    @Override public String gateway() { return "10.241.0.1"; }

    @Override public String bridge() { return bridge; }

    @Override public void createSandbox(String netns) { Sandboxes.create(netns); }

    @Override public void removeSandbox(String netns) { Sandboxes.delete(netns); }

    @Override
    public Attachment attach(String netns, int slot, int hostPort) {
        String address = AgentBench.address("10.241", slot);
        String options = """
                {"container_id":"%s","container_name":"%s",
                 "networks":{"%s":{"interface_name":"eth0","static_ips":["%s"]}},
                 "network_info":{"%s":{"dns_enabled":false,"driver":"bridge","id":"%s","internal":false,
                   "ipv6_enabled":false,"name":"%s","network_interface":"%s",
                   "subnets":[{"subnet":"10.241.0.0/16","gateway":"10.241.0.1"}],"ipam_options":{"driver":"host-local"}}},
                 "port_mappings":%s}
                """.formatted(AgentBench.hex(32), netns, networkName, address, networkName, networkId, networkName,
                bridge, hostPort == 0 ? "[]" : """
                        [{"host_ip":"","container_port":80,"host_port":%d,"range":1,"protocol":"tcp"}]""".formatted(hostPort));
        host.exec(List.of(BINARY, "--config", configDir, "setup", "/run/netns/" + netns), Map.of(), options);
        return new Attachment(netns, netns, address, hostPort, options);
    }

    @Override
    public void detach(Attachment attachment) {
        host.exec(List.of(BINARY, "--config", configDir, "teardown", "/run/netns/" + attachment.netns()), Map.of(),
                (String) attachment.detail());
    }

    @Override
    public void close() {
        try {
            if (anchor != null) {
                detach(anchor);
            }
        } finally {
            removeSandbox(anchorNetns);
        }
    }
}
