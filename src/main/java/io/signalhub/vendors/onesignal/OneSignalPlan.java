package io.signalhub.vendors.onesignal;

import io.signalhub.datain.Translation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Everything one Kafka poll of Segment messages asks of OneSignal, coalesced: one tag update per
 * user (later values win, deletions kept), the custom events, and the segments that must exist (Engage
 * audiences, cohorts). Collects OneSignal's answers per user as the plan is delivered. Counts what it dropped and how many user updates coalescing saved.
 */
public final class OneSignalPlan {

    /** The coalesced tag update of one user; {@code sources} are the records it was made of. */
    public record UserUpdate(String app, String externalId, Map<String, String> tags, List<String> sources) {
    }

    /** The device to register as a user's push subscription, and the records that carried it. */
    public record DeviceRegistration(String app, String externalId, IosDevice device, List<String> sources) {
    }

    /** A custom event and the record it came from. */
    public record CustomEvent(String app, ObjectNode event, String source) {
    }

    public static final String NESTED_VALUE = "nested_value";
    public static final String INVALID_DEVICE_TOKEN = "invalid_device_token";

    private final Map<String, UserUpdate> users = new LinkedHashMap<>();
    private final Map<String, DeviceRegistration> devices = new LinkedHashMap<>();
    private final List<CustomEvent> customEvents = new ArrayList<>();
    private final Map<String, Map<String, String>> segments = new LinkedHashMap<>();
    private final Outcomes outcomes = new Outcomes();
    private final Map<String, AppCounts> counts = new TreeMap<>();
    private final List<String> nestedKeys = new ArrayList<>();

    /** What a poll's messages came to for one OneSignal app. */
    public static final class AppCounts {
        private int messages;
        private int coalesced;
        private final Map<String, Integer> dropped = new TreeMap<>();

        public int messages() {
            return messages;
        }

        /** User updates folded into an earlier update of the same user: PATCH requests saved. */
        public int coalesced() {
            return coalesced;
        }

        /** Messages, tags or devices dropped, by reason. */
        public Map<String, Integer> dropped() {
            return dropped;
        }
    }

    public void add(Translation translation) {
        AppCounts app = counts(translation.app());
        app.messages++;
        if (translation.change() == null) {
            app.dropped.merge(translation.dropReason(), 1, Integer::sum);
            return;
        }
        UserChange change = translation.change();
        if (!change.nestedKeys().isEmpty()) {
            app.dropped.merge(NESTED_VALUE, change.nestedKeys().size(), Integer::sum);
            nestedKeys.addAll(change.nestedKeys());
        }
        if (!change.tags().isEmpty()) {
            UserUpdate update = users.get(change.app() + '\n' + change.externalId());
            if (update == null) {
                update = new UserUpdate(change.app(), change.externalId(), new LinkedHashMap<>(change.tags()), new ArrayList<>());
                users.put(change.app() + '\n' + change.externalId(), update);
            } else {
                update.tags().putAll(change.tags());
                app.coalesced++;
            }
            if (change.source() != null) {
                update.sources().add(change.source());
            }
        }
        if (change.device() != null && !change.device().valid()) {
            app.dropped.merge(INVALID_DEVICE_TOKEN, 1, Integer::sum);
        } else if (change.device() != null) {
            // each device of a user is registered once a poll, however many of its messages carried it
            String key = change.app() + '\n' + change.externalId() + '\n' + change.device().token();
            DeviceRegistration registration = devices.computeIfAbsent(key,
                    k -> new DeviceRegistration(change.app(), change.externalId(), change.device(), new ArrayList<>()));
            if (change.source() != null) {
                registration.sources().add(change.source());
            }
        }
        if (change.customEvent() != null) {
            customEvents.add(new CustomEvent(change.app(), change.customEvent(), change.source()));
        }
        if (change.audienceKey() != null) {
            ensureSegment(change.app(), change.audienceKey(), change.audienceKey());
        }
    }

    private AppCounts counts(String app) {
        return counts.computeIfAbsent(app, a -> new AppCounts());
    }

    public List<UserUpdate> users() {
        return List.copyOf(users.values());
    }

    public List<DeviceRegistration> devices() {
        return List.copyOf(devices.values());
    }

    public List<CustomEvent> customEvents() {
        return List.copyOf(customEvents);
    }

    /** Asks for a OneSignal segment of this name whose members carry the tag set to "true". */
    public void ensureSegment(String app, String tagKey, String name) {
        segments.computeIfAbsent(app, a -> new LinkedHashMap<>()).putIfAbsent(tagKey, name);
    }

    /** The segments that must exist: per app, tag key to segment name. */
    public Map<String, Map<String, String>> segments() {
        return segments;
    }

    /** What OneSignal answered, filled in as the requests are delivered. */
    public Outcomes outcomes() {
        return outcomes;
    }

    /** Per-user results of delivering the plan, and any segment OneSignal refused. */
    public static final class Outcomes {
        private final Set<String> applied = ConcurrentHashMap.newKeySet();
        private final Set<String> unmatched = ConcurrentHashMap.newKeySet();
        private final Set<String> failed = ConcurrentHashMap.newKeySet();
        private final List<String> segmentErrors = new CopyOnWriteArrayList<>();

        public void applied(String externalId) {
            applied.add(externalId);
        }

        public void unmatched(String externalId) {
            unmatched.add(externalId);
        }

        public void failed(String externalId) {
            failed.add(externalId);
        }

        public void segmentRefused(String error) {
            segmentErrors.add(error);
        }

        public Set<String> applied() {
            return applied;
        }

        public Set<String> unmatched() {
            return unmatched;
        }

        public Set<String> failed() {
            return failed;
        }

        public List<String> segmentErrors() {
            return segmentErrors;
        }
    }

    /** Per OneSignal app: messages, coalesced updates and drops. */
    public Map<String, AppCounts> counts() {
        return counts;
    }

    /** Keys whose object or array values were dropped, for the log. */
    public List<String> nestedKeys() {
        return nestedKeys;
    }

}
