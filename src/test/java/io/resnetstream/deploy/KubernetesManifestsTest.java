package io.resnetstream.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.smallrye.config.WithDefault;

import io.resnetstream.topology.DurationWithUnitConverter;
import io.resnetstream.topology.ResnetConfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Kubernetes manifests in deploy/k8s agree with the service and the topic script: every file parses; KEDA
 * never scales past the images topic's partitions; the grace period covers the service's shutdown timeout; the
 * state directory is on a per-pod claim; KEDA watches the group, topic and broker that the service uses. With
 * {@code kubectl} on the PATH the overlays are also rendered by {@code kubectl kustomize}.
 */
class KubernetesManifestsTest {
    private static final Path K8S = Path.of("deploy", "k8s");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void everyManifestParses() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(K8S)) {
            files = walk.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        for (Path file : files) {
            assertThat(documents(Files.readString(file)))
                    .as(file.toString())
                    .isNotEmpty()
                    .allSatisfy(doc -> assertThat(doc.path("kind").asText())
                            .as("kind in %s", file)
                            .isNotBlank());
        }
    }

    @Test
    void kedaNeverScalesPastThePartitionsOfTheImagesTopic() throws IOException {
        JsonNode scaled = single(K8S.resolve("keda/scaledobject.yaml"), "ScaledObject");
        int partitions = defaultPartitions();
        int max = scaled.path("spec").path("maxReplicaCount").asInt(-1);
        int min = scaled.path("spec").path("minReplicaCount").asInt(-1);
        assertThat(max)
                .as("maxReplicaCount against the %d partitions deploy/topics.sh creates", partitions)
                .isBetween(1, partitions);
        assertThat(min).as("minReplicaCount").isBetween(1, max);

        JsonNode trigger = scaled.path("spec").path("triggers").get(0);
        assertThat(trigger.path("type").asText()).isEqualTo("kafka");
        JsonNode meta = trigger.path("metadata");
        assertThat(meta.path("allowIdleConsumers").asText()).isEqualTo("false");
        assertThat(Integer.parseInt(meta.path("lagThreshold").asText())).isPositive();

        Map<String, String> config = configMap();
        assertThat(meta.path("topic").asText()).isEqualTo(config.get("RESNET_TOPICS_IMAGES"));
        assertThat(meta.path("bootstrapServers").asText()).isEqualTo(config.get("KAFKA_BOOTSTRAP_SERVERS"));
        assertThat(meta.path("consumerGroup").asText())
                .as("the consumer group is the application id")
                .isEqualTo(config.getOrDefault("RESNET_APPLICATION_ID", defaultOf("applicationId")));
        JsonNode target = scaled.path("spec").path("scaleTargetRef");
        JsonNode statefulSet = statefulSet();
        assertThat(target.path("kind").asText())
                .isEqualTo(statefulSet.path("kind").asText());
        assertThat(target.path("name").asText())
                .isEqualTo(statefulSet.path("metadata").path("name").asText());
    }

    @Test
    void theGracePeriodCoversTheShutdownTimeout() throws IOException {
        Duration shutdown = new DurationWithUnitConverter()
                .convert(configMap().getOrDefault("RESNET_SHUTDOWN_TIMEOUT", defaultOf("shutdownTimeout")));
        long grace = statefulSet()
                .path("spec")
                .path("template")
                .path("spec")
                .path("terminationGracePeriodSeconds")
                .asLong(30); // Kubernetes' default when unset
        assertThat(Duration.ofSeconds(grace))
                .as("terminationGracePeriodSeconds against resnet.shutdown-timeout")
                .isGreaterThanOrEqualTo(shutdown);
    }

    /** The state directory (process id, attempt log) lives on the pod's own claim, not on an emptyDir. */
    @Test
    void theStateDirectoryIsOnEachPodsOwnClaim() throws IOException {
        JsonNode spec = statefulSet().path("spec");
        String stateDir = configMap().get("RESNET_STATE_DIR");
        assertThat(stateDir).isNotBlank();
        String volume = null;
        for (JsonNode mount :
                spec.path("template").path("spec").path("containers").get(0).path("volumeMounts")) {
            String path = mount.path("mountPath").asText();
            if (stateDir.equals(path) || stateDir.startsWith(path + "/")) {
                volume = mount.path("name").asText();
            }
        }
        assertThat(volume).as("a volume mounted at or above %s", stateDir).isNotNull();
        List<String> claims = new ArrayList<>();
        spec.path("volumeClaimTemplates")
                .forEach(c -> claims.add(c.path("metadata").path("name").asText()));
        assertThat(claims).contains(volume);
        String mounted = volume;
        assertThat(spec.path("template").path("spec").path("volumes"))
                .as("no pod volume shadows the claim")
                .noneMatch(v -> v.path("name").asText().equals(mounted));
    }

    @Test
    void theDisruptionBudgetSelectsThePods() throws IOException {
        JsonNode pdb = single(K8S.resolve("base/pdb.yaml"), "PodDisruptionBudget");
        JsonNode podLabels =
                statefulSet().path("spec").path("template").path("metadata").path("labels");
        pdb.path("spec").path("selector").path("matchLabels").properties().forEach(e -> assertThat(
                        podLabels.path(e.getKey()).asText())
                .as("pod label %s", e.getKey())
                .isEqualTo(e.getValue().asText()));
        assertThat(pdb.path("spec").path("maxUnavailable").asInt()).isEqualTo(1);
    }

    /** {@code kubectl kustomize} renders each entry point; KEDA's overlays leave the replica count to KEDA. */
    @Test
    void kustomizeRendersEveryEntryPoint() throws Exception {
        assumeTrue(onPath("kubectl"), "kubectl is not installed");
        for (String dir : List.of("deploy/k8s", "deploy/k8s/gpu", "deploy/k8s/base")) {
            List<JsonNode> docs = documents(kustomize(dir));
            JsonNode sts = docs.stream()
                    .filter(d -> d.path("kind").asText().equals("StatefulSet"))
                    .findFirst()
                    .orElseThrow();
            boolean keda = !dir.endsWith("base");
            assertThat(docs)
                    .as(dir)
                    .extracting(d -> d.path("kind").asText())
                    .contains("StatefulSet", "PodDisruptionBudget", "ConfigMap", "Service");
            assertThat(docs.stream().anyMatch(d -> d.path("kind").asText().equals("ScaledObject")))
                    .as("%s has a ScaledObject", dir)
                    .isEqualTo(keda);
            assertThat(sts.path("spec").has("replicas"))
                    .as("%s: a fixed replica count only without KEDA", dir)
                    .isEqualTo(!keda);
        }
    }

    private static String kustomize(String dir) throws Exception {
        Process p = new ProcessBuilder("kubectl", "kustomize", dir)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("kubectl kustomize %s", dir).isZero();
        return out;
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        return path != null
                && Stream.of(path.split(java.io.File.pathSeparator))
                        .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
    }

    /** The partition count {@code deploy/topics.sh create} uses without --partitions or RESNET_TOPIC_PARTITIONS. */
    private static int defaultPartitions() throws IOException {
        Matcher m = Pattern.compile("partitions=\\$\\{RESNET_TOPIC_PARTITIONS:-(\\d+)}")
                .matcher(Files.readString(Path.of("deploy", "topics.sh")));
        assertThat(m.find())
                .as("the default partition count in deploy/topics.sh")
                .isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static String defaultOf(String setting) {
        try {
            return ResnetConfig.class
                    .getMethod(setting)
                    .getAnnotation(WithDefault.class)
                    .value();
        } catch (NoSuchMethodException e) {
            throw new AssertionError(e);
        }
    }

    private static Map<String, String> configMap() throws IOException {
        JsonNode data = single(K8S.resolve("base/configmap.yaml"), "ConfigMap").path("data");
        return YAML.convertValue(data, YAML.getTypeFactory().constructMapType(Map.class, String.class, String.class));
    }

    private static JsonNode statefulSet() throws IOException {
        return single(K8S.resolve("base/statefulset.yaml"), "StatefulSet");
    }

    private static JsonNode single(Path file, String kind) throws IOException {
        List<JsonNode> docs = documents(Files.readString(file));
        assertThat(docs).as(file.toString()).hasSize(1);
        assertThat(docs.get(0).path("kind").asText()).as(file.toString()).isEqualTo(kind);
        return docs.get(0);
    }

    private static List<JsonNode> documents(String yaml) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }
}
