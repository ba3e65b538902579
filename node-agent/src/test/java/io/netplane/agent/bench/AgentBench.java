package io.netplane.agent.bench;

import io.netplane.agent.dataplane.EndpointAttacher;
import io.netplane.agent.kernel.NetNamespaces;

import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code deploy/netplane bench agent}: attach and detach of one endpoint with one published port, in one run,
 * through netplane's agent classes, netavark and the CNI bridge+host-local+portmap chain, each inside its own
 * throwaway host namespace; iterations interleave the three so the machine's noise hits them alike. Attach is
 * the call; detach is the call plus the wait until the endpoint carries no traffic and its address and port
 * are free (the sandbox has no eth0, the bridge is back to its ports, the host port binds, a connection to the
 * published port is refused). Then 50 attaches sequential and 4-concurrent, and netplane's attach time with
 * 10, 100 and 1,000 endpoints (each with a published port) on one bridge. Prints a table and one RESULT line.
 *
 * <p>Arguments: {@code --tag T} (names: namespaces npb-T-*, bridges *-T), {@code --work DIR}, {@code --iterations N}
 * (50), {@code --warmup N} (5), {@code --batch N} (50), {@code --levels 10,100,1000}, {@code --probes N} (30),
 * {@code --only scale} (the levels alone, no peers: a quick look at flatness).
 */
public final class AgentBench {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long RELEASE_TIMEOUT_NANOS = 10_000_000_000L;

    private final String tag;
    private final Path work;
    private final int iterations;
    private final int warmup;
    private final int batch;
    private final List<Integer> levels;
    private final int probes;
    /** {@code --only scale}: netplane's 10/100/1,000 levels alone (no peers), for a quick look at flatness. */
    private final boolean scaleOnly;
    private final List<String> sandboxesMade = new ArrayList<>();
    private final Map<String, Object> result = new LinkedHashMap<>();
    private final StringBuilder table = new StringBuilder();

    private AgentBench(Map<String, String> args) throws Exception {
        this.tag = args.getOrDefault("tag", hex(3));
        this.work = Files.createDirectories(Path.of(args.getOrDefault("work", "/tmp/npb-" + tag)));
        this.iterations = Integer.parseInt(args.getOrDefault("iterations", "50"));
        this.warmup = Integer.parseInt(args.getOrDefault("warmup", "5"));
        this.batch = Integer.parseInt(args.getOrDefault("batch", "50"));
        this.levels = java.util.Arrays.stream(args.getOrDefault("levels", "10,100,1000").split(","))
                .map(String::trim).map(Integer::parseInt).toList();
        this.probes = Integer.parseInt(args.getOrDefault("probes", "30"));
        this.scaleOnly = "scale".equals(args.get("only"));
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new LinkedHashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        int status = new AgentBench(args).run();
        System.exit(status);
    }

    private int run() throws Exception {
        List<HostNamespace> hosts = new ArrayList<>();
        List<EndpointTool> tools = new ArrayList<>();
        try {
            say("netplane agent bench, tag " + tag + ", " + Runtime.getRuntime().availableProcessors() + " cpus, "
                    + iterations + " iterations (+" + warmup + " warm-up) interleaved, work dir " + work);
            say("versions: " + version(List.of(NetavarkTool.BINARY, "--version")) + "; containernetworking-plugins "
                    + version(List.of("dpkg-query", "-W", "-f", "${Version}", "containernetworking-plugins"))
                    + "; kernel " + System.getProperty("os.version") + "; java " + System.getProperty("java.version"));
            HostNamespace npHost = host(hosts, "np");
            tools.add(new NetplaneTool(npHost, tag, Files.createDirectories(work.resolve("netplane-state"))));
            if (scaleOnly) {
                reportScale(scale((NetplaneTool) tools.get(0)));
                return 0;
            }
            tools.add(new NetavarkTool(host(hosts, "nv"), tag, work));
            tools.add(new CniTool(host(hosts, "cni"), tag, work));

            Map<String, Series> single = attachDetach(tools);
            Map<String, Batch> batches = new LinkedHashMap<>();
            for (int t = 0; t < tools.size(); t++) {
                batches.put(tools.get(t).name(), batch(tools.get(t), 31000 + t * 1000));
            }
            List<Level> scale = scale((NetplaneTool) tools.get(0));
            Map<String, Integer> leaks = new LinkedHashMap<>();
            for (EndpointTool tool : tools) {
                leaks.put(tool.name(), leaks(tool));
            }
            report(single, batches, scale, leaks);
            return 0;
        } finally {
            for (EndpointTool tool : tools) {
                try {
                    tool.close();
                } catch (Exception e) {
                    say("cleanup " + tool.name() + ": " + e.getMessage());
                }
            }
            for (String netns : sandboxesMade) {
                NetNamespaces.delete(netns);
            }
            for (HostNamespace host : hosts) {
                host.close();
            }
        }
    }

