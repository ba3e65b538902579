package io.netplane.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Tests only: processes inside network namespaces the test made ({@code ip netns exec}) — a tiny HTTP server
 * that answers its name and the client's address, and curl as the client. Never aimed at other addresses.
 */
public final class Netns {
    // http.server's server_bind does a reverse DNS lookup (getfqdn) that stalls in an isolated netns: skip it
    private static final String SERVER = """
            import http.server, socketserver, sys
            class Handler(http.server.BaseHTTPRequestHandler):
                def address_string(self): return self.client_address[0]
                def log_message(self, *args): pass
                def do_GET(self):
                    body = (sys.argv[2] + " " + self.client_address[0]).encode()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
            class Server(http.server.ThreadingHTTPServer):
                def server_bind(self):
                    socketserver.TCPServer.server_bind(self)
                    self.server_name, self.server_port = "sandbox", self.server_address[1]
            Server(("0.0.0.0", int(sys.argv[1])), Handler).serve_forever()
            """;

    private static final List<Process> SERVERS = new ArrayList<>();

    private Netns() {
    }

    /** Starts an HTTP server on {@code port} in {@code netns} answering "NAME CLIENT-ADDRESS"; waits until it answers. */
    public static Process httpServer(String netns, int port, String name) throws Exception {
        Process process = new ProcessBuilder("ip", "netns", "exec", netns, "/usr/bin/python3", "-c", SERVER,
                String.valueOf(port), name).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        synchronized (SERVERS) {
            SERVERS.add(process);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (get(netns, "127.0.0.1:" + port) != null) {
                return process;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("the HTTP server in " + netns + " exited with " + process.exitValue());
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the HTTP server in " + netns + " never answered");
    }

    /** {@code curl http://ADDRESS/} from inside {@code netns}: the body, or null when nothing answered in 2 s. */
    public static String get(String netns, String address) {
        Result result = run("ip", "netns", "exec", netns, "curl", "-s", "--noproxy", "*", "-m", "2",
                "http://" + address + "/");
        return result.exit() == 0 ? result.out() : null;
    }

    public static Result run(String... command) {
        try {
            Process process = new ProcessBuilder(command).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " hung");
            }
            return new Result(process.exitValue(), out, err);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static void check(String... command) {
        Result result = run(command);
        if (result.exit() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + result.err());
        }
    }

    public static void stopServers() {
        synchronized (SERVERS) {
            for (Process process : SERVERS) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
            SERVERS.clear();
        }
    }

    public record Result(int exit, String out, String err) {
    }
}
