package io.resnetstream.registry.serde;

import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WireFormatTest {

    @Test
    void encodesMagicByteThenBigEndianIdThenPayload() {
        byte[] framed = WireFormat.encode(0x01020304, new byte[] {(byte) 0xaa, (byte) 0xbb});

        assertThat(framed).containsExactly(0x00, 0x01, 0x02, 0x03, 0x04, 0xaa, 0xbb);
    }

    @Test
    void smallAndLargeIdsUseAllFourBytes() {
        assertThat(WireFormat.encode(1, new byte[0])).containsExactly(0, 0, 0, 0, 1);
        assertThat(WireFormat.encode(300, new byte[0])).containsExactly(0, 0, 0, 0x01, 0x2c);
        assertThat(WireFormat.encode(Integer.MAX_VALUE, new byte[0])).containsExactly(0, 0x7f, 0xff, 0xff, 0xff);
    }

    @Test
    void parseReadsTheIdAndLocatesThePayload() {
        WireFormat.Frame frame = WireFormat.parse(new byte[] {0, 0, 0, 0x01, 0x2c, 7, 8, 9});

        assertThat(frame.schemaId()).isEqualTo(300);
        assertThat(frame.payloadOffset()).isEqualTo(5);
        assertThat(frame.payloadLength()).isEqualTo(3);
        assertThat(frame.payload()).containsExactly(7, 8, 9);
    }

    @Test
    void aHeaderWithAnEmptyPayloadIsValid() {
        WireFormat.Frame frame = WireFormat.parse(new byte[] {0, 0, 0, 0, 42});

        assertThat(frame.schemaId()).isEqualTo(42);
        assertThat(frame.payload()).isEmpty();
    }

    @Test
    void aValueShorterThanTheHeaderIsMalformed() {
        assertThatThrownBy(() -> WireFormat.parse(new byte[] {0, 0, 0, 1}))
                .isInstanceOf(MalformedWireFormatException.class)
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("4 bytes");
        assertThatThrownBy(() -> WireFormat.parse(new byte[0])).isInstanceOf(MalformedWireFormatException.class);
        assertThatThrownBy(() -> WireFormat.parse(null)).isInstanceOf(MalformedWireFormatException.class);
    }

    @Test
    void aWrongMagicByteIsMalformedAndNamed() {
        byte[] json = "{\"imageId\":\"x\"}".getBytes();

        assertThatThrownBy(() -> WireFormat.parse(json))
                .isInstanceOf(MalformedWireFormatException.class)
                .hasMessageContaining("0x7b");
    }
}
