package io.resnetstream.tools;

import java.util.List;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

import io.resnetstream.inference.Classifier;
import io.resnetstream.inference.ModelManifest;

import static org.assertj.core.api.Assertions.assertThat;

/** The benchmark's clock around the model and its sorting of threads into pipeline parts. */
class BenchInstrumentsTest {

    /** A model that takes 20 ms a call and leaves the CPU free. */
    private static final class Sleeper implements Classifier {
        @Override
        public ModelManifest manifest() {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<String> labels() {
            return List.of("a", "b");
        }

        @Override
        public float[][] classify(float[] nhwc, int views) {
            LockSupport.parkNanos(20_000_000);
            return new float[views][2];
        }

        @Override
        public void close() {}
    }

    @Test
    void theClockCountsBusyTimeAndCallsSinceItsReset() throws Exception {
        ModelClock clock = new ModelClock(new Sleeper());
        clock.classify(new float[0], 1);
        clock.reset();
        long before = System.nanoTime();
        clock.classify(new float[0], 1);
        Thread.sleep(30); // idle: not busy
        clock.classify(new float[0], 1);
        long after = System.nanoTime();

        ModelClock.Reading reading = clock.read();
        assertThat(reading.calls()).isEqualTo(2);
        assertThat(reading.busyNanos()).isBetween(40_000_000L, after - before - 30_000_000L);
        assertThat(reading.firstStartNanos()).isBetween(before, after);
        assertThat(reading.lastEndNanos()).isBetween(reading.firstStartNanos(), after);
    }

    @Test
    void threadsAreSortedByTheirPartOfThePipeline() {
        assertThat(CpuByThread.partOf("bench-1-3f2a-StreamThread-1")).startsWith("stream thread");
        assertThat(CpuByThread.partOf("kafka-producer-network-thread | bench-1-3f2a-StreamThread-1-producer"))
                .startsWith("producers' network threads");
        assertThat(CpuByThread.partOf("preprocess")).startsWith("preprocess threads");
        assertThat(CpuByThread.partOf("inference")).startsWith("inference threads");
        assertThat(CpuByThread.partOf("main")).startsWith("bench main thread");
        assertThat(CpuByThread.partOf("kafka-coordinator-heartbeat-thread | g")).isEqualTo("other Java threads");
    }
}
