package io.signalhub.vendors.onesignal;

import java.util.List;

/**
 * One call to OneSignal's REST API.
 *
 * @param kind       what it does: {@link #SEGMENT}, {@link #DEVICE}, {@link #USER}, {@link #EVENTS} or {@link #NOTIFICATION}
 * @param app        the app it is for
 * @param method     the HTTP method
 * @param path       the path below the base URL
 * @param body       the JSON body
 * @param subject    the External ID (user updates), the segment name, the trigger's name (notifications), or null
 * @param items      tags or events it carries
 * @param sources    the Kafka records it was made of, dead-lettered if OneSignal refuses it
 */
public record OneSignalRequest(String kind, OneSignalApps.App app, String method, String path, String body,
                               String subject, int items, List<String> sources) {

    /** Whether OneSignal allows one such request a second per user (user and subscription updates). */
    public boolean perUser() {
        return kind.equals(USER) || kind.equals(DEVICE);
    }

    public static final String SEGMENT = "segment";
    public static final String USER = "user";
    public static final String DEVICE = "device";
    public static final String NOTIFICATION = "notification";
    public static final String EVENTS = "events";
}
