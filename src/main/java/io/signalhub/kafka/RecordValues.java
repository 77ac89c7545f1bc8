package io.signalhub.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.apache.camel.Message;

/**
 * Kafka record values as a consumer route hands them over: a view into the fetched bytes where the route
 * reads them raw (Data Out, whose parser reads the UTF-8 itself), text where the route's deserializer made a string.
 */
public final class RecordValues {

    private RecordValues() {
    }

    /** The value as text, bytes read as UTF-8 (never the platform's charset, as Camel's converter would), or null. */
    public static String text(Message record) {
        Object value = record.getBody();
        if (value instanceof ByteBuffer bytes) {
            return StandardCharsets.UTF_8.decode(bytes.duplicate()).toString();
        }
        return value == null ? null : record.getBody(String.class);
    }
}
