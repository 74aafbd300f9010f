package io.resnetstream.tools;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

import io.resnetstream.resnet.training.ShapesDataset;
import io.resnetstream.testing.LocalStack;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code backfill} against the service's pipeline in-process ({@link LocalPipeline}) on the shared stack: a folder
 * of 300 images and one corrupt file, sent by reference; the first run stops after 120 images and does not wait for
 * their outcomes (an interruption with images in flight); once some of those are classified, the second resumes:
 * it must skip the classified ones (and put their outcomes in the results), wait for the pending ones without
 * sending them again, and send the rest. Every image ends with exactly one
 * outcome on the topics (none classified twice) and exactly one row in the results.
 */
class BackfillIT {
    static final int IMAGES = 300;

    @TempDir
    Path work;

    @Test
    void anInterruptedBackfillResumesWithoutClassifyingAnyImageTwice() throws Exception {
        Path folder = work.resolve("images");
        ShapesDataset shapes = new ShapesDataset(11);
        Set<String> expectedIds = new HashSet<>();
        for (int i = 0; i < IMAGES; i++) {
            SampleImages.Sample s = SampleImages.shape(shapes, "img", i, 48);
            Path f = folder.resolve("batch-" + (i % 7)).resolve(s.id() + ".jpg");
            Files.createDirectories(f.getParent());
            Files.write(f, s.bytes());
            expectedIds.add(f.toUri().toString());
        }
        Path corrupt = folder.resolve("corrupt.jpg");
        Files.write(corrupt, SampleImages.corruptJpeg(1));
        expectedIds.add(corrupt.toUri().toString());

        KafkaOptions kafka = new KafkaOptions();
        kafka.bootstrap = LocalStack.BOOTSTRAP;
        kafka.registry = LocalStack.REGISTRY_URL;
        String run = LocalStack.unique("it-backfill").substring(0, 24);
        Map<String, String> settings = Map.of(
                "resnet.fetch.allowed-schemes",
                "file",
                "resnet.fetch.allowed-prefixes",
                folder.toUri().toString());
        Path results = work.resolve("out/results");
        try (LocalPipeline pipeline = new LocalPipeline(kafka, run, settings)) {
            pipeline.start(2);
            String[] topics = {
                "--bootstrap",
                kafka.bootstrap,
                "--registry",
                kafka.registry,
                "--images-topic",
                run + "-images",
                "--predictions-topic",
                run + "-predictions",
                "--dead-letters-topic",
                run + "-dlq",
                "--results",
                results.toString(),
                "--no-progress"
            };

            int first = backfill(topics, folder.toString(), "--limit", "120", "--timeout", "0s");
            assertThat(first)
                    .as("the interrupted run reports images without outcome (or the dead letter)")
                    .isIn(BackfillCommand.EXIT_TIMEOUT, BackfillCommand.EXIT_DEAD_LETTERS);
            // the pipeline goes on with the images in flight: let part of them finish, so that the resume finds
            // outcomes the first run never read (added to the results), images still pending, and images never sent
            long deadline = System.currentTimeMillis() + 120_000;
            while (outcomesPerKey(kafka.bootstrap, run).size() < 40 && System.currentTimeMillis() < deadline) {
                Thread.sleep(500);
            }
            int second = backfill(topics, folder.toString(), "--resume", "--timeout", "3m");
            assertThat(second).as("one dead letter: the corrupt file").isEqualTo(BackfillCommand.EXIT_DEAD_LETTERS);

            Map<String, Integer> outcomes = outcomesPerKey(kafka.bootstrap, run);
            assertThat(outcomes.keySet()).as("ids with an outcome").isEqualTo(expectedIds);
            assertThat(outcomes.values()).as("outcomes per id").allMatch(n -> n == 1);
        }

        List<String> rowIds = new ArrayList<>();
        BackfillResults.forEachRow(results, row -> rowIds.add(row.path("id").asText()));
        assertThat(rowIds).as("one results row per image").hasSize(IMAGES + 1);
        assertThat(new HashSet<>(rowIds)).isEqualTo(expectedIds);
        BackfillResults.Summary summary = BackfillResults.Summary.of(results);
        assertThat(summary.byOutcome())
                .containsEntry("PREDICTION", (long) IMAGES)
                .containsEntry("DEAD_LETTER", 1L);
        assertThat(summary.byReason()).containsOnlyKeys("UNDECODABLE");
        assertThat(Files.readAllLines(BackfillResults.csvOf(results))).hasSize(IMAGES + 2);
    }

