package io.resnetstream.inference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.resnetstream.imaging.CropScheme;
import io.resnetstream.imaging.ImageDecoder;
import io.resnetstream.imaging.ImageLimits;
import io.resnetstream.imaging.Normalization;
import io.resnetstream.imaging.Preprocessor;
import io.resnetstream.testing.ColourClassifier;
import io.resnetstream.testing.TestImages;

import static org.assertj.core.api.Assertions.assertThat;

/** The model slot's switch at a batch boundary, and the watcher that decides when to switch. */
class ModelWatcherTest {
    @TempDir
    Path root;

    private final List<String> switches = new ArrayList<>();
    private final List<Path> failures = new ArrayList<>();
    private final List<ColourClassifier> loaded = new ArrayList<>();
    private ModelSlot slot;
    private ModelWatcher watcher;

    private final ModelWatcher.Listener listener = new ModelWatcher.Listener() {
        @Override
        public void switched(BatchClassifier.ModelIdentity from, BatchClassifier.ModelIdentity to) {
            switches.add(from.manifest().version() + "->" + to.manifest().version());
        }

        @Override
        public void loadFailed(Path dir, Exception why) {
            failures.add(dir);
        }
    };

    @AfterEach
    void close() {
        if (watcher != null) {
            watcher.close();
        }
        if (slot != null) {
            slot.close();
        }
    }

    /** Loads a stand-in whose version is the first line of the folder's {@code version} file; "broken" fails. */
    private BatchClassifier load(Path dir) throws IOException {
        String version = Files.readString(dir.resolve("version")).strip();
        if (version.equals("broken")) {
            throw new IOException("no graph in " + dir);
        }
        ColourClassifier model = new ColourClassifier(version);
        loaded.add(model);
        return batchClassifier(model);
    }

    private static BatchClassifier batchClassifier(Classifier model) {
        return new BatchClassifier(
                model,
                new ImageDecoder(new ImageLimits(1_000_000, 1_000_000, 100, 16, 1_000_000)),
                new Preprocessor(16, 8, CropScheme.TEN_CROP, Normalization.NONE),
                3,
                1);
    }

    private Path version(String name, String version) throws IOException {
        Path dir = Files.createDirectories(root.resolve(name));
        Files.writeString(dir.resolve("version"), version);
        Files.writeString(dir.resolve(ModelManifest.FILE_NAME), "{\"version\": \"" + version + "\"}");
        Files.write(dir.resolve("saved_model.pb"), version.getBytes());
        return dir;
    }

    private static void point(Path link, Path target) throws IOException {
        Path next = link.resolveSibling(link.getFileName() + ".next");
        Files.deleteIfExists(next);
        Files.createSymbolicLink(next, target);
        Files.move(
                next,
                link,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private void watch(Path link) throws IOException {
        slot = new ModelSlot(load(link));
        watcher = new ModelWatcher(link, slot, this::load, listener);
    }

    @Test
    void aRePointedLinkIsLoadedOnceItHoldsStillAndTakesOver() throws IOException {
        Path link = root.resolve("current");
        point(link, version("v1", "1"));
        watch(link);
        assertThat(watcher.check()).as("nothing new").isFalse();

        point(link, version("v2", "2"));
        assertThat(watcher.check()).as("first sight: it may still be changing").isFalse();
        assertThat(watcher.check()).isTrue();
        assertThat(slot.current().identity().manifest().version()).isEqualTo("2");
        assertThat(loaded.get(0).closed).as("the replaced model is closed").isTrue();
        assertThat(watcher.check()).as("served already").isFalse();
        assertThat(switches).containsExactly("1->2");
    }

    @Test
    void aModelThatFailsToLoadLeavesTheRunningOneServingAndIsNotRetriedUntilItChanges() throws IOException {
        Path link = root.resolve("current");
        point(link, version("v1", "1"));
        watch(link);
        point(link, version("v2", "broken"));
        watcher.check();
        assertThat(watcher.check()).isFalse();
        assertThat(watcher.check()).isFalse();
        assertThat(failures).hasSize(1);
        assertThat(slot.current().identity().manifest().version()).isEqualTo("1");
        assertThat(loaded.get(0).closed).isFalse();

        Files.writeString(root.resolve("v2").resolve("version"), "2"); // fixed in place
        Files.writeString(root.resolve("v2").resolve(ModelManifest.FILE_NAME), "{\"version\": \"2\"}");
        watcher.check();
        assertThat(watcher.check()).isTrue();
        assertThat(slot.current().identity().manifest().version()).isEqualTo("2");
    }

    @Test
    void aBatchRunningAtTheSwitchFinishesOnItsModelWhichIsClosedAfterIt() throws Exception {
        CountDownLatch inForward = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ColourClassifier old = new ColourClassifier("1") {
            @Override
            public float[][] classify(float[] nhwc, int views) {
                inForward.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.classify(nhwc, views);
            }
        };
        slot = new ModelSlot(batchClassifier(old));
        byte[] image = TestImages.png(TestImages.solid(java.awt.Color.RED, 20, 30));
        AtomicReference<List<BatchClassifier.Result>> running = new AtomicReference<>();
        Thread batch = new Thread(() -> running.set(slot.classify(List.of(image))));
        batch.start();
        assertThat(inForward.await(10, TimeUnit.SECONDS)).isTrue();

        ColourClassifier next = new ColourClassifier("2");
        slot.replace(batchClassifier(next));
        assertThat(old.closed).as("still running a batch").isFalse();
        assertThat(slot.classify(List.of(image)).get(0).model().manifest().version())
                .isEqualTo("2");

        release.countDown();
        batch.join(10_000);
        assertThat(running.get().get(0).model().manifest().version()).isEqualTo("1");
        assertThat(old.closed).as("closed after its last batch").isTrue();
        assertThat(next.closed).isFalse();
    }
}
