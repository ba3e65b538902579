package io.netplane.agent.dataplane;

import io.netplane.agent.kernel.Cidr;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Holds each published host port with a socket bound on the node, as Docker's proxy does, so a port some
 * process serves is refused with Docker's message and no process can take it later. DNAT sees the packets
 * first, so these sockets never receive traffic. Sockets belong to the namespace of the thread that opens
 * them: call it from the kernel thread.
 *
 * <p>A port that only connections use as their source port (an ephemeral host port is in the kernel's
 * ip_local_port_range, so any client may hold it) is not refused: DNAT leaves those connections alone, so the
 * port is published and its socket bound once they are gone ({@link #retryWaiting}). Docker fails that bind and
 * tries another port; ipam here has already told the caller which port it is.
 */
public final class PortReservations {
    private static final String TCP_LISTEN = "0A";
    private static final String UDP_UNCONNECTED = "07";

    private final Map<String, List<Closeable>> held = new ConcurrentHashMap<>();
    private final Map<String, List<PortMapping>> waiting = new ConcurrentHashMap<>();

    /** Binds every host port of the endpoint, or none: a port in use releases the ones already bound. Idempotent. */
    public void reserve(String endpointId, String sandboxName, List<PortMapping> mappings) {
        if (held.containsKey(endpointId) || mappings.isEmpty()) {
            return;
        }
        List<Closeable> sockets = new ArrayList<>();
        List<PortMapping> later = new ArrayList<>();
        for (PortMapping mapping : mappings) {
            try {
                sockets.add(bind(mapping));
            } catch (IOException e) {
                if (!served(mapping)) {
                    later.add(mapping);
                    continue;
                }
                closeAll(sockets);
                // Docker's wording, so clients that match on it keep working
                throw new DataplaneException("driver failed programming external connectivity on endpoint "
                        + sandboxName + " (" + endpointId + "): Bind for " + mapping.hostSide()
                        + " failed: port is already allocated", e);
            }
        }
        held.put(endpointId, sockets);
        if (!later.isEmpty()) {
            waiting.put(endpointId, later);
        }
    }

    /** Binds the ports that were held by connections when their endpoint was attached, where they are gone now. */
    public void retryWaiting() {
        waiting.forEach((endpointId, mappings) -> {
            List<Closeable> sockets = held.get(endpointId);
            if (sockets == null) {
                return;
            }
            mappings.removeIf(mapping -> {
                try {
                    sockets.add(bind(mapping));
                    return true;
                } catch (IOException e) {
                    return false;
                }
            });
            waiting.remove(endpointId, List.of());
        });
    }

    public void release(String endpointId) {
        waiting.remove(endpointId);
        List<Closeable> sockets = held.remove(endpointId);
        if (sockets != null) {
            closeAll(sockets);
        }
    }

    public boolean holds(String endpointId) {
        return held.containsKey(endpointId);
    }

    private static Closeable bind(PortMapping mapping) throws IOException {
        InetSocketAddress address = new InetSocketAddress(
                Cidr.literal(mapping.hostIp() == null ? "0.0.0.0" : mapping.hostIp()), mapping.hostPort());
        if (mapping.protocol().equals("udp")) {
            DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET);
            try {
                return channel.bind(address);
            } catch (IOException e) {
                channel.close();
                throw e;
            }
        }
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.INET);
        try {
            return channel.bind(address, 1); // listening: a bound-only socket would let SO_REUSEADDR binders share it
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Whether a socket of this thread's namespace serves the port (listens on it, or for udp is bound without a
     * peer) at any address, IPv4 or IPv6 — rather than being one end of a connection.
     */
    static boolean served(PortMapping mapping) {
        boolean udp = mapping.protocol().equals("udp");
        String state = udp ? UDP_UNCONNECTED : TCP_LISTEN;
        String port = String.format(Locale.ROOT, ":%04X", mapping.hostPort());
        for (String table : udp ? List.of("udp", "udp6") : List.of("tcp", "tcp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of("/proc/thread-self/net", table));
            } catch (NoSuchFileException e) {
                continue; // no IPv6 in this kernel
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] fields = line.trim().split("\\s+"); // sl local_address rem_address st ...
                if (fields.length > 3 && fields[1].endsWith(port) && fields[3].equals(state)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void closeAll(List<Closeable> sockets) {
        for (Closeable socket : sockets) {
            try {
                socket.close();
            } catch (IOException e) {
                // closed either way
            }
        }
    }
}
