package io.netplane.agent.dataplane;

import io.netplane.agent.kernel.Cidr;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Holds each published host port with a socket bound on the node, as Docker's proxy does, so a port some
 * process uses is refused with Docker's message and no process can take it later. DNAT sees the packets
 * first, so these sockets never receive traffic. Sockets belong to the namespace of the thread that opens
 * them: call it from the kernel thread.
 */
public final class PortReservations {
    private final Map<String, List<Closeable>> held = new ConcurrentHashMap<>();

    /** Binds every host port of the endpoint, or none: a port in use releases the ones already bound. Idempotent. */
    public void reserve(String endpointId, String sandboxName, List<PortMapping> mappings) {
        if (held.containsKey(endpointId) || mappings.isEmpty()) {
            return;
        }
        List<Closeable> sockets = new ArrayList<>();
        for (PortMapping mapping : mappings) {
            try {
                sockets.add(bind(mapping));
            } catch (IOException e) {
                closeAll(sockets);
                // Docker's wording, so clients that match on it keep working
                throw new DataplaneException("driver failed programming external connectivity on endpoint "
                        + sandboxName + " (" + endpointId + "): Bind for " + mapping.hostSide()
                        + " failed: port is already allocated", e);
            }
        }
        held.put(endpointId, sockets);
    }

    public void release(String endpointId) {
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
