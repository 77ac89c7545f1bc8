package io.signalhub.delivery;

import java.util.List;

import io.signalhub.eventstreams.OneSignalEvent;

/**
 * The events of one kind in a polled batch: what the destination routes' content-based router routes
 * on, so the routing decision is made once per kind and batch rather than once per event.
 */
public record EventGroup(String kind, List<OneSignalEvent> events) {
}
