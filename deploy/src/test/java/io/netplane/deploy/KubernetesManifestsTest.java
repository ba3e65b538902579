package io.netplane.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.netplane.events.Topic;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/k8s loaded with fabric8's Kubernetes model: the base as its kustomization lists it (no tool needed), and
 * the example overlay as {@code kubectl kustomize} renders it. Checks what a wrong manifest would break on a real
 * cluster: names, images, ports, probes, the agent's privileges, replicas, every ConfigMap/Secret referenced, the
 * operators' resources and the topics of the event contract.
 */
class KubernetesManifestsTest {
    private static final Map<String, Integer> HTTP_PORTS = Map.of("api-service", 8480, "ipam-service", 8481,
            "node-agent", 8482);

    static Manifests base() throws IOException {
        return Manifests.loadKustomization(Manifests.K8S.resolve("base"));
    }

    /** quarkus.http.port of the service: the port the container really listens on. */
    static int httpPort(String service) throws IOException {
        Properties p = new Properties();
        try (var in = Files.newInputStream(Manifests.REPO.resolve(service).resolve("src/main/resources/application.properties"))) {
            p.load(in);
        }
        return Integer.parseInt(p.getProperty("quarkus.http.port"));
    }

    @Test
    void baseLoadsAsKubernetesResources() throws IOException {
        Manifests m = base();
        assertEquals(Set.of("ConfigMap/netplane-config", "Secret/netplane-db", "Secret/netplane-api-tokens",
                "KafkaNodePool/dual-role", "Kafka/netplane", "Cluster/netplane-db", "Deployment/ipam-service",
                "Service/ipam-service", "Deployment/api-service", "Service/api-service", "DaemonSet/node-agent",
                "KafkaTopic/netplane.intents", "KafkaTopic/netplane.changes", "KafkaTopic/netplane.desired",
                "KafkaTopic/netplane.status", "KafkaTopic/netplane.nodes", "PodDisruptionBudget/api-service",
                "PodDisruptionBudget/ipam-service"), Set.copyOf(m.names()));
        assertEquals(m.names().size(), Set.copyOf(m.names()).size(), "no resource twice");
        for (HasMetadata r : m.resources) {
            assertTrue(r instanceof GenericKubernetesResource ? r.getApiVersion().matches(
                    "(kafka\\.strimzi\\.io|postgresql\\.cnpg\\.io)/v1(beta2)?") : r.getApiVersion().matches("(apps/|policy/)?v1"),
                    r.getKind() + " " + r.getApiVersion());
        }
    }

    @Test
    void eachServiceHasTheHealthEndpointsItsProbesCall() throws IOException {
        for (String service : ServiceProperties.SERVICES) {
            String pom = Files.readString(Manifests.REPO.resolve(service).resolve("pom.xml"));
            assertTrue(pom.contains("<artifactId>quarkus-smallrye-health</artifactId>"),
                    service + " serves /q/health/ready, /q/health/live and /q/health/started");
        }
    }

