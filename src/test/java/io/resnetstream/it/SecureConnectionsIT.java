package io.resnetstream.it;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.resnetstream.contracts.ImageEvent;
import io.resnetstream.contracts.Prediction;
import io.resnetstream.registry.HttpSchemaRegistry;
import io.resnetstream.registry.RegistryException;
import io.resnetstream.registry.RegistrySettings;
import io.resnetstream.registry.RegistrySettings.StoreLocation;
import io.resnetstream.registry.serde.AvroSerde;
import io.resnetstream.registry.serde.SerdeOptions;
import io.resnetstream.testing.TestCertificates;
import io.resnetstream.testing.TestImages;
import io.resnetstream.tools.ClientConfig;
import io.resnetstream.tools.ServiceProcess;
import io.resnetstream.topology.ResnetConfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The service behind locked doors: a private stack ({@code deploy/stack.sh}) whose broker has a SASL_SSL listener
 * with SCRAM-SHA-512 and whose registry (Apicurio) serves HTTPS only, both with certificates of a CA this test makes.
 * The packaged service runs the pipeline through both, its security settings read from a properties file
 * ({@code quarkus.config.locations}, as a mounted secret would give them); clients with a wrong password, without
 * TLS, or not trusting the CA are refused; and the service's HTTP port (health, metrics) is bound to loopback.
 * <p>
 * The broker keeps {@code stack.sh}'s plain listener on loopback, for the script's readiness check and to create the
 * SCRAM user; the refusals are checked on the SASL_SSL listener. Apicurio's build fixes client-auth to none, so
 * mutual TLS and basic auth against a registry are checked with {@code ClientConfigTest} (an HTTPS server that
 * demands a client certificate) instead.
 */
class SecureConnectionsIT {
    private static final String MODEL = System.getProperty("it.model.dir", ResnetConfig.Model.DEFAULT_DIR);
    private static final String USER = "resnet-stream";
    private static final String SCRAM_SECRET = "scram-" + UUID.randomUUID();
    private static final int IMAGES = 6;

    @TempDir
    static Path dir;

    static TestCertificates ca;
    static PrivateStack stack;
    static String secureBootstrap;

