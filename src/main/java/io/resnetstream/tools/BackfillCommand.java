package io.resnetstream.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import io.resnetstream.contracts.DeadLetter;
import io.resnetstream.contracts.ImageEvent;
import io.resnetstream.contracts.Prediction;
import io.resnetstream.ingest.UriFetcher;
import io.resnetstream.ingest.UriPolicy;
import io.resnetstream.outcome.RejectedInputException;
import io.resnetstream.registry.SchemaRegistry;
import io.resnetstream.registry.serde.AvroSerde;
import io.resnetstream.registry.serde.SerdeOptions;
import io.resnetstream.tools.BackfillResults.Row;

/**
 * {@code bin/resnet-stream backfill SOURCE}: sends stored images to the service and collects one outcome per image
 * into a results file. See docs/backfill.md.
 *
 * <p>Memory: per image it keeps the 128-bit hash of its id in {@link IdSet}s (awaited, settled; on resume also
 * those with an earlier outcome, those sent before and those in the results file), 32–64 bytes per id per set: at
 * most 320 bytes an image, a million images within about 320 MiB. Results go to disk as they arrive. With
 * {@code --id-from content} the source of every image awaited in this run is also kept (its id is a hash).
 */
@Command(
        name = "backfill",
        mixinStandardHelpOptions = true,
        description = {
            "Send stored images to the service (SOURCE: a folder, walked recursively; a text file of URIs or paths, "
                    + "one a line; or a glob such as '/data/img/**.jpg'), then follow the predictions and dead-letter "
                    + "topics until each image has its outcome and write the results (<results>.csv and .jsonl).",
            "Exit status: 0 every image predicted; 1 some dead letter or image not sent; 3 timed out waiting."
        })
public final class BackfillCommand implements Callable<Integer> {
    static final int EXIT_DEAD_LETTERS = 1;
    static final int EXIT_TIMEOUT = 3;

    @Mixin
    KafkaOptions kafka;

    @Parameters(index = "0", paramLabel = "SOURCE", description = "A folder, a file of URIs, or a glob")
    String source;

    @Option(
            names = "--inline",
            description = "Send the image bytes in the event (default: by reference, the event's uri; the service "
                    + "must be allowed to fetch it: resnet.fetch.allowed-schemes and allowed-prefixes)")
    boolean inline;

    @Option(
            names = "--id-from",
            defaultValue = "path",
            description = "path (the image's URI) or content (SHA-256 of its bytes) (default: ${DEFAULT-VALUE})")
    String idFrom;

    @Option(
            names = "--id-prefix",
            defaultValue = "",
            description = "Put before every id: another prefix is another backfill of the same images")
    String idPrefix;

    @Option(
            names = "--resume",
            description = "Skip images whose id already has an outcome, and do not send again those sent before "
                    + "and still pending (reads the predictions, dead-letter and images topics, read_committed); "
                    + "append to the results")
    boolean resume;

    @Option(names = "--max-rate", defaultValue = "0", description = "Images sent per second at most (0: no limit)")
    double maxRate;

    @Option(names = "--limit", defaultValue = "0", description = "Send at most this many images in this run (0: all)")
    long limit;

    @Option(
            names = "--results",
            defaultValue = "backfill-results",
            description = "Results base path: writes <path>.csv, <path>.jsonl and <path>.offsets "
                    + "(default: ${DEFAULT-VALUE})")
    Path results;

    @Option(
            names = "--timeout",
            defaultValue = "5m",
            converter = ChaosCommand.DurationOption.class,
            description = "Give up waiting once no outcome has come for this long (0s: do not wait) "
                    + "(default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(
            names = "--max-image-bytes",
            defaultValue = "20971520",
            description = "Larger images are not sent (the service's resnet.limits.image-bytes; default: "
                    + "${DEFAULT-VALUE})")
    long maxImageBytes;

    @Option(names = "--no-count", description = "Do not count the images first (no ETA; saves a walk of the source)")
    boolean noCount;

    @Option(names = "--no-progress", description = "No progress bar (for logs)")
    boolean noProgress;

    private BackfillSource images;
    private BackfillIds ids;

    // Guarded by this: the ids this run waits for, and those that have their outcome.
    private final IdSet awaited = new IdSet();
    private final IdSet settled = new IdSet();
    /** On resume: the ids the results file already has a row for. */
    private final IdSet inResults = new IdSet();
    /** With content ids only: id → source for the images awaited, since the id does not say. */
    private final Map<String, String> contentSources = new HashMap<>();

