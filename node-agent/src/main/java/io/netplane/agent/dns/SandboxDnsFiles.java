package io.netplane.agent.dns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code /etc/netns/<netns>/resolv.conf} and {@code hosts}: {@code ip netns exec} bind-mounts every file of
 * that folder over {@code /etc/<file>}, so a process run there sees the sandbox's resolver and names. The hosts
 * file's first line marks it as this node's, so reconciliation removes only folders this node wrote.
 */
public final class SandboxDnsFiles {
    public static final String EMBEDDED_RESOLV_CONF = "nameserver 127.0.0.11\noptions ndots:0\n";
    private static final String LOCALHOST = """
            127.0.0.1\tlocalhost
            ::1\tlocalhost ip6-localhost ip6-loopback
            fe00::0\tip6-localnet
            ff00::0\tip6-mcastprefix
            ff02::1\tip6-allnodes
            ff02::2\tip6-allrouters
            """;

    private final Path etcNetns;
    private final String node;

    public SandboxDnsFiles(Path etcNetns, String node) {
        this.etcNetns = etcNetns;
        this.node = node;
    }

    /**
     * The sandbox's resolv.conf, as Docker builds it. Without {@code dns}/{@code dnsSearch}/{@code dnsOptions}: the
     * embedded server's two lines, or a copy of the host's. With them, each replaces the host's nameservers, search
     * domains or options ({@code search .} = none), written as {@code nameserver}, {@code search}, {@code options}
     * lines; with the embedded server the only nameserver is 127.0.0.11 (the sandbox's own servers are its
     * upstream) and {@code ndots:0} is added unless an ndots option was given.
     */
    public static String resolvConf(String host, boolean embedded, List<String> dns, List<String> dnsSearch,
                                    List<String> dnsOptions) {
        if (isEmpty(dns) && isEmpty(dnsSearch) && isEmpty(dnsOptions)) {
            return embedded ? EMBEDDED_RESOLV_CONF : host;
        }
        List<String> nameservers = embedded ? List.of("127.0.0.11") : isEmpty(dns) ? lines(host, "nameserver", false) : dns;
        List<String> search = isEmpty(dnsSearch) ? lines(host, "search", true) : dnsSearch;
        List<String> options = new ArrayList<>(isEmpty(dnsOptions) ? lines(host, "options", true) : dnsOptions);
        if (embedded && options.stream().noneMatch(o -> o.matches("ndots:[0-9]+"))) {
            options.add("ndots:0");
        }
        StringBuilder text = new StringBuilder();
        nameservers.forEach(server -> text.append("nameserver ").append(server).append('\n'));
        if (!search.isEmpty() && !String.join(" ", search).strip().equals(".")) {
            text.append("search ").append(String.join(" ", search)).append('\n');
        }
        if (!options.isEmpty()) {
            text.append("options ").append(String.join(" ", options)).append('\n');
        }
        return text.toString();
    }

    /** The values of {@code keyword} lines of a resolv.conf: every line's, or the last line's ({@code last}). */
    private static List<String> lines(String resolvConf, String keyword, boolean last) {
        List<String> values = new ArrayList<>();
        for (String line : resolvConf.split("\n")) {
            String[] words = line.strip().split("\\s+");
            if (words.length >= 2 && words[0].equals(keyword)) {
                if (last) {
                    values.clear();
                }
                values.addAll(List.of(words).subList(1, words.length));
            }
        }
        return values;
    }

    private static boolean isEmpty(List<String> values) {
        return values == null || values.isEmpty();
    }

    /** The hosts file of a sandbox: localhost lines, then each of its addresses with its hostname (Docker). */
    public String hosts(String sandboxId, String hostname, List<String> addresses) {
        StringBuilder text = new StringBuilder(marker(sandboxId)).append('\n').append(LOCALHOST);
        for (String address : addresses) {
            text.append(address).append('\t').append(hostname).append('\n');
        }
        return text.toString();
    }

    /** Writes both files when they differ (atomically: a reader never sees half a file). */
    public void write(String netns, String resolvConf, String hosts) {
        Path folder = etcNetns.resolve(netns);
        try {
            if (!Files.isDirectory(folder)) { // createDirectories on one that exists costs a thrown exception
                Files.createDirectories(folder);
            }
            replace(folder.resolve("resolv.conf"), resolvConf);
            replace(folder.resolve("hosts"), hosts);
        } catch (IOException e) {
            throw new UncheckedIOException("write " + folder + ": " + e.getMessage(), e);
        }
    }

    /** Equivalent to {@code rm -r /etc/netns/NETNS} for a folder this node wrote; idempotent. */
    public void remove(String netns) {
        Path folder = etcNetns.resolve(netns);
        if (!isMine(folder)) {
            return;
        }
        try {
            Files.deleteIfExists(folder.resolve("resolv.conf"));
            Files.deleteIfExists(folder.resolve("hosts"));
            Files.deleteIfExists(folder);
        } catch (DirectoryNotEmptyException e) {
            // someone else's files are in it too: leave them
        } catch (IOException e) {
            throw new UncheckedIOException("remove " + folder + ": " + e.getMessage(), e);
        }
    }

    /** The namespaces whose folder this node wrote. */
    public List<String> written() {
        List<String> result = new ArrayList<>();
        try (Stream<Path> folders = Files.list(etcNetns)) {
            folders.filter(this::isMine).forEach(f -> result.add(f.getFileName().toString()));
        } catch (NoSuchFileException e) {
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException("list " + etcNetns + ": " + e.getMessage(), e);
        }
        return result;
    }

    public Path folder(String netns) {
        return etcNetns.resolve(netns);
    }

    private boolean isMine(Path folder) {
        try (Stream<String> lines = Files.lines(folder.resolve("hosts"), StandardCharsets.UTF_8)) {
            return lines.findFirst().map(line -> line.startsWith("# netplane sandbox ")
                    && line.endsWith(" node " + node)).orElse(false);
        } catch (IOException | UncheckedIOException e) {
            return false;
        }
    }

    private String marker(String sandboxId) {
        return "# netplane sandbox " + sandboxId + " node " + node;
    }

    private static void replace(Path file, String content) throws IOException {
        try {
            if (Files.readString(file).equals(content)) {
                return;
            }
        } catch (NoSuchFileException e) {
            // first write
        }
        // beside the folder, not in it: ip netns exec would try to bind-mount whatever file it finds there
        Path temporary = file.getParent().resolveSibling("." + file.getParent().getFileName() + "." + file.getFileName() + ".tmp");
        Files.writeString(temporary, content);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
