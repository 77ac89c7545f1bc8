package io.signalhub.delivery;

import java.util.Map;

/**
 * A record a destination will not take, and why: what goes to the dead-letter topic.
 *
 * @param key      the Kafka key the record had (the user)
 * @param record   the record as it can be replayed onto the events topic
 * @param status   the vendor's HTTP status, or 0 when the hub itself refused the record
 * @param response the vendor's answer, abbreviated; never a credential
 * @param headers  Kafka headers the record had that a replay must restore
 */
public record Rejection(String key, String record, String reason, int status, String response, Map<String, String> headers) {

    public Rejection(String key, String record, String reason, int status, String response) {
        this(key, record, reason, status, response, Map.of());
    }
}
