package io.resnetstream.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

import io.resnetstream.testing.OperatorQueries;
import io.resnetstream.testing.TestImages;
import io.resnetstream.tools.ServiceProcess;
import io.resnetstream.topology.ResnetConfig;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What operators see, on the packaged service and the real broker: after a run, {@code /q/metrics} is scraped and
 * every metric name of every dashboard query and alert expression must be in it, the Kafka clients' and Kafka
 * Streams' ones (consumer lag, stream threads) included; and a {@code traceparent} sent with an image comes back on
 * its committed prediction. The scrape is kept in {@code target/it-logs} for the docs.
 */
class OperatorViewsIT {
    private static final String MODEL = System.getProperty("it.model.dir", ResnetConfig.Model.DEFAULT_DIR);
    private static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private final StackClients stack = new StackClients();

    @Test
    void everyDashboardAndAlertMetricIsScrapedFromTheService() throws Exception {
        stack.createTopics(3);
        int httpPort = freePort();
        Map<String, String> settings = stack.serviceSettings(
                MODEL,
                Files.createTempDirectory("resnet-stream-" + stack.run + "-state")
                        .toString());
        settings.put("resnet.input-format", "raw");
        settings.put("resnet.batch.max-delay", "200ms");
        settings.put("quarkus.http.host", "127.0.0.1");
        settings.put("quarkus.http.port", String.valueOf(httpPort));
        Path log = Path.of("target", "it-logs", stack.run + "-operator-views.log");
        try (ServiceProcess service = ServiceProcess.start(StackClients.APP, settings, log);
                KafkaProducer<String, byte[]> producer = stack.producer()) {
            for (int i = 0; i < 20; i++) {
                ProducerRecord<String, byte[]> record = new ProducerRecord<>(
                        stack.images, i % 3, stack.run + "-img-" + i, TestImages.jpeg(TestImages.disc(i, 120, 90)));
                if (i == 0) {
                    record.headers().add("traceparent", TRACEPARENT.getBytes(StandardCharsets.US_ASCII));
                }
                producer.send(record);
            }
            producer.send(new ProducerRecord<>(stack.images, stack.run + "-empty", new byte[0]));
            producer.flush();
            List<ConsumerRecord<String, byte[]>> out =
                    stack.readOutputs(r -> r.size() >= 21, Duration.ofMinutes(3), service);
            assertThat(out).hasSize(21);
            ConsumerRecord<String, byte[]> traced = out.stream()
                    .filter(r -> r.key().equals(stack.run + "-img-0"))
                    .findFirst()
                    .orElseThrow();
            Header header = traced.headers().lastHeader("traceparent");
            assertThat(header).isNotNull();
            assertThat(new String(header.value(), StandardCharsets.US_ASCII)).isEqualTo(TRACEPARENT);

            String scrape = scrape(httpPort);
            Path kept = Path.of("target", "it-logs", "operator-views-metrics.txt");
            Files.createDirectories(kept.getParent());
            Files.writeString(kept, scrape);
            Set<String> exposed = OperatorQueries.sampleNames(scrape);
            List<OperatorQueries.Query> queries = OperatorQueries.all();
            assertThat(OperatorQueries.missing(queries, exposed))
                    .as("queried by the dashboard or the alerts but not on /q/metrics (scrape kept in %s)", kept)
                    .isEmpty();
            // the consumer lag the lag panels and alerts read is the main consumer's, reading this run's topic
            assertThat(scrape)
                    .containsPattern("kafka_consumer_fetch_manager_records_lag_max\\{[^}]*client_id=\"[^\"]*"
                            + "StreamThread-1-consumer\"");
            assertThat(scrape).contains("resnet_predictions_total 20.0");
            assertThat(scrape).containsPattern("resnet_dead_letters_total\\{reason=\"MALFORMED_EVENT\",?} 1.0");
        }
    }

    private static String scrape(int port) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics"))
                .timeout(Duration.ofSeconds(10))
                .build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