    @Test
    void apiAndIpamAreReplicatedDeploymentsWithProbesAndServices() throws IOException {
        Manifests m = base();
        for (String name : List.of("api-service", "ipam-service")) {
            Deployment d = m.get(Deployment.class, name);
            assertTrue(d.getSpec().getReplicas() >= 2, name + " replicas " + d.getSpec().getReplicas());
            Container c = only(d.getSpec().getTemplate().getSpec().getContainers(), name);
            assertEquals(name, c.getName());
            assertEquals("netplane/" + name, c.getImage().substring(0, c.getImage().lastIndexOf(':')));
            int port = httpPort(name);
            assertEquals(HTTP_PORTS.get(name), port);
            assertEquals(port, c.getPorts().get(0).getContainerPort());
            assertEquals("http", c.getPorts().get(0).getName());
            assertProbe(c.getReadinessProbe(), "/q/health/ready", port, c, name);
            assertProbe(c.getLivenessProbe(), "/q/health/live", port, c, name);
            assertProbe(c.getStartupProbe(), "/q/health/started", port, c, name);
            Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
            assertTrue(podLabels.entrySet().containsAll(d.getSpec().getSelector().getMatchLabels().entrySet()));
            Service s = m.get(Service.class, name);
            assertTrue(podLabels.entrySet().containsAll(s.getSpec().getSelector().entrySet()), "service " + name + " selects its pods");
            assertEquals(port, s.getSpec().getPorts().get(0).getPort());
            assertEquals(new IntOrString("http"), s.getSpec().getPorts().get(0).getTargetPort());
            assertEquals(Boolean.TRUE, c.getSecurityContext().getRunAsNonRoot(), name + " needs no root");
            assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop());
            PodDisruptionBudget pdb = m.get(PodDisruptionBudget.class, name);
            assertTrue(podLabels.entrySet().containsAll(pdb.getSpec().getSelector().getMatchLabels().entrySet()));
            assertTrue(pdb.getSpec().getMinAvailable().getIntVal() < d.getSpec().getReplicas(),
                    name + ": a drain can still move a replica");
        }
    }

    @Test
    void theAgentIsAPrivilegedDaemonSetOnTheHostNetworkWithTheHostsNamespaces() throws IOException {
        DaemonSet ds = base().get(DaemonSet.class, "node-agent");
        PodSpec pod = ds.getSpec().getTemplate().getSpec();
        assertEquals(Boolean.TRUE, pod.getHostNetwork(), "the agent builds in the host's network namespace");
        assertEquals("ClusterFirstWithHostNet", pod.getDnsPolicy(), "Kafka's service name must resolve");
        assertTrue(pod.getHostPID() == null || !pod.getHostPID(), "no hostPID: it enters no other process's namespace");
        assertTrue(pod.getTolerations().stream().anyMatch(t -> "Exists".equals(t.getOperator()) && t.getKey() == null),
                "one agent on every node, tainted or not");
        Container c = only(pod.getContainers(), "node-agent");
        assertEquals("netplane/node-agent", c.getImage().substring(0, c.getImage().lastIndexOf(':')));
        assertEquals(Boolean.TRUE, c.getSecurityContext().getPrivileged());
        assertEquals(0L, c.getSecurityContext().getRunAsUser());
        assertTrue(c.getSecurityContext().getCapabilities().getAdd().containsAll(List.of("NET_ADMIN", "SYS_ADMIN")));
        int port = httpPort("node-agent");
        assertProbe(c.getReadinessProbe(), "/q/health/ready", port, c, "node-agent");
        assertProbe(c.getLivenessProbe(), "/q/health/live", port, c, "node-agent");
        EnvVar node = c.getEnv().stream().filter(e -> e.getName().equals("NETPLANE_NODE_NAME")).findFirst().orElseThrow();
        assertEquals("spec.nodeName", node.getValueFrom().getFieldRef().getFieldPath(), "node name = the Kubernetes node");

        Map<String, String> hostPaths = new TreeMap<>();
        for (Volume v : pod.getVolumes()) {
            assertNotNull(v.getHostPath(), v.getName());
            hostPaths.put(v.getName(), v.getHostPath().getPath());
        }
        Map<String, VolumeMount> mounts = new TreeMap<>();
        c.getVolumeMounts().forEach(vm -> mounts.put(hostPaths.get(vm.getName()), vm));
        assertEquals(Set.of("/run/netns", "/etc/netns", "/var/lib/netplane"), mounts.keySet());
        mounts.forEach((host, vm) -> assertEquals(host, vm.getMountPath(), "mounted where the agent looks: " + host));
        assertEquals("Bidirectional", mounts.get("/run/netns").getMountPropagation(),
                "namespaces the agent bind-mounts must appear on the host");
        assertTrue(c.getEnv().stream().anyMatch(e -> e.getName().equals("NETPLANE_AGENT_STATE_DIR")
                && e.getValue().startsWith("/var/lib/netplane/")), "state on the host's /var/lib/netplane");
    }

    @Test
    void everyConfigMapAndSecretReferencedExistsWithItsKeysAndEveryKeyIsRead() throws Exception {
        check(base());
    }

    /** References from pods and from the CloudNativePG Cluster; keys of the shared ConfigMap read by a service. */
    static void check(Manifests m) throws IOException {
        List<String> problems = new ArrayList<>();
        ServiceProperties properties = new ServiceProperties(Manifests.REPO);
        m.podSpecs().forEach((workload, pod) -> {
            for (Container c : pod.getContainers()) {
                for (EnvFromSource from : c.getEnvFrom()) {
                    if (from.getConfigMapRef() != null && m.configMap(from.getConfigMapRef().getName()).isEmpty()) {
                        problems.add(workload + ": no ConfigMap " + from.getConfigMapRef().getName());
                    }
                    if (from.getSecretRef() != null && m.secret(from.getSecretRef().getName()).isEmpty()) {
                        problems.add(workload + ": no Secret " + from.getSecretRef().getName());
                    }
                }
                for (EnvVar e : c.getEnv()) {
                    if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                        var ref = e.getValueFrom().getSecretKeyRef();
                        if (m.secret(ref.getName()).map(s -> !Manifests.keys(s).contains(ref.getKey())).orElse(true)) {
                            problems.add(workload + ": " + e.getName() + " needs key " + ref.getKey() + " of Secret " + ref.getName());
                        }
                    }
                    if (e.getValueFrom() != null && e.getValueFrom().getConfigMapKeyRef() != null) {
                        var ref = e.getValueFrom().getConfigMapKeyRef();
                        if (m.configMap(ref.getName()).map(s -> !s.getData().containsKey(ref.getKey())).orElse(true)) {
                            problems.add(workload + ": " + e.getName() + " needs key " + ref.getKey() + " of ConfigMap " + ref.getName());
                        }
                    }
                    if (!properties.reads(e.getName())) {
                        problems.add(workload + ": no service reads " + e.getName());
                    }
                }
            }
            for (Volume v : pod.getVolumes()) {
                if (v.getSecret() != null && m.secret(v.getSecret().getSecretName()).isEmpty()) {
                    problems.add(workload + ": volume " + v.getName() + ": no Secret " + v.getSecret().getSecretName());
                }
                if (v.getConfigMap() != null && m.configMap(v.getConfigMap().getName()).isEmpty()) {
                    problems.add(workload + ": volume " + v.getName() + ": no ConfigMap " + v.getConfigMap().getName());
                }
            }
        });
        for (GenericKubernetesResource cluster : m.custom("Cluster")) {
            String secret = (String) path(cluster.getAdditionalProperties(), "spec", "bootstrap", "initdb", "secret", "name");
            if (m.secret(secret).map(s -> !Manifests.keys(s).containsAll(Set.of("username", "password"))).orElse(true)) {
                problems.add("Cluster " + cluster.getMetadata().getName() + ": Secret " + secret + " with username and password");
            }
        }
        for (ConfigMap cm : m.all(ConfigMap.class)) {
            for (String key : cm.getData().keySet()) {
                if (!properties.reads(key)) {
                    problems.add("ConfigMap " + cm.getMetadata().getName() + ": no service reads " + key);
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void kafkaIsStrimziInKraftModeAndTheConfigPointsAtItsBootstrapAndAtTheDatabase() throws Exception {
        Manifests m = base();
        GenericKubernetesResource kafka = m.custom("Kafka").get(0);
        String name = kafka.getMetadata().getName();
        assertEquals("enabled", kafka.getMetadata().getAnnotations().get("strimzi.io/kraft"));
        assertEquals("enabled", kafka.getMetadata().getAnnotations().get("strimzi.io/node-pools"));
        GenericKubernetesResource pool = m.custom("KafkaNodePool").get(0);
        assertEquals(name, pool.getMetadata().getLabels().get("strimzi.io/cluster"));
        assertEquals(List.of("controller", "broker"), path(pool.getAdditionalProperties(), "spec", "roles"));
        assertTrue(((Number) path(pool.getAdditionalProperties(), "spec", "replicas")).intValue() >= 3);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> listeners = (List<Map<String, Object>>) path(kafka.getAdditionalProperties(),
                "spec", "kafka", "listeners");
        int plain = listeners.stream().filter(l -> Boolean.FALSE.equals(l.get("tls"))).map(l -> ((Number) l.get("port")).intValue())
                .findFirst().orElseThrow();

        Map<String, String> config = m.configMap("netplane-config").orElseThrow().getData();
        assertEquals(name + "-kafka-bootstrap:" + plain, config.get("KAFKA_BOOTSTRAP_SERVERS"), "Strimzi's bootstrap service");
        GenericKubernetesResource db = m.custom("Cluster").get(0);
        URI jdbc = URI.create(config.get("QUARKUS_DATASOURCE_JDBC_URL").substring("jdbc:".length()));
        assertEquals(db.getMetadata().getName() + "-rw", jdbc.getHost(), "CloudNativePG's read-write service");
        assertEquals("/" + path(db.getAdditionalProperties(), "spec", "bootstrap", "initdb", "database"), jdbc.getPath());
        assertTrue(((Number) path(db.getAdditionalProperties(), "spec", "instances")).intValue() >= 2);
    }

    @Test
    void theTopicsAreTheContractsWithTheirPartitionsAndRetention() throws Exception {
        Manifests m = base();
        String prefix = m.configMap("netplane-config").orElseThrow().getData().get("NETPLANE_TOPICS_PREFIX");
        String cluster = m.custom("Kafka").get(0).getMetadata().getName();
        Set<String> declared = new TreeSet<>();
        for (GenericKubernetesResource t : m.custom("KafkaTopic")) {
            declared.add(t.getMetadata().getName());
            assertEquals(cluster, t.getMetadata().getLabels().get("strimzi.io/cluster"));
        }
        Set<String> contract = new TreeSet<>();
        for (Topic topic : Topic.values()) {
            contract.add(topic.name(prefix));
            GenericKubernetesResource t = m.custom("KafkaTopic", topic.name(prefix));
            assertEquals(topic.partitions(), ((Number) path(t.getAdditionalProperties(), "spec", "partitions")).intValue(),
                    topic.name(prefix));
            assertTrue(((Number) path(t.getAdditionalProperties(), "spec", "replicas")).intValue() >= 3);
            @SuppressWarnings("unchecked")
            Map<String, Object> config = (Map<String, Object>) path(t.getAdditionalProperties(), "spec", "config");
            Map<String, String> asText = new TreeMap<>();
            config.forEach((k, v) -> asText.put(k, String.valueOf(v)));
            assertEquals(new TreeMap<>(topic.config()), asText, topic.name(prefix) + " config");
        }
        assertEquals(contract, declared);
    }

    @Test
    void theExampleOverlayRendersWithItsNamespaceImagesConfigAndReplicas() throws Exception {
        Manifests base = Manifests.kustomize(Manifests.K8S.resolve("base"));
        assertEquals(Set.copyOf(base().names()), Set.copyOf(base.names()), "kustomize renders what the base lists");
        Manifests m = Manifests.kustomize(Manifests.K8S.resolve("overlays/example"));
        Namespace ns = m.get(Namespace.class, "netplane");
        assertEquals("privileged", ns.getMetadata().getLabels().get("pod-security.kubernetes.io/enforce"),
                "the agent's pods are privileged");
        for (HasMetadata r : m.resources) {
            if (!(r instanceof Namespace)) {
                assertEquals("netplane", r.getMetadata().getNamespace(), r.getKind() + "/" + r.getMetadata().getName());
                assertEquals("netplane", r.getMetadata().getLabels().get("app.kubernetes.io/part-of"));
            }
        }
        Map<String, String> images = new TreeMap<>();
        m.podSpecs().forEach((w, pod) -> images.put(w, only(pod.getContainers(), w).getImage()));
        assertEquals(Map.of("api-service", "registry.example.com/netplane/api-service:0.1.0",
                "ipam-service", "registry.example.com/netplane/ipam-service:0.1.0",
                "node-agent", "registry.example.com/netplane/node-agent:0.1.0"), images);
        assertEquals(3, m.get(Deployment.class, "api-service").getSpec().getReplicas());
        assertEquals(2, m.get(Deployment.class, "ipam-service").getSpec().getReplicas());
        Map<String, String> config = m.configMap("netplane-config").orElseThrow().getData();
        assertEquals("netplane-kafka-bootstrap.netplane.svc:9092", config.get("KAFKA_BOOTSTRAP_SERVERS"));
        assertEquals("netplane", config.get("NETPLANE_TOPICS_PREFIX"), "the base's keys stay");
        Secret db = m.secret("netplane-db").orElseThrow();
        assertEquals(Set.of("username", "password"), Manifests.keys(db), "the patch merges into the base's Secret");
        assertFalse(m.secret("netplane-api-tokens").orElseThrow().getStringData().get("tokens").contains("change-me"));
        check(m);
    }

    @Test
    void theTokensSecretsHaveTheLinesApiServiceReads() throws Exception {
        // api-service's auth.Credentials: name:role:secret a line, role viewer, operator or admin
        for (Manifests m : List.of(base(), Manifests.kustomize(Manifests.K8S.resolve("overlays/example")))) {
            String tokens = m.secret("netplane-api-tokens").orElseThrow().getStringData().get("tokens");
            List<String> lines = tokens.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
            assertFalse(lines.isEmpty(), "at least one token");
            for (String line : lines) {
                assertTrue(line.matches("[^:\\s]+:(viewer|operator|admin):\\S+"), "not name:role:token: " + line);
            }
        }
    }

    private static Container only(List<Container> containers, String what) {
        assertEquals(1, containers.size(), what);
        return containers.get(0);
    }

    private static void assertProbe(Probe probe, String path, int port, Container c, String what) {
        assertNotNull(probe, what + " " + path);
        assertEquals(path, probe.getHttpGet().getPath(), what);
        IntOrString target = probe.getHttpGet().getPort();
        int resolved = target.getIntVal() != null ? target.getIntVal() : c.getPorts().stream()
                .filter(p -> target.getStrVal().equals(p.getName())).findFirst().orElseThrow().getContainerPort();
        assertEquals(port, resolved, what + " " + path + " port");
    }

    @SuppressWarnings("unchecked")
    static Object path(Map<String, Object> root, String... keys) {
        Object at = root;
        for (String k : keys) {
            at = at instanceof Map<?, ?> map ? ((Map<String, Object>) map).get(k) : null;
        }
        return at;
    }
}
