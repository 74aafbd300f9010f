package io.resnetstream.imaging;

/** Unsigned integer reads from a byte array; callers check bounds first. */
final class Bytes {

    private Bytes() {}

    static int u8(byte[] d, int i) {
        return d[i] & 0xFF;
    }

    static int u16be(byte[] d, int i) {
        return (u8(d, i) << 8) | u8(d, i + 1);
    }

    static int u16le(byte[] d, int i) {
        return u8(d, i) | (u8(d, i + 1) << 8);
    }

    static int u24le(byte[] d, int i) {
        return u16le(d, i) | (u8(d, i + 2) << 16);
    }

    static long u32be(byte[] d, int i) {
        return ((long) u16be(d, i) << 16) | u16be(d, i + 2);
    }

    static long u32le(byte[] d, int i) {
        return u16le(d, i) | ((long) u16le(d, i + 2) << 16);
    }

    static int s32le(byte[] d, int i) {
        return (int) u32le(d, i);
    }
}
