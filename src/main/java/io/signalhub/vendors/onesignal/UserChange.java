package io.signalhub.vendors.onesignal;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What one Segment message asks of OneSignal for one user.
 *
 * @param app          the OneSignal app
 * @param externalId   the user's External ID (Segment's userId)
 * @param tags         data tags to set, in arrival order; a null value deletes the tag
 * @param nestedKeys   keys whose values were objects or arrays, which OneSignal does not take
 * @param customEvent  the custom event to create, or null
 * @param audienceKey  the Engage audience whose OneSignal segment must exist, or null
 * @param source       the Kafka record it came from, dead-lettered if OneSignal refuses the change; null
 *                     when there is none (cohort syncs, which try again on their next run)
 * @param device       the iOS device to register as the user's push subscription, or null
 */
public record UserChange(String app, String externalId, Map<String, String> tags, List<String> nestedKeys,
                         ObjectNode customEvent, String audienceKey, String source, IosDevice device) {

    public UserChange(String app, String externalId, Map<String, String> tags, List<String> nestedKeys,
                      ObjectNode customEvent, String audienceKey, String source) {
        this(app, externalId, tags, nestedKeys, customEvent, audienceKey, source, null);
    }
}