    @BeforeAll
    static void startSecuredStack() throws Exception {
        ca = TestCertificates.authority(dir, "stack");
        StoreLocation broker = ca.issue("broker");
        StoreLocation registry = ca.issue("registry");
        int saslPort = PrivateStack.freePort();
        secureBootstrap = "127.0.0.1:" + saslPort;
        Path listener = dir.resolve("sasl-ssl-listener.properties");
        Files.writeString(
                listener,
                String.join(
                        "\n",
                        "sasl.enabled.mechanisms=SCRAM-SHA-512",
                        "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config="
                                + "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                        "listener.name.sasl_ssl.ssl.keystore.location=" + broker.path(),
                        "listener.name.sasl_ssl.ssl.keystore.password=" + TestCertificates.PASSWORD,
                        "listener.name.sasl_ssl.ssl.key.password=" + TestCertificates.PASSWORD,
                        "listener.name.sasl_ssl.ssl.keystore.type=PKCS12",
                        ""));
        stack = PrivateStack.start(
                log("stack"),
                Map.of(
                        "RESNET_KAFKA_EXTRA_LISTENERS", "SASL_SSL://" + secureBootstrap,
                        "RESNET_KAFKA_SERVER_PROPERTIES", listener.toString(),
                        "RESNET_REGISTRY_SCHEME", "https",
                        "RESNET_REGISTRY_JAVA_OPTS",
                                "-Dquarkus.http.ssl.certificate.key-store-file=" + registry.path()
                                        + " -Dquarkus.http.ssl.certificate.key-store-password="
                                        + TestCertificates.PASSWORD,
                        "RESNET_REGISTRY_CURL_OPTS", "--cacert " + ca.caPem()));
        // SCRAM credentials live in the cluster's metadata: created through the plain loopback listener
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrap()))) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(
                            USER, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), SCRAM_SECRET)))
                    .all()
                    .get(60, TimeUnit.SECONDS);
        }
        awaitSecureListener();
    }

    @AfterAll
    static void stopStack() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void thePipelineRunsOverSaslSslAndAnHttpsRegistryWithHealthOnLoopbackOnly() throws Exception {
        ClientConfig client = secureClient();
        StackClients clients = new StackClients(secureBootstrap, stack.registry(), client.kafkaProperties());
        clients.createTopics(1);
        HttpSchemaRegistry registry = new HttpSchemaRegistry(client.registrySettings());
        Map<String, String> settings =
                clients.serviceSettings(MODEL, dir.resolve("state").toString());
        // no quarkus.http.host: the service's own default is what the end of the test checks
        // the secrets in a file, as a mounted Kubernetes secret would hold them, not on the command line
        Path secrets = dir.resolve("service-secrets.properties");
        Properties p = new Properties();
        p.putAll(client.serviceSettings());
        try (var out = Files.newBufferedWriter(secrets)) {
            p.store(out, "SecureConnectionsIT");
        }
        settings.put("quarkus.config.locations", secrets.toUri().toString());
        Serializer<ImageEvent> events = new AvroSerde<>(
                        registry, ImageEvent.class, SerdeOptions.values().registeringSchemas())
                .serializer();
        Set<String> sent = new TreeSet<>();
        try (ServiceProcess service = ServiceProcess.start(StackClients.APP, settings, log(clients.run + "-service"));
                KafkaProducer<String, byte[]> producer = clients.producer()) {
            for (int i = 0; i < IMAGES; i++) {
                String id = clients.run + "-img-" + i;
                sent.add(id);
                byte[] jpeg = TestImages.encode(TestImages.disc(i, 160 + 9 * i, 120), "jpg");
                ImageEvent event = ImageEvent.newBuilder()
                        .setImageId(id)
                        .setData(ByteBuffer.wrap(jpeg))
                        .setContentType("image/jpeg")
                        .setSource("SecureConnectionsIT")
                        .setEventTime(Instant.now())
                        .build();
                producer.send(new ProducerRecord<>(clients.images, id, events.serialize(clients.images, event)));
            }
            producer.flush();

            List<ConsumerRecord<String, byte[]>> out =
                    clients.readOutputs(r -> r.size() >= IMAGES, Duration.ofMinutes(4), service);

            var predictions = new AvroSerde<>(registry, Prediction.class, SerdeOptions.values()).deserializer();
            assertThat(out)
                    .as("every outcome a prediction:\n%s", service.logTail())
                    .allSatisfy(r -> assertThat(r.topic()).isEqualTo(clients.predictions));
            assertThat(out.stream()
                            .map(r -> predictions.deserialize(r.topic(), r.value()))
                            .map(Prediction::getImageId))
                    .containsExactlyInAnyOrderElementsOf(sent);
            // the service wrote its schema over HTTPS: the registry knows the predictions' subject
            assertThat(registry.latest(clients.predictions + "-value").id()).isPositive();

            int port = httpPort(service);
            assertThat(listeningAddresses(port))
                    .as("addresses listening on the service's HTTP port %d", port)
                    .isNotEmpty()
                    .allSatisfy(address -> assertThat(address).isIn("127.0.0.1", "::ffff:127.0.0.1"));
        }
    }

    @Test
    void aClientWithAWrongPasswordIsRefused() {
        Map<String, Object> props = secureKafkaProps();
        props.put("sasl.jaas.config", jaas(USER, "not-" + SCRAM_SECRET));

        assertThatThrownBy(() -> describeCluster(props))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(SaslAuthenticationException.class);
    }

    @Test
    void anUnknownUserIsRefused() {
        Map<String, Object> props = secureKafkaProps();
        props.put("sasl.jaas.config", jaas("somebody-else", SCRAM_SECRET));

        assertThatThrownBy(() -> describeCluster(props))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(SaslAuthenticationException.class);
    }

    @Test
    void aPlaintextClientIsRefusedOnTheSecureListener() {
        Map<String, Object> props = Map.of(
                "bootstrap.servers", secureBootstrap,
                "security.protocol", "PLAINTEXT",
                "request.timeout.ms", "5000",
                "default.api.timeout.ms", "10000");

        // the broker expects a TLS handshake and closes the connection: no answer ever comes
        assertThatThrownBy(() -> describeCluster(props))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
    }

    @Test
    void aClientThatDoesNotTrustTheBrokersCaIsRefused() throws Exception {
        TestCertificates stranger = TestCertificates.authority(dir, "stranger-kafka");
        Map<String, Object> props = secureKafkaProps();
        props.put("ssl.truststore.location", stranger.trustStore().path().toString());

        assertThatThrownBy(() -> describeCluster(props))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(SslAuthenticationException.class);
    }

    @Test
    void theRegistryAnswersOnlyHttpsToClientsThatTrustItsCa() throws Exception {
        HttpSchemaRegistry trusting = new HttpSchemaRegistry(secureClient().registrySettings());
        Schema schema = Schema.createRecord(
                "Probe" + UUID.randomUUID().toString().replace("-", ""), null, "io.resnetstream.it", false, List.of());
        String subject = "secure-it-" + UUID.randomUUID() + "-value";

        int id = trusting.register(subject, schema);
        assertThat(trusting.getById(id)).isEqualTo(schema);

        // the JVM's own CAs do not include the test CA
        HttpSchemaRegistry jvmTrust = new HttpSchemaRegistry(
                RegistrySettings.builder(stack.registry()).build());
        assertThatThrownBy(() -> jvmTrust.getById(id))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("TLS");
        TestCertificates stranger = TestCertificates.authority(dir, "stranger-registry");
        HttpSchemaRegistry strangerTrust = new HttpSchemaRegistry(RegistrySettings.builder(stack.registry())
                .trustStore(stranger.trustStore())
                .build());
        assertThatThrownBy(() -> strangerTrust.getById(id))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("TLS");
        // plain HTTP on the same port gets no answer
        HttpSchemaRegistry plain =
                new HttpSchemaRegistry(RegistrySettings.builder(stack.registry().replace("https://", "http://"))
                        .build());
        assertThatThrownBy(() -> plain.getById(id)).isInstanceOf(RegistryException.class);
    }

    /** The service's client configuration: SCRAM over TLS to the broker, the test CA for both. */
    private static ClientConfig secureClient() {
        StoreLocation trust = ca.trustStore();
        return new ClientConfig(
                secureBootstrap,
                stack.registry(),
                Map.of(
                        "security.protocol", "SASL_SSL",
                        "sasl.mechanism", "SCRAM-SHA-512",
                        "sasl.jaas.config", jaas(USER, SCRAM_SECRET),
                        "ssl.truststore.location", trust.path().toString(),
                        "ssl.truststore.password", trust.password(),
                        "ssl.truststore.type", trust.type(),
                        "schema.registry.ssl.truststore.location", trust.path().toString(),
                        "schema.registry.ssl.truststore.password", trust.password(),
                        "schema.registry.ssl.truststore.type", trust.type()));
    }

    /** The secure client's Kafka properties, to change one. */
    private static Map<String, Object> secureKafkaProps() {
        Map<String, Object> props = new HashMap<>();
        secureClient().kafkaProperties().forEach((k, v) -> props.put((String) k, v));
        return props;
    }

    private static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\""
                + password + "\";";
    }

    private static String describeCluster(Map<String, Object> props) throws Exception {
        try (Admin admin = Admin.create(props)) {
            return admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS);
        }
    }

    /** New SCRAM credentials reach the broker's cache through the metadata log: wait until they work. */
    private static void awaitSecureListener() throws Exception {
        Map<String, Object> props = secureKafkaProps();
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            try {
                describeCluster(props);
                return;
            } catch (ExecutionException e) {
                if (System.currentTimeMillis() > deadline) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }

    /** The port Quarkus reports (the service runs with {@code quarkus.http.port=0}); the address must be loopback. */
    private static int httpPort(ServiceProcess service) throws Exception {
        Pattern listening = Pattern.compile("Listening on: http://([^:/]+):(\\d+)");
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            Matcher m = listening.matcher(Files.readString(service.log()));
            if (m.find()) {
                assertThat(m.group(1)).isEqualTo("127.0.0.1");
                return Integer.parseInt(m.group(2));
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no 'Listening on' line:\n" + service.logTail());
    }

    /** The local addresses of sockets listening on {@code port}, from Linux's /proc/net/tcp and tcp6. */
    private static List<String> listeningAddresses(int port) throws IOException {
        List<String> addresses = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path file = Path.of(table);
            if (!Files.isReadable(file)) {
                continue;
            }
            for (String line : Files.readAllLines(file)) {
                String[] f = line.trim().split("\\s+");
                // sl local_address rem_address st ...; 0A is LISTEN
                if (f.length > 3 && f[3].equals("0A") && f[1].contains(":")) {
                    String[] local = f[1].split(":");
                    if (Integer.parseInt(local[1], 16) == port) {
                        addresses.add(address(local[0]));
                    }
                }
            }
        }
        return addresses;
    }

    /** /proc/net's hex address: IPv4 as one little-endian word, IPv6 as four. */
    private static String address(String hex) {
        if (hex.length() == 8) {
            int v = Integer.parseUnsignedInt(hex, 16);
            return (v & 0xff) + "." + ((v >> 8) & 0xff) + "." + ((v >> 16) & 0xff) + "." + ((v >>> 24) & 0xff);
        }
        if (hex.equals("00000000000000000000000000000000")) {
            return "::";
        }
        if (hex.startsWith("0000000000000000FFFF0000")) {
            return "::ffff:" + address(hex.substring(24));
        }
        if (hex.equals("00000000000000000000000001000000")) {
            return "::1";
        }
        return hex;
    }

    private static Path log(String name) {
        return Path.of("target", "it-logs", "secure-" + name + ".log");
    }
}
