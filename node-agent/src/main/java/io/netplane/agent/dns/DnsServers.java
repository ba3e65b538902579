package io.netplane.agent.dns;

import io.netplane.agent.kernel.NetNamespace;
import io.netplane.agent.kernel.NetNamespaces;
import org.jboss.logging.Logger;
import org.xbill.DNS.Message;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The DNS servers of this node's sandboxes: per sandbox one UDP and one TCP socket bound to 127.0.0.11:53
 * inside its namespace, all served by ONE selector thread. A socket belongs to the namespace it was created in,
 * so the loop thread enters the sandbox's namespace only to open them ({@link NetNamespaces#inside}) and serves
 * them from home. Local names are answered on the loop; forwarded queries wait on a small pool so a slow
 * upstream never holds up local answers.
 */
public final class DnsServers implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DnsServers.class);
    public static final InetSocketAddress LISTEN = new InetSocketAddress(DnsSettings.literal("127.0.0.11"), 53);
    private static final int TCP_MAX = 65535;

    private final Supplier<NameTable> table;
    private final UpstreamResolvers upstream;
    private final Selector selector;
    private final Thread loop;
    private final ExecutorService forwarding;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Map<String, Server> servers = new HashMap<>(); // the loop thread's only
    private final Map<String, UpstreamResolvers> upstreamOf = new HashMap<>(); // the loop thread's only: --dns
    private final ByteBuffer datagram = ByteBuffer.allocateDirect(TCP_MAX);
    private volatile boolean closed;

    /** What to do when a key is ready; the key's attachment. */
    private interface Handler {
        void ready(SelectionKey key) throws IOException;
    }

    private final class Server {
        final String sandboxId;
        final String netns;
        final DatagramChannel udp;
        final ServerSocketChannel tcp;
        final Set<SocketChannel> connections = new HashSet<>();

        Server(String sandboxId, String netns, DatagramChannel udp, ServerSocketChannel tcp) {
            this.sandboxId = sandboxId;
            this.netns = netns;
            this.udp = udp;
            this.tcp = tcp;
        }

        void close() {
            connections.forEach(DnsServers::closeQuietly);
            closeQuietly(udp);
            closeQuietly(tcp);
        }
    }

    public DnsServers(Supplier<NameTable> table, UpstreamResolvers upstream) {
        this.table = table;
        this.upstream = upstream;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("open the DNS selector", e);
        }
        this.forwarding = Executors.newFixedThreadPool(2, task -> {
            Thread thread = new Thread(task, "netplane-dns-forward");
            thread.setDaemon(true);
            return thread;
        });
        this.loop = new Thread(this::serve, "netplane-dns");
        loop.setDaemon(true);
        loop.start();
    }

    /**
     * Equivalent to a server listening on 127.0.0.11:53 (UDP and TCP) in {@code netns}, answering for
     * {@code sandboxId}. Idempotent; a server for the same sandbox in another namespace is replaced.
     */
    public void open(String sandboxId, NetNamespace netns) {
        open(sandboxId, netns, null);
    }

    /**
     * {@link #open(String, NetNamespace)} forwarding the sandbox's other names to {@code sandboxUpstream} (its own
     * nameservers, {@code docker run --dns}; Docker's embedded server forwards to them) instead of the node's.
     */
    public void open(String sandboxId, NetNamespace netns, UpstreamResolvers sandboxUpstream) {
        onLoop(() -> {
            if (sandboxUpstream == null || sandboxUpstream.isEmpty()) {
                upstreamOf.remove(sandboxId);
            } else {
                upstreamOf.put(sandboxId, sandboxUpstream);
            }
            Server existing = servers.get(sandboxId);
            if (existing != null && existing.netns.equals(netns.name()) && existing.udp.isOpen()) {
                return null;
            }
            if (existing != null) {
                servers.remove(sandboxId).close();
            }
            Server server = NetNamespaces.inside(netns, () -> bind(sandboxId, netns));
            try {
                server.udp.register(selector, SelectionKey.OP_READ, (Handler) key -> readDatagrams(server));
                server.tcp.register(selector, SelectionKey.OP_ACCEPT, (Handler) key -> accept(server));
            } catch (IOException e) {
                server.close();
                throw new UncheckedIOException("serve DNS in " + netns, e);
            }
            servers.put(sandboxId, server);
            return null;
        });
    }

    /** Stops the sandbox's server; nothing there is success. */
    public void close(String sandboxId) {
        onLoop(() -> {
            Server server = servers.remove(sandboxId);
            upstreamOf.remove(sandboxId);
            if (server != null) {
                server.close();
            }
            return null;
        });
    }

    /** Sandbox id → namespace of every running server. */
    public Map<String, String> serving() {
        return onLoop(() -> {
            Map<String, String> result = new HashMap<>();
            servers.forEach((id, server) -> result.put(id, server.netns));
            return result;
        });
    }

    private Server bind(String sandboxId, NetNamespace netns) {
        DatagramChannel udp = null;
        ServerSocketChannel tcp = null;
        try {
            udp = DatagramChannel.open(StandardProtocolFamily.INET);
            udp.bind(LISTEN);
            udp.configureBlocking(false);
            tcp = ServerSocketChannel.open(StandardProtocolFamily.INET);
            tcp.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            tcp.bind(LISTEN, 64);
            tcp.configureBlocking(false);
            return new Server(sandboxId, netns.name(), udp, tcp);
        } catch (IOException e) {
            closeQuietly(udp);
            closeQuietly(tcp);
            throw new UncheckedIOException("bind " + LISTEN + " in network namespace " + netns + ": " + e.getMessage(), e);
        }
    }

    private void serve() {
        while (!closed) {
            try {
                selector.select();
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    task.run();
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    if (!key.isValid()) {
                        continue;
                    }
                    try {
                        ((Handler) key.attachment()).ready(key);
                    } catch (IOException | RuntimeException e) {
                        LOG.debugf("DNS: %s", e);
                    }
                }
                selector.selectedKeys().clear();
            } catch (ClosedSelectorException e) {
                return;
            } catch (IOException | RuntimeException e) {
                LOG.warnf(e, "DNS server loop");
            }
        }
    }

    private void readDatagrams(Server server) throws IOException {
        for (int i = 0; i < 64; i++) { // drain a burst, then let the other sockets have a turn
            datagram.clear();
            SocketAddress from = server.udp.receive(datagram);
            if (from == null) {
                return;
            }
            datagram.flip();
            byte[] query = new byte[datagram.remaining()];
            datagram.get(query);
            byte[] answer = respond(server.sandboxId, query, true, later -> sendQuietly(server.udp, later, from));
            if (answer != null) {
                server.udp.send(ByteBuffer.wrap(answer), from);
            }
        }
    }

    private void accept(Server server) throws IOException {
        SocketChannel connection = server.tcp.accept();
        if (connection == null) {
            return;
        }
        connection.configureBlocking(false);
        server.connections.add(connection);
        ByteBuffer buffer = ByteBuffer.allocate(2 + TCP_MAX);
        connection.register(selector, SelectionKey.OP_READ, (Handler) key -> readStream(server, connection, buffer));
    }

    /** RFC 7766: each message carries a two-byte length; several may share a connection. */
    private void readStream(Server server, SocketChannel connection, ByteBuffer buffer) throws IOException {
        int read;
        try {
            read = connection.read(buffer);
        } catch (IOException e) {
            read = -1;
        }
        if (read < 0) {
            server.connections.remove(connection);
            closeQuietly(connection);
            return;
        }
        buffer.flip();
        while (buffer.remaining() >= 2) {
            int length = Short.toUnsignedInt(buffer.getShort(buffer.position()));
            if (buffer.remaining() < 2 + length) {
                break;
            }
            buffer.position(buffer.position() + 2);
            byte[] query = new byte[length];
            buffer.get(query);
            byte[] answer = respond(server.sandboxId, query, false,
                    later -> onLoopLater(() -> writeStream(connection, later)));
            if (answer != null) {
                writeStream(connection, answer);
            }
        }
        buffer.compact();
    }

    /** The answer to send now, or null when there is none yet (forwarded: {@code later} gets it) or none at all. */
    private byte[] respond(String sandboxId, byte[] bytes, boolean udp, Consumer<byte[]> later) {
        Message query;
        try {
            query = new Message(bytes);
        } catch (IOException e) {
            return null; // not DNS: drop it, as resolvers do
        }
        int limit = udp ? DnsAnswers.udpLimit(query) : TCP_MAX;
        Message answer = DnsAnswers.answer(query, table.get(), sandboxId);
        if (answer != null) {
            return answer.toWire(limit);
        }
        UpstreamResolvers resolvers = upstreamOf.getOrDefault(sandboxId, upstream);
        if (resolvers.isEmpty()) {
            return DnsAnswers.serverFailure(query).toWire(limit);
        }
        forwarding.execute(() -> {
            byte[] forwarded = resolvers.forward(bytes);
            later.accept(forwarded != null && (!udp || forwarded.length <= limit) ? forwarded
                    : forwarded != null ? truncated(query, limit) : DnsAnswers.serverFailure(query).toWire(limit));
        });
        return null;
    }

    private static byte[] truncated(Message query, int limit) {
        Message answer = DnsAnswers.reply(query, 0);
        answer.getHeader().setFlag(org.xbill.DNS.Flags.TC); // the client retries over TCP
        return answer.toWire(limit);
    }

    private static void writeStream(SocketChannel connection, byte[] answer) {
        ByteBuffer out = ByteBuffer.allocate(2 + answer.length);
        out.putShort((short) answer.length).put(answer).flip();
        try {
            for (int spins = 0; out.hasRemaining() && spins < 1000; spins++) {
                connection.write(out);
            }
            if (out.hasRemaining()) {
                closeQuietly(connection); // a client that does not read its answers
            }
        } catch (IOException e) {
            closeQuietly(connection);
        }
    }

    private static void sendQuietly(DatagramChannel channel, byte[] answer, SocketAddress to) {
        try {
            channel.send(ByteBuffer.wrap(answer), to);
        } catch (IOException e) {
            // the sandbox went away meanwhile
        }
    }

    private <T> T onLoop(Callable<T> work) {
        if (Thread.currentThread() == loop) {
            try {
                return work.call();
            } catch (Exception e) {
                throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
            }
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        onLoopLater(() -> {
            try {
                result.complete(work.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        try {
            return result.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the DNS loop", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the DNS loop did not answer in 10 s", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private void onLoopLater(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            onLoop(() -> {
                servers.values().forEach(Server::close);
                servers.clear();
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warnf("closing the DNS servers: %s", e.getMessage());
        }
        closed = true;
        forwarding.shutdownNow();
        selector.wakeup();
        try {
            loop.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly(selector);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            // closing is best effort
        }
    }
}
