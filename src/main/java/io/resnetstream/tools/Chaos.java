package io.resnetstream.tools;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.resnetstream.contracts.DeadLetter;
import io.resnetstream.registry.HttpSchemaRegistry;
import io.resnetstream.registry.serde.AvroSerde;
import io.resnetstream.registry.serde.SerdeOptions;
import io.resnetstream.resnet.training.ShapesDataset;
import io.resnetstream.tools.ChaosReport.Event;
import io.resnetstream.tools.ChaosReport.Kind;

/**
 * A kill loop in the style of Kafka's own exactly-once system test. On fresh topics it produces N small raw JPEGs
 * keyed by unique ids, runs the packaged service as a child process with its own application id and state
 * directory, kills it with SIGKILL K times at seeded random moments and starts it again at once (and restarts the
 * broker once, if asked), waits until every id has its outcome, stops the service with SIGTERM and reports what a
 * {@code read_committed} reader saw ({@link ChaosReport}).
 * <p>
 * Like a supervisor, the runner also starts the service again when it exits by itself; the report lists that,
 * because the service is meant to survive everything here but SIGKILL.
 */
public final class Chaos {
    /** Side of the generated JPEGs: small, the run is about recovery, not throughput. */
    private static final int IMAGE_SIDE = 64;

    private static final int IMAGE_PARTITIONS = 3;
    /** SIGKILL after this long without an exit; the report then shows a SIGTERM-to-exit above it. */
    private static final Duration TERM_GRACE = Duration.ofSeconds(60);

    /** Where a kill's random gap is measured from. */
    public enum GapFrom {
        /** the (re)start of the service or the end of the broker restart: the system test's fixed rhythm */
        START,
        /** the first new outcome after it: progress between two kills is guaranteed */
        FIRST_OUTCOME
    }

    /**
     * What to do. {@code ratePerSecond}: how fast the images are sent, 0 for all at once; pacing spreads a small
     * run over the kills.
     */
    public record Plan(
            int images,
            int kills,
            Duration minGap,
            Duration maxGap,
            GapFrom gapFrom,
            boolean brokerRestart,
            long seed,
            double ratePerSecond) {}

    /**
     * Where: the stack, the packaged service and a work folder (state directory, logs). {@code serviceSettings}
     * go on top of the run's own; {@code brokerRestart} stops and starts the broker (e.g. {@code deploy/stack.sh
     * restart kafka}); a run gives up after {@code noProgress} without a new outcome while work remains.
     */
    public record Setup(
            ClientConfig client,
            Path app,
            Path model,
            Path workDir,
            Map<String, String> serviceSettings,
            Action brokerRestart,
            Duration noProgress) {

        /** Plain connections to the broker and the registry. */
        public Setup(
                String bootstrap,
                String registry,
                Path app,
                Path model,
                Path workDir,
                Map<String, String> serviceSettings,
                Action brokerRestart,
                Duration noProgress) {
            this(
                    ClientConfig.plain(bootstrap, registry),
                    app,
                    model,
                    workDir,
                    serviceSettings,
                    brokerRestart,
                    noProgress);
        }
    }

