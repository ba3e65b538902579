package io.netplane.agent.dns;

import io.netplane.agent.kernel.NetNamespace;
import io.netplane.agent.kernel.NetNamespaces;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * Tests and the bench only: a DNS client whose socket lives in a sandbox's namespace, asking 127.0.0.11:53 there.
 * The socket is made on a fresh platform thread that entered the namespace, and stays there.
 */
final class SandboxResolver implements AutoCloseable {
    private final DatagramSocket socket;
    private final byte[] buffer = new byte[4096];

    private SandboxResolver(DatagramSocket socket) {
        this.socket = socket;
    }

    /** A UDP client connected to 127.0.0.11:53 inside {@code netns}. */
    static SandboxResolver open(String netns, int timeoutMillis) {
        return inside(netns, () -> {
            DatagramSocket socket = new DatagramSocket();
            socket.setSoTimeout(timeoutMillis);
            socket.connect(DnsServers.LISTEN);
            return new SandboxResolver(socket);
        });
    }

    /** The raw answer to {@code query}; throws on timeout or ICMP port unreachable. */
    byte[] exchange(byte[] query) throws IOException {
        socket.send(new DatagramPacket(query, query.length));
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        socket.receive(packet);
        return Arrays.copyOf(buffer, packet.getLength());
    }

    Message query(String name, int type) throws IOException {
        return new Message(exchange(newQuery(name, type).toWire()));
    }

    /** One query over TCP (length-prefixed), from inside {@code netns}. */
    static Message queryTcp(String netns, String name, int type) {
        return inside(netns, () -> {
            try (Socket socket = new Socket()) {
                socket.setSoTimeout(3000);
                socket.connect(DnsServers.LISTEN, 3000);
                byte[] query = newQuery(name, type).toWire();
                byte[] framed = new byte[query.length + 2];
                framed[0] = (byte) (query.length >> 8);
                framed[1] = (byte) query.length;
                System.arraycopy(query, 0, framed, 2, query.length);
                socket.getOutputStream().write(framed);
                DataInputStream in = new DataInputStream(socket.getInputStream());
                byte[] answer = new byte[in.readUnsignedShort()];
                in.readFully(answer);
                return new Message(answer);
            }
        });
    }

    static Message newQuery(String name, int type) throws IOException {
        return Message.newQuery(Record.newRecord(Name.fromString(name.endsWith(".") ? name : name + "."), type, DClass.IN));
    }

    /** Runs {@code work} on a new platform thread inside {@code netns} (setns is per thread). */
    static <T> T inside(String netns, Callable<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                result.complete(NetNamespaces.inside(new NetNamespace(netns), () -> {
                    try {
                        return work.call();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "sandbox-resolver");
        thread.start();
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