    /**
     * A list of files, inline, content ids: the first run sends the list's last 80 images and stops at once; the
     * resume walks 120 new images first, paced, so the outcomes of the 80 still pending arrive before the walk
     * reaches them. They must be counted all the same (they are awaited from the resume's scan on).
     */
    @Test
    void outcomesOfPendingImagesCountEvenBeforeTheWalkReachesThem() throws Exception {
        ShapesDataset shapes = new ShapesDataset(23);
        List<String> lines = new ArrayList<>();
        Set<String> expectedIds = new HashSet<>();
        String run = LocalStack.unique("it-backfill-list").substring(0, 29);
        BackfillIds ids = new BackfillIds(BackfillIds.Kind.CONTENT, run + ":");
        for (int i = 0; i < 200; i++) {
            SampleImages.Sample s = SampleImages.shape(shapes, "list", i, 48);
            Path f = work.resolve("list-images").resolve(s.id() + ".jpg");
            Files.createDirectories(f.getParent());
            Files.write(f, s.bytes());
            lines.add(f.toString());
            expectedIds.add(ids.fromContent(s.bytes()));
        }
        Path all = Files.write(work.resolve("all.txt"), lines);
        Path last80 = Files.write(work.resolve("last80.txt"), lines.subList(120, 200));

        KafkaOptions kafka = new KafkaOptions();
        kafka.bootstrap = LocalStack.BOOTSTRAP;
        kafka.registry = LocalStack.REGISTRY_URL;
        Path results = work.resolve("out/list-results");
        try (LocalPipeline pipeline = new LocalPipeline(kafka, run, Map.of())) {
            pipeline.start(2);
            String[] common = {
                "--bootstrap",
                kafka.bootstrap,
                "--registry",
                kafka.registry,
                "--images-topic",
                run + "-images",
                "--predictions-topic",
                run + "-predictions",
                "--dead-letters-topic",
                run + "-dlq",
                "--results",
                results.toString(),
                "--no-progress",
                "--inline",
                "--id-from",
                "content",
                "--id-prefix",
                run + ":"
            };
            int first = backfill(common, last80.toString(), "--timeout", "0s");
            assertThat(first).isIn(BackfillCommand.EXIT_TIMEOUT, 0);
            int second = backfill(common, all.toString(), "--resume", "--max-rate", "40", "--timeout", "2m");
            assertThat(second).as("every image predicted, none missing").isZero();

            Map<String, Integer> outcomes = outcomesPerKey(kafka.bootstrap, run);
            assertThat(outcomes.keySet()).isEqualTo(expectedIds);
            assertThat(outcomes.values()).as("outcomes per id").allMatch(n -> n == 1);
        }
        BackfillResults.Summary summary = BackfillResults.Summary.of(results);
        assertThat(summary.rows()).as("one results row per image").isEqualTo(expectedIds.size());
        assertThat(summary.distinctIds()).isEqualTo(expectedIds.size());
        assertThat(summary.byOutcome()).containsOnlyKeys("PREDICTION");
    }

    private static int backfill(String[] common, String... args) {
        List<String> all = new ArrayList<>(List.of(common));
        all.addAll(List.of(args));
        return new CommandLine(new BackfillCommand()).execute(all.toArray(String[]::new));
    }

    /** Every committed outcome on the run's predictions and dead-letter topics, counted per key. */
    static Map<String, Integer> outcomesPerKey(String bootstrap, String run) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("isolation.level", "read_committed");
        p.put("enable.auto.commit", "false");
        Map<String, Integer> counts = new HashMap<>();
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (String t : List.of(run + "-predictions", run + "-dlq")) {
                consumer.partitionsFor(t).forEach(i -> tps.add(new TopicPartition(t, i.partition())));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = consumer.endOffsets(tps);
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    counts.merge(r.key(), 1, Integer::sum);
                }
            }
        }
        return counts;
    }
}
