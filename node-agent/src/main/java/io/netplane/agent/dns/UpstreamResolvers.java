package io.netplane.agent.dns;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.List;

/**
 * Forwards a query, unchanged, to the upstream resolvers in order (UDP, one fresh socket per query so the
 * source port is random) and returns the first answer whose id matches. Blocking: run it off the server loop.
 */
public final class UpstreamResolvers {
    private static final int MAX_ANSWER = 65535;

    private final List<InetSocketAddress> servers;
    private final int timeoutMillis;

    public UpstreamResolvers(List<InetSocketAddress> servers, int timeoutMillis) {
        this.servers = List.copyOf(servers);
        this.timeoutMillis = timeoutMillis;
    }

    /** The upstream answer, or null when none answered in time (the caller answers SERVFAIL). */
    public byte[] forward(byte[] query) {
        if (query.length < 2) {
            return null;
        }
        for (InetSocketAddress server : servers) {
            try (DatagramSocket socket = new DatagramSocket()) {
                socket.setSoTimeout(timeoutMillis);
                socket.send(new DatagramPacket(query, query.length, server));
                byte[] buffer = new byte[MAX_ANSWER];
                long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
                while (System.nanoTime() < deadline) {
                    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                    socket.receive(packet);
                    // a stray datagram or another query's late answer: keep waiting for ours
                    if (packet.getLength() >= 2 && buffer[0] == query[0] && buffer[1] == query[1]
                            && server.equals(packet.getSocketAddress())) {
                        return Arrays.copyOf(buffer, packet.getLength());
                    }
                }
            } catch (SocketTimeoutException e) {
                // try the next server
            } catch (IOException e) {
                // unreachable: try the next server
            }
        }
        return null;
    }

    public boolean isEmpty() {
        return servers.isEmpty();
    }

    @Override
    public String toString() {
        return servers.toString();
    }
}
