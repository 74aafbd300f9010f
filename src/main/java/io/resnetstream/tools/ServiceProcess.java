package io.resnetstream.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The packaged service ({@code target/quarkus-app/quarkus-run.jar}) as a child process, so that a test or the chaos
 * command can kill it with SIGKILL like a crashed pod, or stop it with SIGTERM like Kubernetes. Settings become
 * {@code -Dkey=value}. Output is appended to a log file: inheriting Surefire's streams corrupts its channel, and one
 * file across restarts keeps a run's story in order.
 */
public final class ServiceProcess implements AutoCloseable {
    /** Where {@code mvn package} puts the fast-jar. */
    public static final Path DEFAULT_APP = Path.of("target", "quarkus-app");

    private final Process process;
    private final Path log;
    private final long startNanos;

    private ServiceProcess(Process process, Path log, long startNanos) {
        this.process = process;
        this.log = log;
        this.startNanos = startNanos;
    }

    public static ServiceProcess start(Path app, Map<String, String> settings, Path log) throws IOException {
        return start(app, List.of("-Xmx1g"), settings, log);
    }

    /** @param jvmOptions such as the heap size, before the settings */
    public static ServiceProcess start(Path app, List<String> jvmOptions, Map<String, String> settings, Path log)
            throws IOException {
        Path jar = app.resolve("quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IOException(jar + " not found: build it with mvn -o -B -DskipTests package");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        new TreeMap<>(settings).forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-jar");
        cmd.add(jar.toString());
        Files.createDirectories(log.toAbsolutePath().getParent());
        Files.writeString(
                log,
                "=== " + Instant.now() + " starting " + String.join(" ", cmd) + "\n",
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("DJL_OFFLINE", "true");
        pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
        long start = System.nanoTime();
        return new ServiceProcess(pb.start(), log, start);
    }

    /** {@link System#nanoTime()} just before the process was started. */
    public long startNanos() {
        return startNanos;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** The exit code, or -1 while it runs. */
    public int exitCode() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    public Path log() {
        return log;
    }

    /**
     * SIGKILL: no shutdown hook, no clean close, no final commit. Returns once the process is gone, so a successor
     * never meets its state directory's locks still held.
     */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /**
     * SIGTERM, as Kubernetes stops a pod, and how long the process took to exit; SIGKILL after {@code grace}
     * (then the result is longer than {@code grace}).
     */
    public Duration terminate(Duration grace) throws InterruptedException {
        long start = System.nanoTime();
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            terminate(Duration.ofSeconds(60));
        }
    }
}
