package io.signalhub.cohorts;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * A cohort's External IDs packed as UTF-8 into one byte array, with one end offset per ID. A
 * million IDs of a dozen characters take about 17 MB here, against about 60 MB as a million
 * Strings (each String has 40 bytes of headers besides its characters). In a 256 MB hub that
 * difference decides whether the diff runs or the collector does. Fill it with {@link #add},
 * then take {@link #sorted()} once for lookups.
 */
final class MemberIds {

    private byte[] bytes;
    /** {@code ends[i]}: where ID i ends in {@link #bytes}. It starts where ID i - 1 ends. */
    private int[] ends;
    private int size;

    MemberIds() {
        this(new byte[1 << 12], new int[1 << 8], 0);
    }

    private MemberIds(byte[] bytes, int[] ends, int size) {
        this.bytes = bytes;
        this.ends = ends;
        this.size = size;
    }

    /**
     * Adds an ID. One that is not well-formed Unicode (a lone surrogate) is refused: its UTF-8 form
     * would be another ID, and OneSignal could not be sent it either.
     */
    boolean add(String id) {
        if (!wellFormed(id)) {
            return false;
        }
        byte[] utf8 = id.getBytes(StandardCharsets.UTF_8);
        int start = start(size);
        if (start + utf8.length > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, start + utf8.length));
        }
        if (size == ends.length) {
            ends = Arrays.copyOf(ends, ends.length * 2);
        }
        System.arraycopy(utf8, 0, bytes, start, utf8.length);
        ends[size++] = start + utf8.length;
        return true;
    }

    int size() {
        return size;
    }

    String get(int index) {
        return new String(bytes, start(index), ends[index] - start(index), StandardCharsets.UTF_8);
    }

    /** The same IDs in byte order, each once, packed tight. */
    MemberIds sorted() {
        int[] order = IntStream.range(0, size).boxed()
                .sorted((a, b) -> Arrays.compareUnsigned(bytes, start(a), ends[a], bytes, start(b), ends[b]))
                .mapToInt(Integer::intValue).toArray();
        byte[] packed = new byte[start(size)];
        int[] packedEnds = new int[size];
        int count = 0;
        int length = 0;
        for (int id : order) {
            int from = start(id);
            int to = ends[id];
            int previous = count == 0 ? 0 : start(packedEnds, count - 1);
            if (count > 0 && Arrays.equals(bytes, from, to, packed, previous, length)) {
                continue;
            }
            System.arraycopy(bytes, from, packed, length, to - from);
            length += to - from;
            packedEnds[count++] = length;
        }
        return new MemberIds(packed, Arrays.copyOf(packedEnds, count), count);
    }

    /** Where the ID is in this sorted set, or a negative number when it is not here. */
    int indexOf(String id) {
        byte[] key = id.getBytes(StandardCharsets.UTF_8);
        int low = 0;
        int high = size - 1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            int order = Arrays.compareUnsigned(bytes, start(middle), ends[middle], key, 0, key.length);
            if (order < 0) {
                low = middle + 1;
            } else if (order > 0) {
                high = middle - 1;
            } else {
                return middle;
            }
        }
        return -1;
    }

    private int start(int index) {
        return start(ends, index);
    }

    private static int start(int[] ends, int index) {
        return index == 0 ? 0 : ends[index - 1];
    }

    private static boolean wellFormed(String id) {
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < id.length() && Character.isLowSurrogate(id.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
