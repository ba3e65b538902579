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

    /** {@code ip netns list}: the names only. */
    static List<String> namespaces() throws IOException, InterruptedException {
        List<String> names = new ArrayList<>();
        for (String line : ip("netns", "list").checked().split("\n")) {
            if (!line.isBlank()) {
                names.add(line.trim().split("\\s+")[0]);
            }
        }
        return names;
    }

    /** {@code ip -n NETNS -j addr show dev NAME} as JSON (one link), or null when absent. */
    static JsonNode linkIn(String netns, String name) throws IOException, InterruptedException {
        Output out = ip("-n", netns, "-d", "-j", "addr", "show", "dev", name);
        return out.status != 0 ? null : Api.JSON.readTree(out.text).path(0);
    }

    /** {@code ip -d -j link show dev NAME} as JSON, or null when absent. */
    static JsonNode link(String name) throws IOException, InterruptedException {
        Output out = ip("-d", "-j", "link", "show", "dev", name);
        return out.status != 0 ? null : Api.JSON.readTree(out.text).path(0);
    }

    /** {@code ip -n NETNS -j route show default}: the gateway of the default route, or null. */
    static String defaultGatewayIn(String netns) throws IOException, InterruptedException {
        for (JsonNode r : Api.JSON.readTree(ip("-n", netns, "-j", "route", "show", "default").checked())) {
            return r.path("gateway").asText(null);
        }
        return null;
    }

    /** Runs a command inside a namespace ({@code ip netns exec}); exit status and output. */
    static Output execIn(String netns, String... command) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("netns", "exec", netns));
        args.addAll(List.of(command));
        return ip(args.toArray(String[]::new));
    }

    /** Starts a long-running command inside a namespace; the caller destroys it. */
    static Process startIn(String netns, String... command) throws IOException {
        List<String> args = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        args.addAll(List.of(command));
        return new ProcessBuilder(args).redirectErrorStream(true).start();
    }

    /** One HTTP GET to host:port with a short timeout; the body, or null when nothing answered. */
    static String httpGet(String host, int port) {
        try {
            java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                    .connectTimeout(java.time.Duration.ofSeconds(2)).build();
            java.net.http.HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://" + host + ":" + port + "/")).timeout(java.time.Duration.ofSeconds(3)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The inode of a network namespace file ({@code /run/netns/NAME} or a {@code /proc/.../ns/net}): equal inodes, one namespace. */
    static long namespaceInode(String path) throws IOException {
        return ((Number) java.nio.file.Files.getAttribute(java.nio.file.Path.of(path.startsWith("/") ? path
                : "/run/netns/" + path), "unix:ino")).longValue();
    }

    /** Deletes the namespaces whose names are in {@code names} and exist; returns those deleted. */
    static List<String> deleteNamespaces(List<String> names) throws IOException, InterruptedException {
        List<String> present = namespaces();
        List<String> deleted = new ArrayList<>();
        for (String name : names) {
            if (present.contains(name) && ip("netns", "del", name).status == 0) {
                deleted.add(name);
            }
        }
        return deleted;
    }

    record Output(int status, String text) {
        String checked() {
            if (status != 0) {
                throw new IllegalStateException("ip failed (" + status + "): " + text);
            }
            return text;
        }
    }

    /** Runs a command that must succeed (the test's own set-up: namespaces, links). */
    static void sh(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
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