    private HostNamespace host(List<HostNamespace> hosts, String tool) throws Exception {
        HostNamespace host = HostNamespace.create("npb-" + tag + "-" + tool);
        hosts.add(host);
        return host;
    }

    // ------------------------------------------------------------------ one endpoint, attach and detach

    private Map<String, Series> attachDetach(List<EndpointTool> tools) throws Exception {
        Map<String, Series> series = new LinkedHashMap<>();
        Map<String, String> sandboxes = new LinkedHashMap<>();
        Map<String, Integer> baselines = new LinkedHashMap<>();
        List<ServerSocketChannel> servers = new ArrayList<>();
        try {
            for (int t = 0; t < tools.size(); t++) {
                EndpointTool tool = tools.get(t);
                String netns = sandbox(tool, "s");
                servers.add(Sandboxes.serve(netns, 80, tool.name()));
                sandboxes.put(tool.name(), netns);
                baselines.put(tool.name(), tool.host().call(() -> HostNamespace.bridgePorts(tool.bridge())));
                series.put(tool.name(), new Series());
            }
            say("phase 1: attach+detach of one endpoint with one published port, " + (warmup + iterations)
                    + " rounds, tools interleaved");
            for (int i = 0; i < warmup + iterations; i++) {
                for (int t = 0; t < tools.size(); t++) {
                    EndpointTool tool = tools.get(t);
                    Series s = series.get(tool.name());
                    int port = 30080 + t;
                    String netns = sandboxes.get(tool.name());
                    long start = System.nanoTime();
                    EndpointTool.Attachment attachment = tool.attach(netns, 1, port);
                    long attached = System.nanoTime() - start;
                    String answer = tool.host().call(() -> HostNamespace.get(tool.gateway(), port, 2000));
                    boolean served = tool.name().equals(answer);
                    int baseline = baselines.get(tool.name());
                    start = System.nanoTime();
                    tool.detach(attachment);
                    long returned = System.nanoTime() - start;
                    boolean released = tool.host().call(() -> waitReleased(tool, netns, port, baseline));
                    long detached = System.nanoTime() - start;
                    long check = tool.host().call(() -> {
                        long before = System.nanoTime();
                        isReleased(tool, netns, port, baseline);
                        return System.nanoTime() - before;
                    });
                    if (i >= warmup) {
                        s.attach.add(attached);
                        s.detach.add(detached);
                        s.detachCall.add(returned);
                        s.check.add(check);
                        s.unserved += served ? 0 : 1;
                        s.unreleased += released ? 0 : 1;
                    }
                }
            }
        } finally {
            for (ServerSocketChannel server : servers) {
                server.close();
            }
        }
        return series;
    }

    private static boolean waitReleased(EndpointTool tool, String netns, int port, int baseline) {
        return waitReleased(tool, netns, port, () -> HostNamespace.bridgePorts(tool.bridge()) == baseline);
    }

    private static boolean waitReleased(EndpointTool tool, String netns, int port, BooleanSupplier offBridge) {
        long deadline = System.nanoTime() + RELEASE_TIMEOUT_NANOS;
        while (System.nanoTime() < deadline) {
            if (isReleased(tool, netns, port, offBridge)) {
                return true;
            }
        }
        return false;
    }

