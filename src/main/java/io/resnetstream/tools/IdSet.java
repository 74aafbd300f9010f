package io.resnetstream.tools;

/**
 * A set of ids kept as the 128 leading bits of their SHA-256 ({@link BackfillIds#hash128}), in two flat
 * {@code long} arrays with open addressing: 16 bytes a slot, at most half the slots used, so 32 to 64 bytes an id
 * (a million ids: 32–64 MiB), where a {@code HashSet<String>} of file URIs takes 150 bytes or more an id. Not
 * thread-safe.
 */
final class IdSet {
    private long[] high;
    private long[] low;
    private int size;

    IdSet() {
        this(1024);
    }

    IdSet(int initialSlots) {
        int slots = Integer.highestOneBit(Math.max(16, initialSlots) - 1) << 1;
        high = new long[slots];
        low = new long[slots];
    }

    boolean add(String id) {
        long[] h = BackfillIds.hash128(id);
        return add(h[0], h[1]);
    }

    boolean contains(String id) {
        long[] h = BackfillIds.hash128(id);
        return slot(h[0], nonZero(h[0], h[1])) >= 0;
    }

    int size() {
        return size;
    }

    boolean add(long hi, long lo) {
        lo = nonZero(hi, lo);
        if (slot(hi, lo) >= 0) {
            return false;
        }
        if ((size + 1) * 2L > high.length) {
            grow();
        }
        insert(hi, lo);
        size++;
        return true;
    }

    /** The slot holding the hash, or -1. */
    private int slot(long hi, long lo) {
        int mask = high.length - 1;
        for (int i = (int) (lo ^ (lo >>> 32)) & mask; ; i = (i + 1) & mask) {
            if (high[i] == 0 && low[i] == 0) {
                return -1;
            }
            if (high[i] == hi && low[i] == lo) {
                return i;
            }
        }
    }

    private void insert(long hi, long lo) {
        int mask = high.length - 1;
        int i = (int) (lo ^ (lo >>> 32)) & mask;
        while (high[i] != 0 || low[i] != 0) {
            i = (i + 1) & mask;
        }
        high[i] = hi;
        low[i] = lo;
    }

    private void grow() {
        long[] oldHigh = high;
        long[] oldLow = low;
        if (oldHigh.length >= 1 << 30) {
            throw new IllegalStateException("more than 2^29 ids in one backfill: split it");
        }
        high = new long[oldHigh.length * 2];
        low = new long[oldLow.length * 2];
        for (int i = 0; i < oldHigh.length; i++) {
            if (oldHigh[i] != 0 || oldLow[i] != 0) {
                insert(oldHigh[i], oldLow[i]);
            }
        }
    }

    /** (0, 0) marks an empty slot, so the one hash equal to it is stored as (0, 1). */
    private static long nonZero(long hi, long lo) {
        return hi == 0 && lo == 0 ? 1 : lo;
    }
}
