package io.signalhub.kafka;

import java.nio.charset.StandardCharsets;

import org.apache.camel.Exchange;

/** Kafka record headers as Camel hands them over: bytes from the broker, text when set in-process. */
public final class RecordHeaders {

    private RecordHeaders() {
    }

    /** The header as UTF-8 text, or null when the record has none. */
    public static String text(Exchange record, String name) {
        Object value = record.getMessage().getHeader(name);
        if (value instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        return value == null ? null : value.toString();
    }
}
