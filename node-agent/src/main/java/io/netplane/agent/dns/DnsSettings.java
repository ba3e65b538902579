package io.netplane.agent.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The embedded DNS server's configuration. {@code upstream}: the resolvers other names are forwarded to (from
 * the agent's own namespace, as Docker does); empty means none (such names get SERVFAIL). {@code etcNetns}: where
 * {@code ip netns exec} looks for per-namespace files; {@code hostResolvConf}: the file default-bridge sandboxes
 * get a copy of.
 */
public record DnsSettings(boolean enabled, List<InetSocketAddress> upstream, Duration upstreamTimeout, Path etcNetns,
                          Path hostResolvConf) {
    public static final Path ETC_NETNS = Path.of("/etc/netns");
    public static final Path HOST_RESOLV_CONF = Path.of("/etc/resolv.conf");
    public static final DnsSettings DISABLED = new DnsSettings(false, List.of(), Duration.ofSeconds(2), ETC_NETNS,
            HOST_RESOLV_CONF);

    public DnsSettings {
        upstream = List.copyOf(upstream);
    }

    /**
     * {@code netplane.dns.upstream}: comma-separated {@code 10.0.0.1}, {@code 10.0.0.1:5353}, {@code [fd00::1]:53}
     * or {@code none}; absent → the nameservers of the host's resolv.conf.
     */
    public static List<InetSocketAddress> upstream(String configured, Path hostResolvConf) {
        if (configured == null || configured.isBlank()) {
            return hostNameservers(hostResolvConf);
        }
        List<InetSocketAddress> servers = new ArrayList<>();
        for (String item : configured.split(",")) {
            String server = item.trim();
            if (server.isEmpty() || server.equalsIgnoreCase("none")) {
                continue;
            }
            servers.add(parseServer(server));
        }
        return servers;
    }

    /** The {@code nameserver} lines of a resolv.conf (numeric addresses only, port 53). */
    public static List<InetSocketAddress> hostNameservers(Path resolvConf) {
        List<InetSocketAddress> servers = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(resolvConf)) {
                String[] words = line.trim().split("\\s+");
                if (words.length >= 2 && words[0].equals("nameserver")) {
                    try {
                        servers.add(new InetSocketAddress(literal(words[1]), 53));
                    } catch (IllegalArgumentException e) {
                        // not a numeric address: resolv.conf(5) allows only those, skip it
                    }
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return servers;
    }

    static InetSocketAddress parseServer(String server) {
        String host = server;
        int port = 53;
        if (server.startsWith("[")) {
            int close = server.indexOf(']');
            host = server.substring(1, close);
            if (server.length() > close + 1) {
                port = Integer.parseInt(server.substring(close + 2));
            }
        } else if (server.indexOf(':') == server.lastIndexOf(':') && server.contains(":")) {
            host = server.substring(0, server.indexOf(':'));
            port = Integer.parseInt(server.substring(server.indexOf(':') + 1));
        }
        return new InetSocketAddress(literal(host), port);
    }

    /** A numeric address; never a name lookup. */
    static InetAddress literal(String text) {
        if (!text.matches("[0-9.]+") && !text.matches("[0-9A-Fa-f:.]+")) {
            throw new IllegalArgumentException("not a numeric address: '" + text + "'");
        }
        try {
            return InetAddress.getByName(text); // a literal: parsed, not looked up
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not a numeric address: '" + text + "'", e);
        }
    }
}
