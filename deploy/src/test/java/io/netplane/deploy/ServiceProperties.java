package io.netplane.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The configuration names the services really read (their application.properties, {@code @ConfigProperty} names
 * and {@code @ConfigMapping} prefixes), so a manifest or an env file cannot set a variable nothing reads.
 */
final class ServiceProperties {
    static final Set<String> SERVICES = Set.of("api-service", "ipam-service", "node-agent");
    private static final Pattern NAMED = Pattern.compile("(name|prefix)\\s*=\\s*\"([a-z0-9.\\-\\[\\]]+)\"");

    private final Set<String> names = new TreeSet<>();
    private final Set<String> prefixes = new TreeSet<>();

    ServiceProperties(Path repo) throws IOException {
        for (String service : SERVICES) {
            Path properties = repo.resolve(service).resolve("src/main/resources/application.properties");
            Properties p = new Properties();
            try (var in = Files.newInputStream(properties)) {
                p.load(in);
            }
            p.stringPropertyNames().forEach(n -> names.add(n.startsWith("%") ? n.substring(n.indexOf('.') + 1) : n));
            try (Stream<Path> sources = Files.walk(repo.resolve(service).resolve("src/main/java"))) {
                for (Path source : sources.filter(f -> f.toString().endsWith(".java")).toList()) {
                    Matcher m = NAMED.matcher(Files.readString(source));
                    while (m.find()) {
                        (m.group(1).equals("name") ? names : prefixes).add(m.group(2));
                    }
                }
            }
        }
    }

    /** MicroProfile Config's environment form: every non-alphanumeric character becomes '_', upper case. */
    static String env(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    /** Whether some service reads the environment variable {@code key}. */
    boolean reads(String key) {
        return names.stream().anyMatch(n -> env(n).equals(key))
                || prefixes.stream().anyMatch(p -> key.startsWith(env(p) + "_"));
    }
}
