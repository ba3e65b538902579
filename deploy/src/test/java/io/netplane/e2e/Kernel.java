package io.netplane.e2e;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What the kernel shows, read with iproute2 (the test may fork; the agent may not). */
final class Kernel {
    private Kernel() {
    }

    record Bridge(String name, List<String> flags, String alias, List<String> addresses) {
        boolean up() {
            return flags.contains("UP");
        }
    }

    record Route(String dst, String dev) {
    }

    /** {@code ip -d -j addr show dev NAME}, or null when there is no such link. */
    static Bridge bridge(String name) throws IOException, InterruptedException {
        Output out = ip("-d", "-j", "addr", "show", "dev", name);
        if (out.status != 0) {
            return null;
        }
        JsonNode link = Api.JSON.readTree(out.text).path(0);
        List<String> flags = new ArrayList<>();
        link.path("flags").forEach(f -> flags.add(f.asText()));
        List<String> addresses = new ArrayList<>();
        link.path("addr_info").forEach(a -> addresses.add(a.path("local").asText() + "/" + a.path("prefixlen").asInt()));
        return new Bridge(link.path("ifname").asText(), flags, link.path("ifalias").asText(""), addresses);
    }

    /** {@code ip -j route show} (the main table), default route left out. */
    static List<Route> routes() throws IOException, InterruptedException {
        List<Route> routes = new ArrayList<>();
        for (JsonNode r : Api.JSON.readTree(ip("-j", "route", "show").checked())) {
            if (!"default".equals(r.path("dst").asText())) {
                routes.add(new Route(r.path("dst").asText(), r.path("dev").asText()));
            }
        }
        return routes;
    }

    /** Deletes every link whose alias starts with {@code prefix}; returns their names. */
    static List<String> deleteLinksMarked(String prefix) throws IOException, InterruptedException {
        List<String> deleted = new ArrayList<>();
        for (JsonNode link : Api.JSON.readTree(ip("-d", "-j", "link", "show").checked())) {
            String name = link.path("ifname").asText();
            if (link.path("ifalias").asText("").startsWith(prefix) && ip("link", "del", name).status == 0) {
                deleted.add(name);
            }
        }
        return deleted;
    }

    private record Output(int status, String text) {
        String checked() {
            if (status != 0) {
                throw new IllegalStateException("ip failed (" + status + "): " + text);
            }
            return text;
        }
    }

    private static Output ip(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timeout: " + command);
        }
        return new Output(p.exitValue(), text);
    }
}
