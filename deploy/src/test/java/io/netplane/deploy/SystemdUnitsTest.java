package io.netplane.deploy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/systemd: the units pass {@code systemd-analyze verify}, read the env files, start in order, run the
 * runner jars of their modules, the agent keeps the capabilities it needs; the env files set only what a
 * service reads.
 */
class SystemdUnitsTest {
    static final Path SYSTEMD = Manifests.REPO.resolve("deploy/systemd");
    static final Map<String, String> UNITS = Map.of("netplane-api.service", "api-service",
            "netplane-ipam.service", "ipam-service", "netplane-agent.service", "node-agent");

    /** key → values of a unit file (a key may repeat). */
    static Map<String, List<String>> read(Path unit) throws IOException {
        Map<String, List<String>> keys = new LinkedHashMap<>();
        for (String line : Files.readAllLines(unit)) {
            String l = line.trim();
            if (l.isEmpty() || l.startsWith("#") || l.startsWith("[")) {
                continue;
            }
            int eq = l.indexOf('=');
            keys.computeIfAbsent(l.substring(0, eq), k -> new ArrayList<>()).add(l.substring(eq + 1));
        }
        return keys;
    }

    @Test
    void theUnitsPassSystemdAnalyzeVerify(@TempDir Path dir) throws Exception {
        var analyze = Manifests.executable("systemd-analyze");
        Manifests.require(analyze.isPresent(), "systemd-analyze is not installed (Debian package systemd)");
        List<String> command = new ArrayList<>(List.of(analyze.get().toString(), "verify"));
        for (String unit : UNITS.keySet()) {
            Files.copy(SYSTEMD.resolve(unit), dir.resolve(unit));
            command.add(dir.resolve(unit).toString());
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "systemd-analyze verify did not finish");
        assertEquals(0, p.exitValue(), out);
        // unknown keys and bad values are warnings with exit 0: none may name a netplane unit
        List<String> about = out.lines().filter(l -> l.contains("netplane-")).toList();
        assertEquals(List.of(), about, out);
    }

    @Test
    void theUnitsRunTheirModulesWithTheEnvFilesInOrder() throws IOException {
        for (var e : UNITS.entrySet()) {
            Map<String, List<String>> unit = read(SYSTEMD.resolve(e.getKey()));
            String exec = unit.get("ExecStart").get(0);
            assertTrue(exec.startsWith("/usr/bin/java "), e.getKey() + ": " + exec);
            assertTrue(exec.endsWith(" -jar /opt/netplane/" + e.getValue() + "/quarkus-run.jar"), e.getKey() + ": " + exec);
            assertTrue(unit.get("EnvironmentFile").contains("/etc/netplane/netplane.env"), e.getKey());
            assertTrue(unit.get("EnvironmentFile").stream().anyMatch(f -> f.startsWith("-/etc/netplane/")
                    && f.endsWith(".env")), e.getKey() + ": its own optional env file");
            assertTrue(unit.get("After").get(0).contains("network-online.target"), e.getKey());
            assertTrue(unit.get("Wants").get(0).contains("network-online.target"), e.getKey());
            assertEquals(List.of("multi-user.target"), unit.get("WantedBy"), e.getKey());
            assertTrue(unit.containsKey("Restart"), e.getKey());
        }
        assertTrue(read(SYSTEMD.resolve("netplane-api.service")).get("After").get(0).contains("netplane-ipam.service"),
                "the api starts after ipam");
        assertEquals(List.of("netplane"), read(SYSTEMD.resolve("netplane-api.service")).get("User"));
        assertEquals(List.of("netplane"), read(SYSTEMD.resolve("netplane-ipam.service")).get("User"));
    }

    @Test
    void theAgentKeepsTheCapabilitiesItNeedsAndTheHostsMounts() throws IOException {
        Map<String, List<String>> agent = read(SYSTEMD.resolve("netplane-agent.service"));
        Set<String> ambient = Set.of(agent.get("AmbientCapabilities").get(0).split("\\s+"));
        Set<String> bounding = Set.of(agent.get("CapabilityBoundingSet").get(0).split("\\s+"));
        assertTrue(ambient.containsAll(Set.of("CAP_NET_ADMIN", "CAP_SYS_ADMIN", "CAP_NET_RAW")), ambient.toString());
        assertTrue(bounding.containsAll(ambient), "the bounding set keeps the ambient capabilities");
        assertEquals(List.of("no"), agent.get("PrivateMounts"), "its /run/netns mounts must be the host's");
        assertTrue(!agent.containsKey("ProtectSystem") && !agent.containsKey("PrivateNetwork"),
                "the agent works on the host's network and file system");
        assertEquals(List.of("netplane"), agent.get("StateDirectory"), "/var/lib/netplane");
    }

    @Test
    void theEnvFilesSetOnlyWhatAServiceReads() throws IOException {
        ServiceProperties properties = new ServiceProperties(Manifests.REPO);
        List<String> unread = new ArrayList<>();
        for (String file : List.of("netplane.env", "api.env", "agent.env")) {
            for (String line : Files.readAllLines(SYSTEMD.resolve(file))) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String key = line.substring(0, line.indexOf('='));
                if (!key.equals("JAVA_OPTS") && !properties.reads(key)) {
                    unread.add(file + ": " + key);
                }
            }
        }
        for (List<String> env : List.of(read(SYSTEMD.resolve("netplane-agent.service")).get("Environment"))) {
            env.forEach(e -> {
                String key = e.substring(0, e.indexOf('='));
                if (!properties.reads(key)) {
                    unread.add("netplane-agent.service: " + key);
                }
            });
        }
        assertEquals(List.of(), unread);
    }
}
