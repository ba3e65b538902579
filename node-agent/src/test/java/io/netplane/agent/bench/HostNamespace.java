package io.netplane.agent.bench;

import io.netplane.agent.kernel.Link;
import io.netplane.agent.kernel.NetNamespace;
import io.netplane.agent.kernel.NetNamespaces;
import io.netplane.agent.kernel.Rtnetlink;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway "host" network namespace and four platform threads that live in it. A process started from one
 * of them is born in that namespace (posix_spawn copies the calling thread's namespaces), so peers run there
 * without the cost of {@code ip netns exec}, and their bridges and firewall rules never reach the machine's.
 */
final class HostNamespace implements AutoCloseable {
    static final int THREADS = 4;

    private static final ThreadLocal<String> INSIDE = new ThreadLocal<>();

    final String name;
    private final ExecutorService threads;

    private HostNamespace(String name) {
        this.name = name;
        NetNamespace namespace = new NetNamespace(name);
        this.threads = Executors.newFixedThreadPool(THREADS, work -> {
            Thread thread = new Thread(() -> {
                NetNamespaces.enter(namespace);
                INSIDE.set(name);
                work.run();
            }, "host-" + name);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Equivalent to {@code ip netns add NAME; ip -n NAME link set lo up}, plus its threads (checked to be inside). */
    static HostNamespace create(String name) throws Exception {
        Sandboxes.create(name);
        HostNamespace host = new HostNamespace(name);
        String expected = "net:[" + Files.getAttribute(Path.of("/run/netns", name), "unix:ino") + "]";
        String thread = host.call(() -> Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString());
        String child = host.call(() -> host.execHere(List.of("readlink", "/proc/self/ns/net"), Map.of(), null).trim());
        if (!expected.equals(thread) || !expected.equals(child)) {
            host.close();
            throw new IllegalStateException("host namespace " + name + " is " + expected + " but its thread is in "
                    + thread + " and its processes in " + child);
        }
        return host;
    }

    ExecutorService threads() {
        return threads;
    }

    /** Runs {@code work} on one of the namespace's threads (right here if this is one) and waits for it. */
    <T> T call(Callable<T> work) {
        if (name.equals(INSIDE.get())) {
            try {
                return work.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        try {
            return threads.submit(work).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    String exec(List<String> command, Map<String, String> env, String stdin) {
        return call(() -> execHere(command, env, stdin));
    }

    /** Runs a command from the calling thread (one of this namespace's): its stdout, or an exception with stderr. */
    String execHere(List<String> command, Map<String, String> env, String stdin) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        Process process = builder.start();
        try (OutputStream in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " hung");
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + process.exitValue() + ": "
                    + (err.isBlank() ? out : err).trim());
        }
        return out;
    }

    /** From a thread inside: nothing holds {@code port} (a listening socket could bind it). */
    static boolean portFree(int port) {
        try (ServerSocketChannel channel = ServerSocketChannel.open()) {
            channel.bind(new InetSocketAddress("0.0.0.0", port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** From a thread inside: what answers on address:port (a line), or null if refused, silent or reset. */
    static String get(String address, int port, int timeoutMillis) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            byte[] reply = socket.getInputStream().readNBytes(64);
            return new String(reply, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return null;
        }
    }

    /** From a thread inside: a connection to address:port is refused at once (no DNAT left, nothing listening). */
    static boolean refused(String address, int port, int timeoutMillis) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), timeoutMillis);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** From a thread inside: how many links are enslaved to {@code bridge} (-1 if there is no such bridge). */
    static int bridgePorts(String bridge) {
        try (Rtnetlink kernel = Rtnetlink.open()) {
            List<Link> links = kernel.links().list();
            int index = links.stream().filter(l -> l.name().equals(bridge)).mapToInt(Link::index).findFirst().orElse(-1);
            return index < 0 ? -1 : (int) links.stream().filter(l -> l.master() == index).count();
        }
    }

    /** From a thread inside: the link {@code name} is gone or on no bridge. */
    static boolean offBridge(String name) {
        try (Rtnetlink kernel = Rtnetlink.open()) {
            return kernel.links().get(name).map(l -> l.master() == 0).orElse(true);
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
        try {
            threads.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        NetNamespaces.delete(name); // its bridges, veths and firewall tables go with it
    }
}
