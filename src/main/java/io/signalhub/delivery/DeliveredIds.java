package io.signalhub.delivery;

import java.util.Arrays;

/**
 * The event ids a destination delivered most recently on this instance, a bounded FIFO set: a batch
 * handed again after a failure further on, or an event OneSignal sent twice, is not sent again.
 * Every destination checks every event, so it holds 64-bit fingerprints in two primitive arrays (an
 * open-addressing table and the order they came in) rather than a map of strings: no allocation per
 * event and nothing for the collector to trace. Two ids share a fingerprint with a chance of about
 * size / 2^64 per new event; the vendors' own dedup ids are the guarantee, this only saves the resend.
 */
public final class DeliveredIds {

    private static final long EMPTY = 0;

    private final long[] table;
    private final int mask;
    private final long[] order;
    private int oldest;
    private int size;

    public DeliveredIds(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("the delivered-id set needs room for at least one id");
        }
        order = new long[capacity];
        table = new long[Integer.highestOneBit(capacity * 2 - 1) << 1];
        mask = table.length - 1;
    }

    public synchronized boolean contains(String id) {
        return slotOf(fingerprint(id)) >= 0;
    }

    /** Remembers the id, forgetting the oldest when full; false when it was already there. */
    public synchronized boolean add(String id) {
        long fingerprint = fingerprint(id);
        if (slotOf(fingerprint) >= 0) {
            return false;
        }
        if (size == order.length) {
            remove(order[oldest]);
            oldest = (oldest + 1) % order.length;
            size--;
        }
        int slot = home(fingerprint);
        while (table[slot] != EMPTY) {
            slot = (slot + 1) & mask;
        }
        table[slot] = fingerprint;
        order[(oldest + size) % order.length] = fingerprint;
        size++;
        return true;
    }

    public synchronized int size() {
        return size;
    }

    public synchronized void clear() {
        Arrays.fill(table, EMPTY);
        oldest = 0;
        size = 0;
    }

    private int slotOf(long fingerprint) {
        int slot = home(fingerprint);
        while (table[slot] != EMPTY) {
            if (table[slot] == fingerprint) {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    /** Removes by shifting the entries after it back (linear probing keeps no tombstones). */
    private void remove(long fingerprint) {
        int hole = slotOf(fingerprint);
        if (hole < 0) {
            return;
        }
        table[hole] = EMPTY;
        for (int next = (hole + 1) & mask; table[next] != EMPTY; next = (next + 1) & mask) {
            int home = home(table[next]);
            boolean staysPut = hole <= next ? hole < home && home <= next : hole < home || home <= next;
            if (!staysPut) {
                table[hole] = table[next];
                table[next] = EMPTY;
                hole = next;
            }
        }
    }

    private int home(long fingerprint) {
        return (int) (fingerprint ^ (fingerprint >>> 32)) & mask;
    }

    /** FNV-1a over the UTF-16 code units, then the SplitMix64 finaliser for well-spread bits; never EMPTY. */
    static long fingerprint(String id) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < id.length(); i++) {
            h = (h ^ id.charAt(i)) * 0x100000001b3L;
        }
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        h ^= h >>> 31;
        return h == EMPTY ? 1 : h;
    }
}
