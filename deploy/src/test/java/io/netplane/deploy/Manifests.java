package io.netplane.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Assumptions;
import org.opentest4j.AssertionFailedError;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The manifests of deploy/k8s as fabric8's Kubernetes model: core kinds as their typed classes, the operators'
 * kinds (Strimzi, CloudNativePG) as generic resources.
 */
final class Manifests {
    static final boolean CI = "true".equalsIgnoreCase(System.getenv("CI"));
    static final Path REPO = Path.of(System.getProperty("netplane.repo", "..")).toAbsolutePath().normalize();
    static final Path K8S = REPO.resolve("deploy/k8s");
    private static final Pattern DOCUMENT = Pattern.compile("(?m)^---\\s*$");
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    final List<HasMetadata> resources;

    Manifests(List<HasMetadata> resources) {
        this.resources = List.copyOf(resources);
    }

    /** Every document of a multi-document YAML text. */
    static List<HasMetadata> parse(String yaml, String origin) {
        List<HasMetadata> out = new ArrayList<>();
        for (String doc : DOCUMENT.split(yaml)) {
            if (doc.lines().allMatch(l -> l.isBlank() || l.trim().startsWith("#"))) {
                continue;
            }
            Object o = SERIALIZATION.unmarshal(doc);
            if (!(o instanceof HasMetadata resource)) {
                throw new AssertionFailedError(origin + ": not a Kubernetes resource: " + doc);
            }
            out.add(resource);
        }
        return out;
    }

    /** The files a kustomization lists under {@code resources}, loaded (directories: their kustomization). */
    static Manifests loadKustomization(Path dir) throws IOException {
        List<HasMetadata> all = new ArrayList<>();
        for (String entry : kustomizationList(dir, "resources")) {
            Path p = dir.resolve(entry).normalize();
            if (Files.isDirectory(p)) {
                all.addAll(loadKustomization(p).resources);
            } else {
                all.addAll(parse(Files.readString(p), p.toString()));
            }
        }
        return new Manifests(all);
    }

    @SuppressWarnings("unchecked")
    static List<String> kustomizationList(Path dir, String key) throws IOException {
        Map<String, Object> k = SERIALIZATION.unmarshal(Files.readString(dir.resolve("kustomization.yaml")), Map.class);
        Object list = k.get(key);
        return list == null ? List.of() : ((List<Object>) list).stream().map(o -> o instanceof Map<?, ?> m
                ? String.valueOf(m.get("path")) : String.valueOf(o)).toList();
    }

    /** {@code kubectl kustomize dir}: what {@code kubectl apply -k} would send. */
    static Manifests kustomize(Path dir) throws IOException, InterruptedException {
        Path kubectl = executable("kubectl").orElse(null);
        require(kubectl != null, "kubectl is not installed (kubectl kustomize renders the overlays)");
        Process p = new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString()).redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionFailedError("kubectl kustomize " + dir + " failed: " + err);
        }
        return new Manifests(parse(new String(out, StandardCharsets.UTF_8), "kubectl kustomize " + dir));
    }

    static Optional<Path> executable(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** A missing prerequisite skips the test on a workstation and fails it in CI (a skip there proves nothing). */
    static void require(boolean present, String message) {
        if (present) {
            return;
        }
        if (CI) {
            throw new AssertionFailedError(message + " (CI=true: failing instead of skipping)");
        }
        Assumptions.abort(message);
    }

    <T extends HasMetadata> T get(Class<T> type, String name) {
        return resources.stream().filter(type::isInstance).map(type::cast)
                .filter(r -> r.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionFailedError("no " + type.getSimpleName() + " " + name + " in " + names()));
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return resources.stream().filter(type::isInstance).map(type::cast).toList();
    }

    GenericKubernetesResource custom(String kind, String name) {
        return resources.stream().filter(r -> r instanceof GenericKubernetesResource && r.getKind().equals(kind)
                && r.getMetadata().getName().equals(name)).map(GenericKubernetesResource.class::cast).findFirst()
                .orElseThrow(() -> new AssertionFailedError("no " + kind + " " + name + " in " + names()));
    }

    List<GenericKubernetesResource> custom(String kind) {
        return resources.stream().filter(r -> r instanceof GenericKubernetesResource && r.getKind().equals(kind))
                .map(GenericKubernetesResource.class::cast).toList();
    }

    Optional<ConfigMap> configMap(String name) {
        return all(ConfigMap.class).stream().filter(c -> c.getMetadata().getName().equals(name)).findFirst();
    }

    Optional<Secret> secret(String name) {
        return all(Secret.class).stream().filter(c -> c.getMetadata().getName().equals(name)).findFirst();
    }

    /** Every pod template, by the name of its workload. */
    Map<String, PodSpec> podSpecs() {
        Map<String, PodSpec> specs = new java.util.TreeMap<>();
        all(Deployment.class).forEach(d -> specs.put(d.getMetadata().getName(), d.getSpec().getTemplate().getSpec()));
        all(DaemonSet.class).forEach(d -> specs.put(d.getMetadata().getName(), d.getSpec().getTemplate().getSpec()));
        return specs;
    }

    List<String> names() {
        return resources.stream().map(r -> r.getKind() + "/" + r.getMetadata().getName()).toList();
    }

    /** The keys a Secret holds, from data or stringData. */
    static java.util.Set<String> keys(Secret s) {
        java.util.Set<String> keys = new java.util.TreeSet<>();
        if (s.getData() != null) {
            keys.addAll(s.getData().keySet());
        }
        if (s.getStringData() != null) {
            keys.addAll(s.getStringData().keySet());
        }
        return keys;
    }
}
