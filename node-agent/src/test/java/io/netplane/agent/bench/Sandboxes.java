package io.netplane.agent.bench;

import io.netplane.agent.kernel.Link;
import io.netplane.agent.kernel.NetNamespace;
import io.netplane.agent.kernel.NetNamespaces;
import io.netplane.agent.kernel.Rtnetlink;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Sandbox namespaces for the peers (what podman or a CNI runtime makes before calling them), and a server inside. */
final class Sandboxes {
    private Sandboxes() {
    }

    /** Equivalent to {@code ip netns add NAME; ip -n NAME link set lo up}. */
    static void create(String name) {
        NetNamespace namespace = NetNamespaces.create(name);
        try (Rtnetlink inside = Rtnetlink.in(namespace)) {
            Link lo = inside.links().get("lo").orElseThrow();
            inside.links().setUp(lo.index(), "lo");
        }
    }

    static void delete(String name) {
        NetNamespaces.delete(name);
    }

    /** True when the sandbox has no interface {@code ifname}, or one without an IPv4 address (its address is free). */
    static boolean addressFree(String netns, String ifname) {
        try (Rtnetlink inside = Rtnetlink.in(new NetNamespace(netns))) {
            Optional<Link> link = inside.links().get(ifname);
            return link.isEmpty() || inside.addresses().list(link.get().index()).stream().noneMatch(a -> a.cidr().isIpv4());
        }
    }

    /**
     * A TCP server on 0.0.0.0:{@code port} inside the sandbox answering {@code reply}: its socket is opened by a
     * thread that entered the namespace, so it lives there; it keeps listening while interfaces come and go.
     */
    static ServerSocketChannel serve(String netns, int port, String reply) throws Exception {
        ServerSocketChannel[] opened = new ServerSocketChannel[1];
        Thread opener = new Thread(() -> {
            NetNamespaces.enter(new NetNamespace(netns));
            try {
                opened[0] = ServerSocketChannel.open().bind(new InetSocketAddress("0.0.0.0", port), 64);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        opener.start();
        opener.join();
        ServerSocketChannel server = opened[0];
        if (server == null) {
            throw new IllegalStateException("no server in " + netns);
        }
        Thread acceptor = new Thread(() -> {
            byte[] bytes = (reply + "\n").getBytes(StandardCharsets.UTF_8);
            while (server.isOpen()) {
                try (SocketChannel client = server.accept()) {
                    client.write(ByteBuffer.wrap(bytes));
                } catch (IOException e) {
                    // closed: done
                }
            }
        }, "serve-" + netns);
        acceptor.setDaemon(true);
        acceptor.start();
        return server;
    }
}