    private long duplicates;
    private long deadLetters;
    private long notSent;
    private volatile long lastOutcomeNanos;
    private volatile boolean stopFollowing;
    private final AtomicReference<RuntimeException> followFailure = new AtomicReference<>();

    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        images = BackfillSource.of(source);
        ids = new BackfillIds(BackfillIds.Kind.valueOf(idFrom.toUpperCase(Locale.ROOT)), idPrefix);
        SchemaRegistry registry = kafka.registryClient();
        Serializer<ImageEvent> events = new AvroSerde<>(
                        registry, ImageEvent.class, SerdeOptions.values().registeringSchemas())
                .serializer();
        Deserializer<Prediction> predictions =
                new AvroSerde<>(registry, Prediction.class, SerdeOptions.values()).deserializer();
        Deserializer<DeadLetter> deadLetterReader =
                new AvroSerde<>(registry, DeadLetter.class, SerdeOptions.values()).deserializer();
        OutcomeDecoder decode = new OutcomeDecoder(predictions, deadLetterReader);

        Path offsetsFile = results.resolveSibling(results.getFileName() + ".offsets");
        IdSet done = new IdSet();
        IdSet sentBefore = new IdSet();
        Map<TopicPartition, Long> outcomeEnds;
        try (var consumer = readCommitted();
                var written = new BackfillResults(results, resume)) {
            List<TopicPartition> outcomePartitions =
                    partitions(consumer, kafka.predictionsTopic, kafka.deadLettersTopic);
            List<TopicPartition> imagePartitions = partitions(consumer, kafka.imagesTopic);
            outcomeEnds = consumer.endOffsets(outcomePartitions);
            Map<TopicPartition, Long> imageEnds = consumer.endOffsets(imagePartitions);
            if (resume) {
                BackfillResults.forEachRow(
                        results, row -> inResults.add(row.path("id").asText()));
                long recovered = scan(consumer, outcomeEnds, Map.of(), r -> {
                    if (done.add(r.key()) && !inResults.contains(r.key())) {
                        // an outcome that came after the interrupted run stopped reading: it goes to the results now
                        written.write(decode.row(r, sourceOf(r.key())));
                        return true;
                    }
                    return false;
                });
                Map<TopicPartition, Long> sentFrom = readOffsets(offsetsFile);
                // ids sent before and still without an outcome are awaited from now on, before the walk reaches
                // them: their outcomes may come while the walk is elsewhere
                scan(
                        consumer,
                        imageEnds,
                        sentFrom,
                        r -> !done.contains(r.key()) && sentBefore.add(r.key()) && await(r.key(), null));
                System.err.printf(
                        "resume: %d id(s) of this backfill already have an outcome (%d of them added to the "
                                + "results now), %d sent before and still pending%s%n",
                        done.size(),
                        recovered,
                        sentBefore.size(),
                        sentFrom.isEmpty()
                                ? " (no " + offsetsFile + ": the images topic was read from its start)"
                                : "");
            } else {
                writeOffsets(offsetsFile, imageEnds);
            }
        }

