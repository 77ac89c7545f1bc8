package io.signalhub.datain;

import io.signalhub.vendors.onesignal.UserChange;

/** A Segment message translated: the change for OneSignal, or why the message changes nothing there. */
public record Translation(UserChange change, String dropReason) {

    public static Translation of(UserChange change) {
        return new Translation(change, null);
    }

    public static Translation dropped(String reason) {
        return new Translation(null, reason);
    }
}
