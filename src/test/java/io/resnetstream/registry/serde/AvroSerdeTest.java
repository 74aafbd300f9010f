package io.resnetstream.registry.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;

import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.resnetstream.contracts.Prediction;
import io.resnetstream.registry.HttpSchemaRegistry;
import io.resnetstream.registry.RegistrySettings;
import io.resnetstream.registry.UnknownSchemaException;
import io.resnetstream.testing.FakeRegistryServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Exact bytes, subjects and failures of the serde against canned registry answers; the real registry is in the IT. */
class AvroSerdeTest {
    private static final int ID = 258;

    private FakeRegistryServer registry;
    private HttpSchemaRegistry client;

    @BeforeEach
    void start() throws IOException {
        registry = FakeRegistryServer.http();
        registry.answer("POST", "/subjects/predictions-value/versions", 200, "{\"id\":" + ID + "}")
                .answer("POST", "/subjects/predictions-key/versions", 200, "{\"id\":" + ID + "}")
                .answer("POST", "/subjects/predictions-value", 200, "{\"id\":" + ID + "}")
                .answer(
                        "GET",
                        "/schemas/ids/" + ID,
                        200,
                        new ObjectMapper()
                                .createObjectNode()
                                .put("schema", Prediction.getClassSchema().toString())
                                .toString());
        client = new HttpSchemaRegistry(RegistrySettings.builder(registry.url()).build());
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    @Test
    void writesTheHeaderThenThePlainAvroBinaryOfTheRecord() throws IOException {
        AvroSerde<Prediction> serde =
                new AvroSerde<>(client, Prediction.class, SerdeOptions.values().registeringSchemas());

        byte[] value = serde.serializer().serialize("predictions", Samples.prediction());

        assertThat(Arrays.copyOfRange(value, 0, 5)).containsExactly(0, 0, 0, 0x01, 0x02);
        assertThat(Arrays.copyOfRange(value, 5, value.length)).isEqualTo(avroBinary(Samples.prediction()));
    }

    @Test
    void registersOncePerSubjectUnderTheTopicNameStrategy() {
        AvroSerde<Prediction> values = new AvroSerde<>(
                client, Prediction.getClassSchema(), SerdeOptions.values().registeringSchemas());
        AvroSerde<Prediction> keys =
                new AvroSerde<>(client, Prediction.class, SerdeOptions.keys().registeringSchemas());

        values.serializer().serialize("predictions", Samples.prediction());
        values.serializer().serialize("predictions", Samples.prediction());
        keys.serializer().serialize("predictions", Samples.prediction());

        assertThat(registry.requests())
                .extracting(FakeRegistryServer.Request::path)
                .containsExactly("/subjects/predictions-value/versions", "/subjects/predictions-key/versions");
    }

    @Test
    void withoutAutoRegisterItOnlyLooksUp() {
        new AvroSerde<>(client, Prediction.class, SerdeOptions.values())
                .serializer()
                .serialize("predictions", Samples.prediction());

        assertThat(registry.requests())
                .extracting(FakeRegistryServer.Request::method, FakeRegistryServer.Request::path)
                .containsExactly(Tuple.tuple("POST", "/subjects/predictions-value"));
    }

    @Test
    void roundTripsAndFetchesTheWriterSchemaOnce() {
        AvroSerde<Prediction> writer =
                new AvroSerde<>(client, Prediction.class, SerdeOptions.values().registeringSchemas());
        byte[] value = writer.serializer().serialize("predictions", Samples.prediction());
        // a fresh client, as in another process: it must fetch the schema by id
        HttpSchemaRegistry reader =
                new HttpSchemaRegistry(RegistrySettings.builder(registry.url()).build());
        AvroDeserializer<Prediction> deserializer = new AvroDeserializer<>(reader, Prediction.class);

        assertThat(deserializer.deserialize("predictions", value)).isEqualTo(Samples.prediction());
        assertThat(deserializer.deserialize("predictions", value)).isEqualTo(Samples.prediction());
        assertThat(reader.requestsSent()).isEqualTo(1);
    }

    @Test
    void nullStaysNull() {
        AvroSerde<Prediction> serde =
                new AvroSerde<>(client, Prediction.class, SerdeOptions.values().registeringSchemas());

        assertThat(serde.serializer().serialize("predictions", null)).isNull();
        assertThat(serde.deserializer().deserialize("predictions", null)).isNull();
        assertThat(registry.requests()).isEmpty();
    }

    @Test
    void aPayloadThatIsNotTheRecordIsASerializationExceptionNamingIdAndTopic() {
        AvroDeserializer<Prediction> deserializer = new AvroDeserializer<>(client, Prediction.class);

        assertThatThrownBy(() -> deserializer.deserialize("predictions", WireFormat.encode(ID, new byte[] {0x02, 'x'})))
                .isExactlyInstanceOf(SerializationException.class)
                .hasMessageContaining("schema id " + ID)
                .hasMessageContaining("predictions");
    }

    @Test
    void bytesLeftOverAfterTheRecordAreRefused() {
        byte[] value = new AvroSerde<>(
                        client, Prediction.class, SerdeOptions.values().registeringSchemas())
                .serializer()
                .serialize("predictions", Samples.prediction());
        byte[] longer = Arrays.copyOf(value, value.length + 1);

        assertThatThrownBy(() -> new AvroDeserializer<>(client, Prediction.class).deserialize("predictions", longer))
                .isExactlyInstanceOf(SerializationException.class)
                .hasMessageContaining("left over");
    }

    @Test
    void anIdTheRegistryDoesNotKnowIsAnUnknownSchemaException() {
        AvroDeserializer<Prediction> deserializer = new AvroDeserializer<>(client, Prediction.class);

        assertThatThrownBy(() -> deserializer.deserialize("predictions", WireFormat.encode(77, new byte[] {1})))
                .isInstanceOfSatisfying(UnknownSchemaException.class, e -> assertThat(e.schemaId())
                        .isEqualTo(77));
    }

    @Test
    void aValueWithoutTheHeaderIsMalformed() {
        AvroDeserializer<Prediction> deserializer = new AvroDeserializer<>(client, Prediction.class);

        assertThatThrownBy(() -> deserializer.deserialize("predictions", avroBinary(Samples.prediction())))
                .isInstanceOf(MalformedWireFormatException.class);
        assertThat(registry.requests()).isEmpty();
    }

    private static byte[] avroBinary(Prediction prediction) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(Prediction.class).write(prediction, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}
