package io.signalhub.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OneSignal segments the hub knows exist, per app and name, kept in the store so a segment is
 * created once, across restarts (and across instances sharing a database).
 */
public final class KnownSegments {

    private final HubStore store;
    private final Set<String> cache = ConcurrentHashMap.newKeySet();

    public KnownSegments(HubStore store) {
        this.store = store;
    }

    public boolean contains(String appId, String segmentName) {
        String name = StoreKeys.fit(segmentName, StoreKeys.SEGMENT_NAME);
        if (cache.contains(appId + '\n' + name)) {
            return true;
        }
        try (Connection connection = store.connect();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT 1 FROM onesignal_segments WHERE app_id = ? AND name = ?")) {
            query.setString(1, appId);
            query.setString(2, name);
            try (ResultSet row = query.executeQuery()) {
                if (row.next()) {
                    cache.add(appId + '\n' + name);
                    return true;
                }
                return false;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the store could not be read: " + e.getMessage(), e);
        }
    }

    /** Records that the segment exists; {@code segmentId} may be null when OneSignal only said the name is taken. */
    public void remember(String appId, String segmentName, String segmentId) {
        String name = StoreKeys.fit(segmentName, StoreKeys.SEGMENT_NAME);
        if (contains(appId, name)) {
            return;
        }
        try (Connection connection = store.connect();
             PreparedStatement insert = connection.prepareStatement(
                     "INSERT INTO onesignal_segments (app_id, name, segment_id, created_at) VALUES (?, ?, ?, ?)")) {
            insert.setString(1, appId);
            insert.setString(2, name);
            insert.setString(3, segmentId);
            insert.setTimestamp(4, Timestamp.from(Instant.now()));
            insert.executeUpdate();
        } catch (SQLException e) {
            if (!contains(appId, name)) {
                throw new IllegalStateException("the store could not be written: " + e.getMessage(), e);
            }
        }
        cache.add(appId + '\n' + name);
    }
}
