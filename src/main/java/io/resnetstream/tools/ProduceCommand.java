package io.resnetstream.tools;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import io.resnetstream.contracts.ImageEvent;
import io.resnetstream.registry.serde.AvroSerde;
import io.resnetstream.registry.serde.SerdeOptions;
import io.resnetstream.resnet.training.ShapesDataset;

/** Sends images to the images topic, as ImageEvents (Avro, registry) or raw bytes keyed by id. */
@Command(
        name = "produce",
        mixinStandardHelpOptions = true,
        description = "Send images to the images topic: generated sample shapes, or the files of a folder.")
public final class ProduceCommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka;

    @Option(
            names = "--format",
            defaultValue = "avro",
            description = "avro (ImageEvent) or raw (default: ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--dir", description = "Send every .jpg/.jpeg/.png file of this folder")
    Path dir;

    @Option(
            names = "--count",
            defaultValue = "24",
            description = "Generated sample images to send (default: ${DEFAULT-VALUE})")
    int count;

    @Option(
            names = "--seed",
            defaultValue = "7",
            description = "Seed of the generated samples (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(
            names = "--size",
            defaultValue = "96",
            description = "Generated samples' side in pixels (default: ${DEFAULT-VALUE})")
    int size;

    @Option(
            names = "--id-prefix",
            defaultValue = "sample",
            description = "Prefix of the generated ids (default: ${DEFAULT-VALUE})")
    String idPrefix;

    @Option(names = "--corrupt", defaultValue = "0", description = "Also send this many undecodable images")
    int corrupt;

    @Option(
            names = "--to-dir",
            description = "Write the generated images as files into this folder (<id>.jpg, a sub-folder per 1000) "
                    + "instead of sending them: input for backfill")
    Path toDir;

    @Override
    public Integer call() throws IOException {
        if (toDir != null) {
            return writeFiles();
        }
        List<SampleImages.Sample> samples =
                dir != null ? fromDir(dir) : SampleImages.shapes(idPrefix, count, size, seed);
        List<SampleImages.Sample> all = new ArrayList<>(samples);
        for (int i = 0; i < corrupt; i++) {
            all.add(new SampleImages.Sample(idPrefix + "-corrupt-" + i, "corrupt", SampleImages.corruptJpeg(i)));
        }
        boolean avro = format.equalsIgnoreCase("avro");
        var events = new AvroSerde<>(
                        kafka.registryClient(),
                        ImageEvent.class,
                        SerdeOptions.values().registeringSchemas())
                .serializer();
        var props = kafka.clientProperties();
        props.put("enable.idempotence", "true");
        props.put("max.request.size", String.valueOf(32 * 1024 * 1024));
        try (var producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            for (SampleImages.Sample s : all) {
                byte[] value = avro ? events.serialize(kafka.imagesTopic, event(s)) : s.bytes();
                producer.send(new ProducerRecord<>(kafka.imagesTopic, s.id(), value));
            }
            producer.flush();
        }
        System.out.printf(
                "sent %d image(s) to %s as %s%n", all.size(), kafka.imagesTopic, avro ? "ImageEvent" : "raw bytes");
        return 0;
    }

    /** One image at a time, so that any count fits in memory. */
    private int writeFiles() throws IOException {
        ShapesDataset shapes = new ShapesDataset(seed);
        for (int i = 0; i < count; i++) {
            SampleImages.Sample s = SampleImages.shape(shapes, idPrefix, i, size);
            Path folder = toDir.resolve(String.format("%04d", i / 1000));
            Files.createDirectories(folder);
            Files.write(folder.resolve(s.id() + ".jpg"), s.bytes());
        }
        for (int i = 0; i < corrupt; i++) {
            Files.createDirectories(toDir);
            Files.write(toDir.resolve(idPrefix + "-corrupt-" + i + ".jpg"), SampleImages.corruptJpeg(i));
        }
        System.out.printf("wrote %d image(s) to %s%n", count + corrupt, toDir);
        return 0;
    }

    static ImageEvent event(SampleImages.Sample s) {
        return ImageEvent.newBuilder()
                .setImageId(s.id())
                .setData(ByteBuffer.wrap(s.bytes()))
                .setContentType(s.id().endsWith(".png") ? "image/png" : "image/jpeg")
                .setSource("resnet-stream produce")
                .setEventTime(Instant.now())
                .setAttributes(Map.of("truth", s.truth()))
                .build();
    }

    private static List<SampleImages.Sample> fromDir(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<SampleImages.Sample> out = new ArrayList<>();
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.matches("(?i).*\\.(jpe?g|png)$")) {
                    out.add(new SampleImages.Sample(name, "", Files.readAllBytes(f)));
                }
            }
            return out;
        }
    }
}
