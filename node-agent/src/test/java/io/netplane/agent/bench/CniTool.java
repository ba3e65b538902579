package io.netplane.agent.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The CNI chain as a runtime (libcni) runs it: ADD = bridge (which calls host-local) then portmap with the
 * bridge's result as prevResult and the port in runtimeConfig; DEL = portmap then bridge. Plugins from
 * Debian's containernetworking-plugins in /usr/lib/cni; host-local keeps its leases under the bench's work
 * folder. One anchor container stays attached, as for netavark.
 */
final class CniTool implements EndpointTool {
    static final String PLUGINS = "/usr/lib/cni";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HostNamespace host;
    private final String bridge;
    private final String bridgeConfig;
    private final String anchorNetns;
    private Attachment anchor;

    CniTool(HostNamespace host, String tag, Path workDir) throws Exception {
        this.host = host;
        this.bridge = "cnb-" + tag;
        String ipamDir = Files.createDirectories(workDir.resolve("cni-ipam")).toString();
        this.bridgeConfig = """
                {"cniVersion":"1.0.0","name":"bench%s","type":"bridge","bridge":"%s","isGateway":true,"ipMasq":true,
                 "hairpinMode":true,"ipam":{"type":"host-local","dataDir":"%s",
                 "ranges":[[{"subnet":"10.242.0.0/16","gateway":"10.242.0.1"}]],"routes":[{"dst":"0.0.0.0/0"}]}}
                """.formatted(tag, bridge, ipamDir);
        this.anchorNetns = host.name + "-anchor";
        createSandbox(anchorNetns);
        anchor = attach(anchorNetns, 0, 0);
    }

    @Override public String name() { return "cni"; }

    @Override public HostNamespace host() { return host; }

    @Override public String gateway() { return "10.242.0.1"; }

    @Override public String bridge() { return bridge; }

    @Override public void createSandbox(String netns) { Sandboxes.create(netns); }

    @Override public void removeSandbox(String netns) { Sandboxes.delete(netns); }

    @Override
    public Attachment attach(String netns, int slot, int hostPort) throws Exception {
        String containerId = AgentBench.hex(32);
        String result = host.exec(List.of(PLUGINS + "/bridge"), env("ADD", containerId, netns), bridgeConfig);
        JsonNode parsed = JSON.readTree(result);
        String address = parsed.path("ips").path(0).path("address").asText().replaceAll("/.*", "");
        String portmapConfig = null;
        if (hostPort != 0) {
            ObjectNode portmap = JSON.createObjectNode();
            portmap.put("cniVersion", "1.0.0");
            portmap.put("name", JSON.readTree(bridgeConfig).path("name").asText());
            portmap.put("type", "portmap");
            portmap.putObject("capabilities").put("portMappings", true);
            portmap.put("snat", true);
            portmap.putObject("runtimeConfig").putArray("portMappings").addObject()
                    .put("hostPort", hostPort).put("containerPort", 80).put("protocol", "tcp");
            portmap.set("prevResult", parsed);
            portmapConfig = JSON.writeValueAsString(portmap);
            host.exec(List.of(PLUGINS + "/portmap"), env("ADD", containerId, netns), portmapConfig);
        }
        return new Attachment(containerId, netns, address, hostPort, portmapConfig);
    }

    @Override
    public void detach(Attachment attachment) {
        if (attachment.detail() != null) {
            host.exec(List.of(PLUGINS + "/portmap"), env("DEL", attachment.id(), attachment.netns()),
                    (String) attachment.detail());
        }
        host.exec(List.of(PLUGINS + "/bridge"), env("DEL", attachment.id(), attachment.netns()), bridgeConfig);
    }

    private static Map<String, String> env(String command, String containerId, String netns) {
        return Map.of("CNI_COMMAND", command, "CNI_CONTAINERID", containerId, "CNI_NETNS", "/run/netns/" + netns,
                "CNI_IFNAME", "eth0", "CNI_PATH", PLUGINS);
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