    /** Something that may fail, run between two waits. */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }

    private final Plan plan;
    private final Setup setup;
    private final String run = "chaos-" + UUID.randomUUID().toString().substring(0, 8);
    private final String images = run + "-images";
    private final String predictions = run + "-predictions";
    private final String deadLetters = run + "-dlq";
    private final Path log;
    private final Random random;
    private final List<Moment> moments = new ArrayList<>();
    private final AtomicInteger sendFailures = new AtomicInteger();
    private volatile boolean producerDone;
    private OutcomeLedger ledger;
    private ServiceProcess service;
    private long origin;

    public Chaos(Plan plan, Setup setup) {
        this.plan = plan;
        this.setup = setup;
        this.log = setup.workDir().resolve(run + "-service.log");
        this.random = new Random(plan.seed());
    }

    public String runId() {
        return run;
    }

    public Path log() {
        return log;
    }

    public ChaosReport execute() throws Exception {
        Files.createDirectories(setup.workDir());
        origin = System.nanoTime();
        createTopics();
        ledger = new OutcomeLedger(setup.client().kafkaProperties(), predictions, deadLetters, deadLetterReasons());
        Thread producer = new Thread(this::produce, "chaos-producer");
        try {
            ledger.start();
            producer.start();
            startService(Kind.START, "initial start");
            int kills = 0;
            for (boolean kill : schedule()) {
                if (!waitGap()) {
                    break; // the work is done (or stuck): the remaining kills would prove nothing
                }
                if (kill) {
                    service.kill();
                    kills++;
                    startService(Kind.KILL, "SIGKILL " + kills + ", started again at once");
                } else {
                    restartBroker();
                }
            }
            long end = awaitEverything();
            Duration sigterm = service.terminate(TERM_GRACE);
            boolean drained = ledger.drain(Duration.ofSeconds(60));
            return new ChaosReport(
                    run,
                    plan,
                    ledger.tally(end),
                    sendFailures.get(),
                    kills,
                    events(),
                    sigterm,
                    drained,
                    Duration.ofNanos(System.nanoTime() - origin),
                    log);
        } finally {
            producerDone = true;
            if (service != null && service.alive()) {
                service.kill();
            }
            producer.interrupt();
            ledger.close();
        }
    }

    /** The kills, and the broker restart at a random place among them: true for a kill. */
    private List<Boolean> schedule() {
        List<Boolean> events = new ArrayList<>();
        for (int i = 0; i < plan.kills(); i++) {
            events.add(true);
        }
        if (plan.brokerRestart()) {
            events.add(random.nextInt(plan.kills() + 1), false);
        }
        return events;
    }

    /** Waits a random gap (measured per {@link GapFrom}); false when the work ended (or stalled) meanwhile. */
    private boolean waitGap() throws Exception {
        long gap = plan.minGap().toNanos()
                + (long) (random.nextDouble()
                        * (plan.maxGap().toNanos() - plan.minGap().toNanos()));
        long from = lastMoment();
        if (plan.gapFrom() == GapFrom.FIRST_OUTCOME) {
            from = awaitFirstOutcome(from);
            if (from < 0) {
                return false;
            }
        }
        while (System.nanoTime() < from + gap) {
            if (allSettled()) {
                return false;
            }
            superviseFor(50);
        }
        return !allSettled();
    }

    /** The first new outcome at or after {@code since}, or -1 when the work ended or nothing came for too long. */
    private long awaitFirstOutcome(long since) throws Exception {
        while (true) {
            long first = ledger.firstOutcomeAtOrAfter(since);
            if (first >= 0) {
                return first;
            }
            if (allSettled() || stalled()) {
                return -1;
            }
            superviseFor(50);
        }
    }

    /** Waits until every produced id has an outcome, or no progress; returns when it stopped waiting. */
    private long awaitEverything() throws Exception {
        while (!allSettled() && !stalled()) {
            superviseFor(100);
        }
        return System.nanoTime();
    }

    private boolean allSettled() {
        return producerDone && ledger.settledCount() >= ledger.producedCount();
    }

    private boolean stalled() {
        long since = Math.max(lastMoment(), ledger.lastOutcome());
        return System.nanoTime() - since > setup.noProgress().toNanos();
    }

    /** Sleeps a little; a service that exited by itself is started again, as its supervisor would. */
    private void superviseFor(long millis) throws Exception {
        Thread.sleep(millis);
        if (!service.alive()) {
            startService(Kind.EXIT, "exited by itself (code " + service.exitCode() + "), started again");
        }
    }

    private void startService(Kind kind, String what) throws Exception {
        Map<String, String> settings = new HashMap<>(setup.client().serviceSettings());
        settings.putAll(Map.of(
                "resnet.application-id",
                run,
                "resnet.state-dir",
                setup.workDir().resolve(run + "-state").toString(),
                "resnet.model.dir",
                setup.model().toString(),
                "resnet.input-format",
                "raw",
                "resnet.topics.images",
                images,
                "resnet.topics.predictions",
                predictions,
                "resnet.topics.dead-letters",
                deadLetters,
                "quarkus.http.port",
                "0"));
        settings.put("quarkus.http.host", "127.0.0.1");
        settings.putAll(setup.serviceSettings());
        service = ServiceProcess.start(setup.app(), settings, log);
        moments.add(new Moment(kind, what, service.startNanos(), 0));
    }

    private void restartBroker() throws Exception {
        long down = System.nanoTime();
        setup.brokerRestart().run();
        long up = System.nanoTime();
        moments.add(new Moment(Kind.BROKER, "broker restart", up, up - down));
    }

    private long lastMoment() {
        return moments.get(moments.size() - 1).nanos();
    }

    /** Each moment with the first new outcome after it, if one came before the next moment. */
    private List<Event> events() {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < moments.size(); i++) {
            Moment m = moments.get(i);
            long first = ledger.firstOutcomeAtOrAfter(m.nanos());
            boolean beforeNext = first >= 0
                    && (i + 1 == moments.size() || first < moments.get(i + 1).nanos());
            events.add(new Event(
                    m.kind(),
                    m.what(),
                    Duration.ofNanos(m.nanos() - origin),
                    Duration.ofNanos(m.took()),
                    beforeNext ? Duration.ofNanos(first - m.nanos()) : null));
        }
        return events;
    }

    private void createTopics() throws Exception {
        try (Admin admin = Admin.create(clientProperties())) {
            // the broker's default replication factor, whatever the cluster
            admin.createTopics(List.of(
                            new NewTopic(images, Optional.of(IMAGE_PARTITIONS), Optional.empty()),
                            new NewTopic(predictions, Optional.of(2), Optional.empty()),
                            new NewTopic(deadLetters, Optional.of(1), Optional.empty())))
                    .all()
                    .get();
        }
    }

    /** Sends the images, paced if asked; the ledger learns each id once the broker has acknowledged it. */
    private void produce() {
        Properties props = clientProperties();
        props.put("enable.idempotence", "true");
        props.put("acks", "all");
        props.put("linger.ms", "5");
        ShapesDataset shapes = new ShapesDataset(plan.seed());
        int i = 0;
        try (var producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            long start = System.nanoTime();
            for (; i < plan.images() && !producerDone; i++) {
                if (plan.ratePerSecond() > 0) {
                    long due = start + (long) (i * 1e9 / plan.ratePerSecond());
                    Thread.sleep(Math.max(0, (due - System.nanoTime()) / 1_000_000));
                }
                SampleImages.Sample image = SampleImages.shape(shapes, run, i, IMAGE_SIDE);
                producer.send(new ProducerRecord<>(images, image.id(), image.bytes()), (metadata, e) -> {
                    if (e == null) {
                        ledger.produced(image.id(), System.nanoTime());
                    } else {
                        sendFailures.incrementAndGet();
                    }
                });
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            sendFailures.addAndGet(plan.images() - i); // the report's verdict fails: not everything was sent
            e.printStackTrace();
        } finally {
            producerDone = true;
        }
    }

    /** Decodes a dead letter's reason, for the report only: the verdict rests on keys. */
    private Function<byte[], String> deadLetterReasons() {
        var decoder = new AvroSerde<>(
                        new HttpSchemaRegistry(setup.client().registrySettings()),
                        DeadLetter.class,
                        SerdeOptions.values())
                .deserializer();
        return value -> {
            try {
                return decoder.deserialize(deadLetters, value).getReason();
            } catch (RuntimeException e) {
                return "(undecodable: " + e.getClass().getSimpleName() + ")";
            }
        };
    }

    private Properties clientProperties() {
        return setup.client().kafkaProperties();
    }

    /** A service start or a broker restart: when it ended (nanoTime) and how long the action took. */
    private record Moment(Kind kind, String what, long nanos, long took) {}
}
