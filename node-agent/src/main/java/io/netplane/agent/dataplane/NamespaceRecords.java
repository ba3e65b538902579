package io.netplane.agent.dataplane;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The network namespaces this node made, recorded in its state folder ({@code netplane.agent.state-dir}): one
 * file per namespace, named after it, holding {@code node=<node>} and {@code sandbox=<id>}. Reconciliation
 * deletes only namespaces recorded here for this node; {@code netplane down --purge} finds them here too.
 */
public final class NamespaceRecords {
    private final Path directory;
    private final String node;

    public NamespaceRecords(Path directory, String node) {
        this.directory = directory;
        this.node = node;
    }

    public void record(String netns, String sandboxId) {
        try {
            Files.createDirectories(directory);
            Path file = directory.resolve(netns);
            Path temporary = directory.resolve("." + netns + ".tmp");
            Files.writeString(temporary, "node=" + node + "\nsandbox=" + sandboxId + "\n");
            Files.move(temporary, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new DataplaneException("cannot record network namespace " + netns + " in " + directory + ": " + e, e);
        }
    }

    public void forget(String netns) {
        try {
            Files.deleteIfExists(directory.resolve(netns));
        } catch (IOException e) {
            throw new DataplaneException("cannot forget network namespace " + netns + " in " + directory + ": " + e, e);
        }
    }

    /** True when this node recorded {@code netns} as its own. */
    public boolean owns(String netns) {
        return all().containsKey(netns);
    }

    /** This node's namespaces: name → sandbox id. */
    public Map<String, String> all() {
        Map<String, String> owned = new TreeMap<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (name.startsWith(".")) {
                    continue;
                }
                Map<String, String> fields = new TreeMap<>();
                for (String line : Files.readAllLines(file)) {
                    int equals = line.indexOf('=');
                    if (equals > 0) {
                        fields.put(line.substring(0, equals), line.substring(equals + 1));
                    }
                }
                if (node.equals(fields.get("node"))) {
                    owned.put(name, fields.getOrDefault("sandbox", ""));
                }
            }
        } catch (NoSuchFileException e) {
            return owned;
        } catch (IOException e) {
            throw new DataplaneException("cannot read the namespace records in " + directory + ": " + e, e);
        }
        return owned;
    }
}