        long total = noCount ? -1 : count();
        Counts counts = new Counts();
        try (var results = new BackfillResults(this.results, true);
                ProgressBar bar = progressBar(total);
                var producer = producer()) {
            Thread follower = follow(outcomeEnds, decode, results, bar);
            AtomicReference<Exception> sendFailure = new AtomicReference<>();
            Pacer pacer = new Pacer(maxRate);
            try (Stream<BackfillSource.Item> items = images.items()) {
                for (var it = items.iterator(); it.hasNext() && (limit == 0 || counts.sent < limit); ) {
                    if (sendFailure.get() != null) {
                        throw sendFailure.get();
                    }
                    BackfillSource.Item item = it.next();
                    counts.walked++;
                    String uri = item.uri().toString();
                    byte[] bytes = null;
                    String id;
                    try {
                        if (inline || ids.kind() == BackfillIds.Kind.CONTENT) {
                            bytes = read(item);
                        }
                        id = ids.kind() == BackfillIds.Kind.CONTENT ? ids.fromContent(bytes) : ids.fromUri(uri);
                    } catch (IOException | RejectedInputException | UncheckedIOException e) {
                        notSent(results, bar, ids.fromUri(uri), uri, "UNREADABLE", e.getMessage());
                        continue;
                    } catch (TooLarge e) {
                        notSent(results, bar, ids.fromUri(uri), uri, "TOO_LARGE", e.getMessage());
                        continue;
                    }
                    if (!BackfillIds.fits(id)) {
                        notSent(
                                results,
                                bar,
                                id.substring(0, 64) + "...",
                                uri,
                                "INVALID_ID",
                                "id longer than " + BackfillIds.MAX_ID_BYTES + " bytes");
                        continue;
                    }
                    if (done.contains(id)) {
                        counts.skipped++;
                        bar.step();
                        continue;
                    }
                    if (sentBefore.contains(id)) {
                        // awaited since the scan (its outcome may come any moment); only its source is new here
                        counts.pendingBefore++;
                        remember(id, uri);
                        continue;
                    }
                    if (!await(id, uri)) {
                        counts.repeated++; // the same id twice in the source (content ids: the same bytes)
                        bar.step();
                        continue;
                    }
                    pacer.pace();
                    ImageEvent event = event(id, item, bytes);
                    producer.send(
                            new ProducerRecord<>(kafka.imagesTopic, id, events.serialize(kafka.imagesTopic, event)),
                            (meta, e) -> {
                                if (e != null) {
                                    sendFailure.compareAndSet(null, e);
                                }
                            });
                    counts.sent++;
                    bar.setExtraMessage(" sent " + counts.sent);
                }
            }
            producer.flush();
            if (sendFailure.get() != null) {
                throw sendFailure.get();
            }
            long sentAt = System.nanoTime();
            lastOutcomeNanos = Math.max(lastOutcomeNanos, sentAt);
            while (pending() > 0
                    && System.nanoTime() - lastOutcomeNanos < timeout.toNanos()
                    && followFailure.get() == null) {
                Thread.sleep(100);
            }
            stopFollowing = true;
            follower.join(10_000);
            if (followFailure.get() != null) {
                throw new IllegalStateException("reading the outcomes failed", followFailure.get());
            }
        }
        return report(counts, started);
    }

    /** Images walked, skipped, sent; the rest is in the ledger. */
    private static final class Counts {
        long walked;
        long skipped;
        long repeated;
        long pendingBefore;
        long sent;
    }

    private int report(Counts c, long started) throws IOException {
        double seconds = (System.nanoTime() - started) / 1e9;
        long missing;
        synchronized (this) {
            missing = awaited.size() - settled.size();
            System.out.printf(
                    "backfill of %s: %d image(s) walked, %d skipped (outcome already there), %d repeated id(s), "
                            + "%d pending from before, %d sent, %d not sent; %d outcome(s) received "
                            + "(%d dead letter(s)), %d missing, %d duplicate outcome(s) seen%n",
                    images.describe(),
                    c.walked,
                    c.skipped,
                    c.repeated,
                    c.pendingBefore,
                    c.sent,
                    notSent,
                    settled.size(),
                    deadLetters,
                    missing,
                    duplicates);
            System.out.printf(
                    "elapsed %.1f s, %.1f outcomes/s, %.1f images sent/s%n",
                    seconds, settled.size() / seconds, c.sent / seconds);
        }
        BackfillResults.Summary summary = BackfillResults.Summary.of(results);
        System.out.println(summary.describe());
        System.out.printf("results in %s and %s%n", BackfillResults.csvOf(results), BackfillResults.jsonlOf(results));
        if (missing > 0) {
            return EXIT_TIMEOUT;
        }
        long failures = summary.byOutcome().getOrDefault(BackfillResults.Outcome.DEAD_LETTER.name(), 0L)
                + summary.byOutcome().getOrDefault(BackfillResults.Outcome.NOT_SENT.name(), 0L);
        return failures > 0 ? EXIT_DEAD_LETTERS : 0;
    }

    /** Adds an id to those awaited; false if it was already (the same id twice in the source). */
    private synchronized boolean await(String id, String uri) {
        if (!awaited.add(id)) {
            return false;
        }
        remember(id, uri);
        return true;
    }

    /** Content ids do not say where their image is: keep it for the results row (if the outcome is still to come). */
    private synchronized void remember(String id, String uri) {
        if (uri != null && ids.kind() == BackfillIds.Kind.CONTENT && !settled.contains(id)) {
            contentSources.put(id, uri);
        }
    }

    private synchronized long pending() {
        return awaited.size() - settled.size();
    }

    private synchronized void notSent(
            BackfillResults results, ProgressBar bar, String id, String uri, String reason, String message) {
        notSent++;
        if (!inResults.contains(id)) { // a resumed run does not write the same refusal again
            results.write(Row.notSent(id, uri, reason, message));
        }
        bar.step();
    }

    /** The source of an id's image, when the id says or this run sent it. */
    private synchronized String sourceOf(String id) {
        if (ids.kind() == BackfillIds.Kind.PATH) {
            return id.startsWith(ids.prefix()) ? id.substring(ids.prefix().length()) : "";
        }
        return contentSources.getOrDefault(id, "");
    }

    /** An outcome for an awaited id: true the first time (write it), false for a duplicate or another's id. */
    private synchronized boolean settle(String id, boolean deadLetter) {
        if (!awaited.contains(id)) {
            return false;
        }
        if (!settled.add(id)) {
            duplicates++;
            return false;
        }
        if (deadLetter) {
            deadLetters++;
        }
        return true;
    }

    /** Reads the outcome topics from where they ended at the start, writing the rows of awaited ids. */
    private Thread follow(
            Map<TopicPartition, Long> from, OutcomeDecoder decode, BackfillResults results, ProgressBar bar) {
        KafkaConsumer<String, byte[]> consumer = readCommitted();
        consumer.assign(from.keySet());
        from.forEach(consumer::seek);
        Thread t = new Thread(
                () -> {
                    try (consumer) {
                        while (!stopFollowing && followFailure.get() == null) {
                            var records = consumer.poll(Duration.ofMillis(200));
                            for (ConsumerRecord<String, byte[]> r : records) {
                                if (r.key() != null && settle(r.key(), r.topic().equals(kafka.deadLettersTopic))) {
                                    results.write(decode.row(r, sourceOf(r.key())));
                                    lastOutcomeNanos = System.nanoTime();
                                    bar.step();
                                }
                            }
                            if (!records.isEmpty()) {
                                results.flush();
                            }
                        }
                    } catch (RuntimeException e) {
                        followFailure.set(e);
                    }
                },
                "backfill-outcomes");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Decodes an outcome record into a results row. */
    private final class OutcomeDecoder {
        private final Deserializer<Prediction> predictions;
        private final Deserializer<DeadLetter> deadLetters;

        OutcomeDecoder(Deserializer<Prediction> predictions, Deserializer<DeadLetter> deadLetters) {
            this.predictions = predictions;
            this.deadLetters = deadLetters;
        }

        Row row(ConsumerRecord<String, byte[]> r, String source) {
            if (r.topic().equals(kafka.deadLettersTopic)) {
                return Row.of(r.key(), source, deadLetters.deserialize(r.topic(), r.value()));
            }
            return Row.of(r.key(), source, predictions.deserialize(r.topic(), r.value()));
        }
    }

    /**
     * Reads the given partitions from {@code from} (default: their start) up to {@code ends}, handing each record
     * of this backfill (by {@link #ours}) to {@code action}; returns how many it accepted.
     */
    private long scan(
            KafkaConsumer<String, byte[]> consumer,
            Map<TopicPartition, Long> ends,
            Map<TopicPartition, Long> from,
            java.util.function.Predicate<ConsumerRecord<String, byte[]>> action) {
        List<TopicPartition> left = new ArrayList<>(ends.keySet());
        consumer.assign(left);
        consumer.seekToBeginning(left);
        from.forEach((tp, offset) -> {
            if (ends.containsKey(tp)) {
                consumer.seek(tp, offset);
            }
        });
        long accepted = 0;
        while (left.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                if (r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))
                        && r.key() != null
                        && ours(r.key())
                        && action.test(r)) {
                    accepted++;
                }
            }
        }
        consumer.assign(List.of());
        return accepted;
    }

    /** Whether an id found on a topic belongs to this backfill (by its prefix, and for path ids its location). */
    private boolean ours(String id) {
        if (!id.startsWith(ids.prefix())) {
            return false;
        }
        String rest = id.substring(ids.prefix().length());
        if (ids.kind() == BackfillIds.Kind.CONTENT) {
            return rest.startsWith("sha256:");
        }
        if (images instanceof BackfillSource.Folder f) {
            return rest.startsWith(f.root().toUri().toString());
        }
        if (images instanceof BackfillSource.Glob g) {
            return rest.startsWith(g.base().toUri().toString());
        }
        return true; // a list of URIs: the prefix alone says
    }

    private long count() {
        try (Stream<BackfillSource.Item> items = images.items()) {
            return limit > 0 ? Math.min(limit, items.count()) : items.count();
        }
    }

    private byte[] read(BackfillSource.Item item) throws IOException, RejectedInputException, TooLarge {
        if (item.file().isPresent()) {
            Path f = item.file().get();
            long size = Files.size(f);
            if (size > maxImageBytes) {
                throw new TooLarge(size + " bytes, more than --max-image-bytes " + maxImageBytes);
            }
            return Files.readAllBytes(f);
        }
        URI uri = item.uri();
        String root = uri.getScheme() + "://" + uri.getRawAuthority() + "/";
        return new UriFetcher(
                        new UriPolicy(Set.of(uri.getScheme().toLowerCase(Locale.ROOT)), List.of(root)),
                        Math.max(1, maxImageBytes))
                .fetch(uri.toString());
    }

    private static final class TooLarge extends Exception {
        TooLarge(String message) {
            super(message);
        }
    }

    private ImageEvent event(String id, BackfillSource.Item item, byte[] bytes) {
        String ext = BackfillSource.extension(item.uri());
        ImageEvent.Builder b = ImageEvent.newBuilder()
                .setImageId(id)
                .setContentType("image/" + (ext.equals("jpg") ? "jpeg" : ext.isEmpty() ? "jpeg" : ext))
                .setSource("resnet-stream backfill")
                .setEventTime(Instant.now())
                .setAttributes(Map.of("backfill.source", item.uri().toString()));
        return inline
                ? b.setData(ByteBuffer.wrap(bytes)).build()
                : b.setUri(item.uri().toString()).build();
    }

    private KafkaConsumer<String, byte[]> readCommitted() {
        Properties p = kafka.clientProperties();
        p.put("isolation.level", "read_committed");
        p.put("enable.auto.commit", "false");
        p.put("max.partition.fetch.bytes", String.valueOf(32 * 1024 * 1024));
        return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private KafkaProducer<String, byte[]> producer() {
        Properties p = kafka.clientProperties();
        p.put("enable.idempotence", "true");
        p.put("acks", "all");
        p.put("linger.ms", "20");
        p.put("max.request.size", String.valueOf(Math.max(1024 * 1024, maxImageBytes + 1024 * 1024)));
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String... topics) {
        List<TopicPartition> out = new ArrayList<>();
        for (String topic : topics) {
            var info = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (info == null || info.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist");
            }
            info.forEach(p -> out.add(new TopicPartition(topic, p.partition())));
        }
        return out;
    }

    private ProgressBar progressBar(long total) {
        ProgressBarBuilder b = new ProgressBarBuilder()
                .setTaskName("backfill")
                .setInitialMax(total)
                .setUpdateIntervalMillis(1000)
                .setMaxRenderedLength(120)
                .showSpeed()
                .setUnit(" img", 1);
        if (noProgress) {
            b.setConsumer(new DelegatingProgressBarConsumer(rendered -> {}));
        }
        return b.build();
    }

    /** The images topic's end offsets when the first run started: where a resume looks for ids sent before. */
    private static void writeOffsets(Path file, Map<TopicPartition, Long> ends) throws IOException {
        StringBuilder s = new StringBuilder();
        ends.forEach((tp, o) -> s.append(tp.topic())
                .append(' ')
                .append(tp.partition())
                .append(' ')
                .append(o)
                .append('\n'));
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, s, StandardCharsets.UTF_8);
    }

    private static Map<TopicPartition, Long> readOffsets(Path file) throws IOException {
        Map<TopicPartition, Long> out = new HashMap<>();
        if (!Files.exists(file)) {
            return out;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String[] f = line.trim().split(" ");
            if (f.length == 3) {
                out.put(new TopicPartition(f[0], Integer.parseInt(f[1])), Long.parseLong(f[2]));
            }
        }
        return out;
    }

    /** Spaces sends so that at most {@code rate} go out per second (0: no limit). */
    static final class Pacer {
        private final long intervalNanos;
        private long next = System.nanoTime();

        Pacer(double rate) {
            this.intervalNanos = rate > 0 ? (long) (1e9 / rate) : 0;
        }

        void pace() throws InterruptedException {
            if (intervalNanos == 0) {
                return;
            }
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            // never bank more than a second of credit after a stall
            next = Math.max(next, System.nanoTime() - 1_000_000_000L) + intervalNanos;
        }
    }
}
