package io.resnetstream.tools;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * For the benchmark: where this process's CPU went between {@link #start} and {@link #print}, by the part of the
 * pipeline its threads belong to. Java threads are measured one by one; what is left of the process's CPU ran on
 * threads Java does not list: TensorFlow's own, the JIT compilers' and the garbage collector's (the last two are
 * given from their beans, as wall time, so the rest is mostly TensorFlow).
 */
final class CpuByThread {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final Map<Long, Long> threadStart = new HashMap<>();
    private final long processStart;
    private final long wallStart;
    private final long jitStart;
    private final long gcStart;

    private CpuByThread() {
        for (Map.Entry<Long, Long> e : cpuByThreadId().entrySet()) {
            threadStart.put(e.getKey(), e.getValue());
        }
        processStart = processCpuNanos();
        wallStart = System.nanoTime();
        jitStart = jitMillis();
        gcStart = gcMillis();
    }

    static CpuByThread start() {
        return new CpuByThread();
    }

    /** The pipeline part a thread works for, from its name (Kafka's clients and ours name their threads). */
    static String partOf(String thread) {
        if (thread.contains("StreamThread-") && !thread.contains("producer")) {
            return "stream thread (poll, intake, buffer store, serdes, commits)";
        }
        if (thread.startsWith("kafka-producer-network-thread")) {
            return "producers' network threads (service and bench)";
        }
        if (thread.equals("preprocess")) {
            return "preprocess threads (decode, resize)";
        }
        if (thread.equals("inference")) {
            return "inference threads (batch calls into the model)";
        }
        if (thread.equals("main")) {
            return "bench main thread (serialise + produce, read outcomes)";
        }
        return "other Java threads";
    }

    /** Prints the split in CPU-seconds and cores, per image of {@code images}. */
    void print(int images) {
        double wall = (System.nanoTime() - wallStart) / 1e9;
        Map<String, Long> byPart = new LinkedHashMap<>();
        long javaThreads = 0;
        Map<Long, Long> now = cpuByThreadId();
        ThreadInfo[] infos = THREADS.getThreadInfo(
                now.keySet().stream().mapToLong(Long::longValue).toArray());
        for (ThreadInfo info : infos) {
            if (info == null) {
                continue; // ended meanwhile
            }
            long used = now.get(info.getThreadId()) - threadStart.getOrDefault(info.getThreadId(), 0L);
            javaThreads += used;
            byPart.merge(partOf(info.getThreadName()), used, Long::sum);
        }
        long process = processCpuNanos() - processStart;
        long jit = (jitMillis() - jitStart) * 1_000_000;
        long gc = (gcMillis() - gcStart) * 1_000_000;
        byPart.put("JIT compilers (compile time)", jit);
        byPart.put("garbage collector (collection time)", gc);
        byPart.put("the rest: TensorFlow's own threads", Math.max(0, process - javaThreads - jit - gc));
        System.out.printf(
                "CPU of this process while it ran: %.1f s in %.1f s of wall time (%.2f of %d cores)%n",
                process / 1e9, wall, process / 1e9 / wall, Runtime.getRuntime().availableProcessors());
        byPart.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> System.out.printf(
                        "  %-58s %6.2f s  %5.1f%%  %6.3f ms/image%n",
                        e.getKey(),
                        e.getValue() / 1e9,
                        100.0 * e.getValue() / Math.max(1, process),
                        e.getValue() / 1e6 / images));
    }

    private static Map<Long, Long> cpuByThreadId() {
        Map<Long, Long> out = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            long cpu = THREADS.getThreadCpuTime(id);
            if (cpu >= 0) {
                out.put(id, cpu);
            }
        }
        return out;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long jitMillis() {
        var jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    private static long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }
}
