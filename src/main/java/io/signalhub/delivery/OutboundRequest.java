package io.signalhub.delivery;

import java.util.List;

import io.signalhub.eventstreams.OneSignalEvent;

/**
 * One request for a vendor: the events it carries and each event's item (UTF-8 JSON, same order), so a
 * vendor can rebuild a request from part of the items when only some must go again. The body is made
 * of the items for each attempt ({@link Vendor#body}).
 */
public record OutboundRequest(List<OneSignalEvent> events, List<byte[]> items) {
}
