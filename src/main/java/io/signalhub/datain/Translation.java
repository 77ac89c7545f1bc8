package io.signalhub.datain;

import io.signalhub.vendors.onesignal.UserChange;

/**
 * A Segment message translated: the change for OneSignal, or why the message changes nothing there;
 * either way for the OneSignal app the message was for, so each app's counts add up.
 */
public record Translation(String app, UserChange change, String dropReason) {

    public static Translation of(UserChange change) {
        return new Translation(change.app(), change, null);
    }

    public static Translation dropped(String app, String reason) {
        return new Translation(app, null, reason);
    }
}
