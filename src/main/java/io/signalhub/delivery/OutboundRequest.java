package io.signalhub.delivery;

import java.util.List;

import io.signalhub.eventstreams.OneSignalEvent;

/**
 * One request for a vendor: the events it carries, each event's serialized item (same order) and the
 * whole body, so a vendor can rebuild a request from part of the items when only some must go again.
 */
public record OutboundRequest(List<OneSignalEvent> events, List<String> items, String body) {
}