    /**
     * On a host thread: the sandbox's eth0 is gone or holds no address, the bridge is back to its ports (the veth
     * is off it), the host port binds, a connection to the published port is refused.
     */
    private static boolean isReleased(EndpointTool tool, String netns, int port, int baseline) {
        return isReleased(tool, netns, port, () -> HostNamespace.bridgePorts(tool.bridge()) == baseline);
    }

    private static boolean isReleased(EndpointTool tool, String netns, int port, BooleanSupplier offBridge) {
        return Sandboxes.addressFree(netns, "eth0")
                && offBridge.getAsBoolean()
                && HostNamespace.portFree(port)
                && HostNamespace.refused(tool.gateway(), port, 200);
    }

    // ------------------------------------------------------------------ 50 attaches, sequential and 4 at once

    private Batch batch(EndpointTool tool, int firstPort) throws Exception {
        say("phase 2: " + tool.name() + ": " + batch + " attaches sequential, then " + HostNamespace.THREADS
                + "-concurrent");
        List<String> netns = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            netns.add(sandbox(tool, "b" + i));
        }
        Batch b = new Batch();
        List<EndpointTool.Attachment> attached = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < batch; i++) {
            attached.add(tool.attach(netns.get(i), 100 + i, firstPort + i));
        }
        b.sequentialAttach = System.nanoTime() - start;
        start = System.nanoTime();
        for (EndpointTool.Attachment attachment : attached) {
            tool.detach(attachment);
        }
        b.sequentialDetach = System.nanoTime() - start;

        List<Callable<EndpointTool.Attachment>> attaches = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            int slot = 100 + i;
            String ns = netns.get(i);
            int port = firstPort + i;
            attaches.add(() -> tool.attach(ns, slot, port));
        }
        start = System.nanoTime();
        List<Future<EndpointTool.Attachment>> futures = tool.host().threads().invokeAll(attaches);
        b.concurrentAttach = System.nanoTime() - start;
        attached.clear();
        for (Future<EndpointTool.Attachment> future : futures) {
            try {
                attached.add(future.get());
            } catch (Exception e) {
                b.concurrentFailures++;
                b.firstFailure = b.firstFailure == null ? String.valueOf(e.getCause()) : b.firstFailure;
            }
        }
        List<Callable<Void>> detaches = new ArrayList<>();
        for (EndpointTool.Attachment attachment : attached) {
            detaches.add(() -> {
                tool.detach(attachment);
                return null;
            });
        }
        start = System.nanoTime();
        for (Future<Void> future : tool.host().threads().invokeAll(detaches)) {
            try {
                future.get();
            } catch (Exception e) {
                b.concurrentFailures++;
                b.firstFailure = b.firstFailure == null ? String.valueOf(e.getCause()) : b.firstFailure;
            }
        }
        b.concurrentDetach = System.nanoTime() - start;
        for (String ns : netns) {
            tool.removeSandbox(ns);
            sandboxesMade.remove(ns);
        }
        return b;
    }

    // ------------------------------------------------------------------ netplane: 10, 100, 1,000 endpoints

    private List<Level> scale(NetplaneTool tool) throws Exception {
        List<Level> result = new ArrayList<>();
        List<EndpointTool.Attachment> fillers = new ArrayList<>();
        List<String> fillerNetns = new ArrayList<>();
        String probeNetns = sandbox(tool, "p");
        int probePort = 39999;
        try {
            for (int level : levels) {
                say("phase 3: netplane with " + level + " endpoints on bridge " + tool.bridge());
                Level l = new Level(level);
                long start = System.nanoTime();
                int added = 0;
                while (fillers.size() < level) {
                    int i = fillers.size();
                    String netns = sandbox(tool, "f" + i);
                    fillerNetns.add(netns);
                    fillers.add(tool.attach(netns, 1000 + i, 40000 + i));
                    added++;
                }
                l.fillPerEndpoint = added == 0 ? 0 : (System.nanoTime() - start) / added;
                int baseline = tool.host().call(() -> HostNamespace.bridgePorts(tool.bridge()));
                say("phase 3: probing at " + level);
                for (int i = 0; i < warmup + probes; i++) {
                    // attach on an idle agent: the previous probe's deferred veth delete is counted in the
                    // sequential detach totals, not here, so this column shows how attach grows with the bridge
                    tool.settle();
                    long begin = System.nanoTime();
                    EndpointTool.Attachment probe = tool.attach(probeNetns, 999, probePort);
                    long attached = System.nanoTime() - begin;
                    long attachCpu = tool.lastAttachCpuNanos();
                    begin = System.nanoTime();
                    tool.detach(probe);
                    // by the veth's name, not a dump of 1,000 links, so the check costs the same at every level
                    String veth = EndpointAttacher.hostIfname(probe.id());
                    boolean released = tool.host().call(() -> waitReleased(tool, probeNetns, probePort,
                            () -> HostNamespace.offBridge(veth)));
                    long detached = System.nanoTime() - begin;
                    if (i >= warmup) {
                        l.attach.add(attached);
                        l.attachCpu.add(attachCpu);
                        l.detach.add(detached);
                        l.unreleased += released ? 0 : 1;
                    }
                }
                l.bridgePorts = baseline;
                l.mapElements = count(tool.host().exec(List.of("nft", "list", "map", "inet", "netplane", "ports"),
                        Map.of(), null), Pattern.compile(" : 10\\.240\\."));
                result.add(l);
            }
        } finally {
            long start = System.nanoTime();
            for (EndpointTool.Attachment filler : fillers) {
                tool.detach(filler);
            }
            long detachAll = System.nanoTime() - start;
            for (String netns : fillerNetns) {
                tool.removeSandbox(netns);
                sandboxesMade.remove(netns);
            }
            if (!result.isEmpty()) {
                result.get(result.size() - 1).detachAllPerEndpoint = fillers.isEmpty() ? 0 : detachAll / fillers.size();
            }
        }
        return result;
    }

    // ------------------------------------------------------------------ leftovers

    /** What a tool left in its host namespace: veths beyond the anchor, rules naming one of the bench's host ports. */
    private int leaks(EndpointTool tool) {
        String anchorPorts = tool.name().equals("netplane") ? "0" : "1";
        int ports = tool.host().call(() -> HostNamespace.bridgePorts(tool.bridge()));
        String ruleset = tool.host().exec(List.of("nft", "list", "ruleset"), Map.of(), null);
        int rules = count(ruleset, Pattern.compile("\\b(3008[0-2]|3[1-3]0[0-9][0-9]|39999|4[01][0-9]{3})\\b"));
        say("leftovers " + tool.name() + ": bridge ports " + ports + " (anchor " + anchorPorts + "), ruleset lines naming a bench port: " + rules);
        return Math.max(0, ports - Integer.parseInt(anchorPorts)) + rules;
    }

    // ------------------------------------------------------------------ report

    private void report(Map<String, Series> single, Map<String, Batch> batches, List<Level> scale,
                        Map<String, Integer> leaks) {
        row("%-34s %12s %12s %12s", "", "netplane", "netavark", "cni");
        line("attach p50 ms", single, s -> ms(p(s.attach, 50)));
        line("attach p90 ms", single, s -> ms(p(s.attach, 90)));
        line("detach p50 ms (until released)", single, s -> ms(p(s.detach, 50)));
        line("detach p90 ms (until released)", single, s -> ms(p(s.detach, 90)));
        line("detach call alone p50 ms", single, s -> ms(p(s.detachCall, 50)));
        line("release check (one pass) p50 ms", single, s -> ms(p(s.check, 50)));
        line("rounds port not served / not freed", single, s -> s.unserved + " / " + s.unreleased);
        lineB(batch + " attaches sequential, total ms", batches, b -> ms(b.sequentialAttach));
        lineB(batch + " detaches sequential, total ms", batches, b -> ms(b.sequentialDetach));
        lineB(batch + " attaches " + HostNamespace.THREADS + "-concurrent, total ms", batches, b -> ms(b.concurrentAttach));
        lineB(batch + " detaches " + HostNamespace.THREADS + "-concurrent, total ms", batches, b -> ms(b.concurrentDetach));
        lineB("concurrent failures", batches, b -> String.valueOf(b.concurrentFailures));
        batches.forEach((name, b) -> {
            if (b.firstFailure != null) {
                row("  %s, first concurrent failure: %s", name, b.firstFailure);
            }
        });
        row("%-34s %12s %12s %12s", "leftovers (veths + rules)", leaks.get("netplane"), leaks.get("netavark"), leaks.get("cni"));
        Series np = single.get("netplane");
        Series nv = single.get("netavark");
        Series cni = single.get("cni");
        double attachVsNetavark = (double) p(nv.attach, 50) / p(np.attach, 50);
        double detachVsNetavark = (double) p(nv.detach, 50) / p(np.detach, 50);
        double attachVsCni = (double) p(cni.attach, 50) / p(np.attach, 50);
        double detachVsCni = (double) p(cni.detach, 50) / p(np.detach, 50);
        row("%s", "");
        row("netplane vs netavark (p50): attach %.1fx, detach %.1fx faster (goal >= 10x)",
                attachVsNetavark, detachVsNetavark);
        row("netplane vs cni (p50):      attach %.1fx, detach %.1fx faster", attachVsCni, detachVsCni);
        row("%s", "");
        scaleTable(scale);
        say("");
        System.out.print(table);

        result.put("attach_p50_ms", ms(p(np.attach, 50)));
        result.put("detach_p50_ms", ms(p(np.detach, 50)));
        result.put("netavark_attach_p50_ms", ms(p(nv.attach, 50)));
        result.put("netavark_detach_p50_ms", ms(p(nv.detach, 50)));
        result.put("cni_attach_p50_ms", ms(p(cni.attach, 50)));
        for (Level l : scale) {
            if (l.endpoints == 1000) {
                result.put("attach_p50_ms_at_1000", ms(p(l.attach, 50)));
            }
        }
        result.put("cni_detach_p50_ms", ms(p(cni.detach, 50)));
        result.put("attach_p90_ms", ms(p(np.attach, 90)));
        result.put("detach_p90_ms", ms(p(np.detach, 90)));
        result.put("netavark_attach_p90_ms", ms(p(nv.attach, 90)));
        result.put("netavark_detach_p90_ms", ms(p(nv.detach, 90)));
        result.put("cni_attach_p90_ms", ms(p(cni.attach, 90)));
        result.put("cni_detach_p90_ms", ms(p(cni.detach, 90)));
        result.put("attach_speedup_vs_netavark", String.format(Locale.ROOT, "%.1f", attachVsNetavark));
        result.put("detach_speedup_vs_netavark", String.format(Locale.ROOT, "%.1f", detachVsNetavark));
        result.put("attach_speedup_vs_cni", String.format(Locale.ROOT, "%.1f", attachVsCni));
        result.put("detach_speedup_vs_cni", String.format(Locale.ROOT, "%.1f", detachVsCni));
        for (Level l : scale) {
            if (l.endpoints != 1000) {
                result.put("attach_p50_ms_at_" + l.endpoints, ms(p(l.attach, 50)));
            }
        }
        batches.forEach((name, b) -> {
            String prefix = name.equals("netplane") ? "" : name + "_";
            result.put(prefix + "seq" + batch + "_attach_total_ms", ms(b.sequentialAttach));
            result.put(prefix + "conc" + batch + "_attach_total_ms", ms(b.concurrentAttach));
        });
        StringBuilder line = new StringBuilder("RESULT");
        result.forEach((k, v) -> line.append(' ').append(k).append('=').append(v));
        System.out.println(line);
    }

    /** {@code --only scale}: the levels table and a RESULT line of them alone. */
    private void reportScale(List<Level> scale) {
        scaleTable(scale);
        say("");
        System.out.print(table);
        StringBuilder line = new StringBuilder("RESULT");
        for (Level l : scale) {
            line.append(" attach_p50_ms_at_").append(l.endpoints).append('=').append(ms(p(l.attach, 50)));
        }
        for (Level l : scale) {
            line.append(" attach_cpu_p50_ms_at_").append(l.endpoints).append('=').append(ms(p(l.attachCpu, 50)));
        }
        for (Level l : scale) {
            line.append(" detach_p50_ms_at_").append(l.endpoints).append('=').append(ms(p(l.detach, 50)));
        }
        System.out.println(line);
    }

    private void scaleTable(List<Level> scale) {
        row("%s", "netplane alone, one bridge, every endpoint with a published port (probe: attach/detach of one more, attach on an idle agent)");
        row("%-10s %10s %10s %10s %10s %12s %12s %12s", "endpoints", "attach p50", "attach p90", "attach cpu",
                "detach p50", "fill ms/ep", "bridge ports", "map elems");
        for (Level l : scale) {
            row("%-10s %10s %10s %10s %10s %12s %12s %12s", l.endpoints, ms(p(l.attach, 50)), ms(p(l.attach, 90)),
                    ms(p(l.attachCpu, 50)), ms(p(l.detach, 50)), ms(l.fillPerEndpoint), l.bridgePorts, l.mapElements);
        }
        if (!scale.isEmpty()) {
            row("removing the %s endpoints: %s ms each", scale.get(scale.size() - 1).endpoints,
                    ms(scale.get(scale.size() - 1).detachAllPerEndpoint));
        }
    }

    private void line(String label, Map<String, Series> s, java.util.function.Function<Series, String> cell) {
        row("%-34s %12s %12s %12s", label, cell.apply(s.get("netplane")), cell.apply(s.get("netavark")),
                cell.apply(s.get("cni")));
    }

    private void lineB(String label, Map<String, Batch> s, java.util.function.Function<Batch, String> cell) {
        row("%-34s %12s %12s %12s", label, cell.apply(s.get("netplane")), cell.apply(s.get("netavark")),
                cell.apply(s.get("cni")));
    }

    private void row(String format, Object... cells) {
        table.append(String.format(Locale.ROOT, format, cells)).append('\n');
    }

    // ------------------------------------------------------------------ small things

    private String sandbox(EndpointTool tool, String suffix) {
        String code = switch (tool.name()) {
            case "netplane" -> "np";
            case "netavark" -> "nv";
            default -> "cn";
        };
        String netns = "npb-" + tag + "-" + code + "-" + suffix;
        sandboxesMade.add(netns);
        tool.createSandbox(netns);
        return netns;
    }

    static String hex(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    /** The address of {@code slot} in a /16 ("10.240" → 10.240.0.2 for slot 0; .1 is the gateway). */
    static String address(String prefix16, int slot) {
        int host = slot + 2;
        return prefix16 + "." + (host >> 8) + "." + (host & 0xff);
    }

    private static long p(List<Long> samples, int percentile) {
        if (samples.isEmpty()) {
            return 0;
        }
        List<Long> sorted = new ArrayList<>(samples);
        sorted.sort(null);
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
    }

    private static int count(String text, Pattern pattern) {
        Matcher matcher = pattern.matcher(text);
        int n = 0;
        while (matcher.find()) {
            n++;
        }
        return n;
    }

    private static String version(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes()).trim();
            process.waitFor();
            return out;
        } catch (Exception e) {
            return command.get(0) + ": " + e.getMessage();
        }
    }

    private static void say(String text) {
        System.out.println(text);
        System.out.flush();
    }

    private static final class Series {
        final List<Long> attach = new ArrayList<>();
        final List<Long> detach = new ArrayList<>();
        final List<Long> detachCall = new ArrayList<>();
        final List<Long> check = new ArrayList<>();
        int unserved;
        int unreleased;
    }

    private static final class Batch {
        long sequentialAttach;
        long sequentialDetach;
        long concurrentAttach;
        long concurrentDetach;
        int concurrentFailures;
        String firstFailure;
    }

    private static final class Level {
        final int endpoints;
        final List<Long> attach = new ArrayList<>();
        final List<Long> attachCpu = new ArrayList<>();
        final List<Long> detach = new ArrayList<>();
        long fillPerEndpoint;
        long detachAllPerEndpoint;
        int bridgePorts;
        int mapElements;
        int unreleased;

        Level(int endpoints) {
            this.endpoints = endpoints;
        }
    }
}
