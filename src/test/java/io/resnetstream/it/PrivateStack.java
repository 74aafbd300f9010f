package io.resnetstream.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A broker and a registry of a test's own: {@code deploy/stack.sh} with its own state folder and free ports, so
 * that an outage test can stop and start them without disturbing the shared stack that other tests (and other
 * people) use at the same time. It borrows the shared stack's fetched jars ({@code RESNET_STACK_LIB_DIR}) when they
 * are there, and is stopped and wiped on close.
 */
final class PrivateStack implements AutoCloseable {
    private static final Path SCRIPT = Path.of("deploy", "stack.sh").toAbsolutePath();

    private final Path dir;
    private final Path log;
    private final Map<String, String> env;
    private final int kafkaPort;
    private final int registryPort;

    private PrivateStack(Path dir, Path log, Map<String, String> settings) throws IOException {
        this.dir = dir;
        this.log = log;
        this.kafkaPort = freePort();
        this.registryPort = freePort();
        // Every setting given, none inherited: a stray RESNET_STACK_DIR would point this at someone else's stack.
        this.env = new HashMap<>(Map.of(
                "RESNET_STACK_DIR", dir.toString(),
                "RESNET_KAFKA_PORT", String.valueOf(kafkaPort),
                "RESNET_KAFKA_CONTROLLER_PORT", String.valueOf(freePort()),
                "RESNET_REGISTRY_PORT", String.valueOf(registryPort),
                "RESNET_REGISTRY_MANAGEMENT_PORT", String.valueOf(freePort()),
                "RESNET_REGISTRY_STORAGE", "file",
                "RESNET_STACK_WIPE", "0"));
        env.putAll(settings);
        Path sharedLib = sharedLib();
        if (Files.isRegularFile(sharedLib.resolve("apicurio").resolve("quarkus-run.jar"))) {
            env.put("RESNET_STACK_LIB_DIR", sharedLib.toString());
        }
    }

    /** Starts a fresh stack (about 10 s with the jars already fetched). */
    static PrivateStack start(Path log) throws IOException, InterruptedException {
        return start(log, Map.of());
    }

    /**
     * A fresh stack with more of {@code deploy/stack.sh}'s settings: secured listeners ({@code
     * RESNET_KAFKA_EXTRA_LISTENERS}, {@code RESNET_REGISTRY_SCHEME}...; deploy/README.md).
     */
    static PrivateStack start(Path log, Map<String, String> settings) throws IOException, InterruptedException {
        PrivateStack stack = new PrivateStack(Files.createTempDirectory("resnet-stream-private-stack"), log, settings);
        stack.run("start");
        return stack;
    }

    /** The plain listener (loopback); a secured one is on the port the test gave it. */
    String bootstrap() {
        return "127.0.0.1:" + kafkaPort;
    }

    String registry() {
        return env.getOrDefault("RESNET_REGISTRY_SCHEME", "http") + "://127.0.0.1:" + registryPort + "/apis/ccompat/v7";
    }

    /** Stops the broker (SIGTERM, a controlled shutdown) and starts it again, waiting until it answers. */
    void restartKafka() throws IOException, InterruptedException {
        run("restart", "kafka");
    }

    void stopRegistry() throws IOException, InterruptedException {
        run("stop", "registry");
    }

    void startRegistry() throws IOException, InterruptedException {
        run("start", "registry");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            run("stop", "--wipe");
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(PrivateStack::delete);
            }
        }
    }

    private void run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(SCRIPT.toString()));
        cmd.addAll(List.of(args));
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("deploy/stack.sh " + String.join(" ", args) + " failed:\n"
                    + String.join("\n", Files.readAllLines(log)));
        }
    }

    /** The shared stack's jars: {@code $RESNET_STACK_DIR/lib} as the shared stack was started, by default {@code .stack/lib}. */
    private static Path sharedLib() {
        String shared = System.getenv("RESNET_STACK_DIR");
        return (shared != null ? Path.of(shared) : Path.of(".stack"))
                .toAbsolutePath()
                .resolve("lib");
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
