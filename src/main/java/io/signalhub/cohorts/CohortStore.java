package io.signalhub.cohorts;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.signalhub.Json;
import io.signalhub.store.HubStore;
import io.signalhub.store.StoreKeys;

/**
 * Cohort memberships as synced to OneSignal, kept so each run sends only the difference and a crash
 * mid-run leaves the next run correct: the changes a run intends are written (state {@code +} to tag,
 * {@code -} to untag) before any is sent, and settled ({@code A} applied, {@code U} unknown to
 * OneSignal, row gone when untagged) only once OneSignal answered. A later run picks up whatever is
 * still pending, and undoes pending tags of users who have left meanwhile.
 */
public final class CohortStore {

    /** What a run found changed: members to tag and to untag, and the members the cohort now has. */
    public record Diff(int adds, int removes, int members) {
    }

    /** A page of the changes waiting to be sent, in key order; {@code last} is where the next page starts. */
    public record Pending(Set<String> adds, Set<String> removes, String last) {
        public int size() {
            return adds.size() + removes.size();
        }
    }

    /** How many changes are written to the store per JDBC batch. */
    private static final int WRITE_BATCH = 10_000;

    private final HubStore store;

    public CohortStore(HubStore store) {
        this.store = store;
    }

    /**
     * Records the cohort's current members and what must change in OneSignal. Memory stays near the
     * members themselves (packed and sorted), whatever the size of the cohort: the stored rows are read
     * as a stream and looked up in them, and the changes are written in batches.
     *
     * @param retryUnmatched also tag again members OneSignal did not know last time (one-time exports)
     */
    synchronized Diff replace(Cohort cohort, String appId, MemberIds current, boolean retryUnmatched) {
        MemberIds members = current.sorted();
        return inTransaction(connection -> {
            BitSet stored = new BitSet(members.size());
            Changes changes = new Changes();
            // the states as they will be once the changes are written: counted here, not by a second scan
            Tally after = new Tally();
            try (PreparedStatement query = connection.prepareStatement(
                    "SELECT external_id, state FROM cohort_members WHERE source = ? AND cohort_id = ? AND app_id = ?")) {
                cohortKey(query, 1, cohort, appId);
                query.setFetchSize(10_000);
                try (ResultSet row = query.executeQuery()) {
                    while (row.next()) {
                        String member = row.getString(1);
                        char state = row.getString(2).charAt(0);
                        int at = members.indexOf(member);
                        if (at >= 0) {
                            stored.set(at);
                            if (state == '-' || (state == 'U' && retryUnmatched)) {
                                changes.put(member, '+');
                                state = '+';
                            }
                            after.count(state);
                        } else if (state == 'U') {
                            changes.put(member, null);
                        } else {
                            if (state != '-') {
                                changes.put(member, '-');
                            }
                            after.count('-');
                        }
                    }
                }
            }
            write(connection, cohort, appId, changes, Rows.STORED);
            // newcomers are written a batch at a time: a first sync of millions never holds them as Strings
            Changes joined = new Changes();
            for (int at = stored.nextClearBit(0); at < members.size(); at = stored.nextClearBit(at + 1)) {
                joined.put(members.get(at), '+');
                after.count('+');
                if (joined.size() == WRITE_BATCH) {
                    write(connection, cohort, appId, joined, Rows.NEW);
                    joined = new Changes();
                }
            }
            write(connection, cohort, appId, joined, Rows.NEW);
            return after.diff();
        });
    }

    /** Records members who entered or left (pushed changes) and what must change in OneSignal. */
    public synchronized Diff change(Cohort cohort, String appId, Collection<String> entered, Collection<String> left) {
        return inTransaction(connection -> {
            Set<String> named = new HashSet<>(entered);
            named.addAll(left);
            Map<String, Character> rows = rows(connection, cohort, appId, named);
            // a member both entered and left in one push: the later (leaving) wins
            Map<String, Character> wanted = new LinkedHashMap<>();
            for (String member : entered) {
                Character state = rows.get(member);
                if (state == null || state == '-') {
                    wanted.put(member, '+');
                }
            }
            for (String member : left) {
                Character state = rows.get(member);
                wanted.put(member, state == null || state == 'U' ? null : '-');
            }
            Changes changes = new Changes();
            wanted.forEach(changes::put);
            write(connection, cohort, appId, changes, Rows.EITHER);
            return diff(connection, cohort, appId);
        });
    }

    /** The next page of changes to send, after {@code after} in key order ("" for the first page). */
    public Pending pending(Cohort cohort, String appId, String after, int limit) {
        return inTransaction(connection -> {
            Set<String> adds = new LinkedHashSet<>();
            Set<String> removes = new LinkedHashSet<>();
            String last = after;
            try (PreparedStatement query = connection.prepareStatement("SELECT external_id, state FROM cohort_members"
                    + " WHERE source = ? AND cohort_id = ? AND app_id = ? AND state IN ('+', '-') AND external_id > ?"
                    + " ORDER BY external_id")) {
                cohortKey(query, 1, cohort, appId);
                query.setString(4, after);
                query.setMaxRows(limit);
                try (ResultSet row = query.executeQuery()) {
                    while (row.next()) {
                        last = row.getString(1);
                        (row.getString(2).charAt(0) == '+' ? adds : removes).add(last);
                    }
                }
            }
            return new Pending(adds, removes, last);
        });
    }

    /** OneSignal answered: tagged members are applied, unknown ones marked, untagged ones forgotten. */
    public synchronized void settle(Cohort cohort, String appId, Pending pending, Set<String> applied, Set<String> unmatched) {
        inTransaction(connection -> {
            Changes changes = new Changes();
            for (String member : pending.adds()) {
                if (applied.contains(member)) {
                    changes.put(member, 'A');
                } else if (unmatched.contains(member)) {
                    changes.put(member, 'U');
                }
            }
            for (String member : pending.removes()) {
                if (applied.contains(member) || unmatched.contains(member)) {
                    changes.put(member, null);
                }
            }
            write(connection, cohort, appId, changes, Rows.STORED);
            return null;
        });
    }

    /** Members as last synced (tagged, unknown to OneSignal, or still to tag). */
    public int members(Cohort cohort, String appId) {
        return count(cohort, appId, "state <> '-'");
    }

    /** Members tagged in OneSignal (applied), for the report. */
    public int matched(Cohort cohort, String appId) {
        return count(cohort, appId, "state = 'A'");
    }

    private int count(Cohort cohort, String appId, String condition) {
        return inTransaction(connection -> {
            try (PreparedStatement query = connection.prepareStatement("SELECT count(*) FROM cohort_members"
                    + " WHERE source = ? AND cohort_id = ? AND app_id = ? AND " + condition)) {
                cohortKey(query, 1, cohort, appId);
                try (ResultSet row = query.executeQuery()) {
                    row.next();
                    return row.getInt(1);
                }
            }
        });
    }

    public Long lastComputed(Cohort cohort) {
        return inTransaction(connection -> {
            try (PreparedStatement query = connection.prepareStatement(
                    "SELECT last_computed FROM cohort_state WHERE source = ? AND cohort_id = ?")) {
                query.setString(1, cohort.source());
                query.setString(2, cohort.id());
                try (ResultSet row = query.executeQuery()) {
                    return row.next() ? (Long) row.getObject(1, Long.class) : null;
                }
            }
        });
    }

    public void lastComputed(Cohort cohort, String name, long lastComputed) {
        inTransaction(connection -> {
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM cohort_state WHERE source = ? AND cohort_id = ?");
                 PreparedStatement insert = connection.prepareStatement(
                         "INSERT INTO cohort_state (source, cohort_id, name, last_computed) VALUES (?, ?, ?, ?)")) {
                delete.setString(1, cohort.source());
                delete.setString(2, cohort.id());
                delete.executeUpdate();
                insert.setString(1, cohort.source());
                insert.setString(2, cohort.id());
                insert.setString(3, StoreKeys.cut(name, StoreKeys.COHORT_NAME));
                insert.setLong(4, lastComputed);
                insert.executeUpdate();
            }
            return null;
        });
    }

    public long startReport(Cohort cohort, String trigger, Instant startedAt) {
        return inTransaction(connection -> {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO cohort_reports (source, cohort_id, trigger_name, started_at) VALUES (?, ?, ?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                insert.setString(1, cohort.source());
                insert.setString(2, cohort.id());
                insert.setString(3, trigger);
                insert.setTimestamp(4, Timestamp.from(startedAt));
                insert.executeUpdate();
                try (ResultSet keys = insert.getGeneratedKeys()) {
                    keys.next();
                    return keys.getLong(1);
                }
            }
        });
    }

    public void finishReport(SyncReport report) {
        inTransaction(connection -> {
            try (PreparedStatement update = connection.prepareStatement("UPDATE cohort_reports SET finished_at = ?, members = ?,"
                    + " matched = ?, added = ?, removed = ?, unmatched = ?, skipped = ?, failed = ?, error = ? WHERE id = ?")) {
                update.setTimestamp(1, Timestamp.from(report.finishedAt()));
                update.setInt(2, report.members());
                update.setInt(3, report.matched());
                update.setInt(4, report.added());
                update.setInt(5, report.removed());
                update.setInt(6, report.unmatched());
                update.setInt(7, report.skipped());
                update.setInt(8, report.failed());
                update.setString(9, report.error() == null ? null : report.error().substring(0, Math.min(2000, report.error().length())));
                update.setLong(10, report.id());
                update.executeUpdate();
            }
            return null;
        });
    }

    /** The latest reports of a cohort, newest first. */
    public List<SyncReport> reports(Cohort cohort, int latest) {
        return inTransaction(connection -> {
            try (PreparedStatement query = connection.prepareStatement("SELECT id, trigger_name, started_at, finished_at, members,"
                    + " matched, added, removed, unmatched, skipped, failed, error FROM cohort_reports"
                    + " WHERE source = ? AND cohort_id = ? ORDER BY id DESC")) {
                query.setString(1, cohort.source());
                query.setString(2, cohort.id());
                query.setMaxRows(latest);
                List<SyncReport> reports = new ArrayList<>();
                try (ResultSet row = query.executeQuery()) {
                    while (row.next()) {
                        Timestamp finished = row.getTimestamp(4);
                        reports.add(new SyncReport(row.getLong(1), cohort.source(), cohort.id(), row.getString(2),
                                row.getTimestamp(3).toInstant(), finished == null ? null : finished.toInstant(),
                                row.getInt(5), row.getInt(6), row.getInt(7), row.getInt(8), row.getInt(9), row.getInt(10),
                                row.getInt(11), row.getString(12)));
                    }
                }
                return reports;
            }
        });
    }

    /**
     * Keeps one page of a Mixpanel webhook {@code members} sync; once every page of the session is
     * here, returns the whole membership (and forgets the pages), else null.
     */
    public synchronized Set<String> membersPage(String cohortId, String sessionId, int page, int totalPages, Set<String> members) {
        return inTransaction(connection -> {
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM cohort_webhook_pages WHERE cohort_id = ? AND session_id = ? AND page = ?");
                 PreparedStatement insert = connection.prepareStatement("INSERT INTO cohort_webhook_pages"
                         + " (cohort_id, session_id, page, total_pages, members) VALUES (?, ?, ?, ?, ?)")) {
                delete.setString(1, cohortId);
                delete.setString(2, StoreKeys.fit(sessionId, StoreKeys.SESSION_ID));
                delete.setInt(3, page);
                delete.executeUpdate();
                insert.setString(1, cohortId);
                insert.setString(2, StoreKeys.fit(sessionId, StoreKeys.SESSION_ID));
                insert.setInt(3, page);
                insert.setInt(4, totalPages);
                insert.setString(5, Json.MAPPER.writeValueAsString(members));
                insert.executeUpdate();
            }
            Set<String> all = new LinkedHashSet<>();
            int pages = 0;
            try (PreparedStatement query = connection.prepareStatement(
                    "SELECT members FROM cohort_webhook_pages WHERE cohort_id = ? AND session_id = ?")) {
                query.setString(1, cohortId);
                query.setString(2, StoreKeys.fit(sessionId, StoreKeys.SESSION_ID));
                try (ResultSet row = query.executeQuery()) {
                    while (row.next()) {
                        pages++;
                        all.addAll(Json.MAPPER.readValue(row.getString(1), new TypeReference<List<String>>() { }));
                    }
                }
            }
            if (pages < totalPages) {
                return null;
            }
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM cohort_webhook_pages WHERE cohort_id = ?")) {
                delete.setString(1, cohortId);
                delete.executeUpdate();
            }
            return all;
        });
    }

    /** Whether a pushed message was applied already (Amplitude sends the same message_id again on retries). */
    public boolean delivered(String messageId) {
        return inTransaction(connection -> {
            try (PreparedStatement query = connection.prepareStatement("SELECT 1 FROM cohort_push_messages WHERE message_id = ?")) {
                query.setString(1, StoreKeys.fit(messageId, StoreKeys.MESSAGE_ID));
                try (ResultSet row = query.executeQuery()) {
                    return row.next();
                }
            }
        });
    }

    /** Remembers that a pushed message was applied. */
    public synchronized void markDelivered(String messageId) {
        if (delivered(messageId)) {
            return;
        }
        inTransaction(connection -> {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO cohort_push_messages (message_id, received_at) VALUES (?, ?)")) {
                insert.setString(1, StoreKeys.fit(messageId, StoreKeys.MESSAGE_ID));
                insert.setTimestamp(2, Timestamp.from(Instant.now()));
                insert.executeUpdate();
            }
            return null;
        });
    }

    /** The stored states of the named members (pushes name a few). */
    private static Map<String, Character> rows(Connection connection, Cohort cohort, String appId, Set<String> members)
            throws SQLException {
        Map<String, Character> rows = new HashMap<>();
        try (PreparedStatement query = connection.prepareStatement("SELECT state FROM cohort_members"
                + " WHERE source = ? AND cohort_id = ? AND app_id = ? AND external_id = ?")) {
            cohortKey(query, 1, cohort, appId);
            for (String member : members) {
                query.setString(4, member);
                try (ResultSet row = query.executeQuery()) {
                    if (row.next()) {
                        rows.put(member, row.getString(1).charAt(0));
                    }
                }
            }
        }
        return rows;
    }

    /** Members by state, as {@link #diff(Connection, Cohort, String)} would count them. */
    private static final class Tally {
        private int adds;
        private int removes;
        private int members;

        void count(char state) {
            adds += state == '+' ? 1 : 0;
            removes += state == '-' ? 1 : 0;
            members += state != '-' ? 1 : 0;
        }

        Diff diff() {
            return new Diff(adds, removes, members);
        }
    }

    /** State changes to write: a member and its new state, or none to delete its row. */
    private static final class Changes {
        private final List<String> members = new ArrayList<>();
        private final StringBuilder states = new StringBuilder();

        void put(String member, Character state) {
            members.add(member);
            states.append(state == null ? 'x' : state);
        }

        int size() {
            return members.size();
        }
    }

    /** What the store holds of the members a write changes. */
    private enum Rows {
        /** every member has a row: updated in place (or deleted) */
        STORED,
        /** no member has a row yet: inserted */
        NEW,
        /** either: replaced */
        EITHER
    }

    /** Applies state changes in batches; a member changes at most once per call. */
    private static void write(Connection connection, Cohort cohort, String appId, Changes changes, Rows rows)
            throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement(
                "DELETE FROM cohort_members WHERE source = ? AND cohort_id = ? AND app_id = ? AND external_id = ?");
             PreparedStatement insert = connection.prepareStatement(
                     "INSERT INTO cohort_members (state, source, cohort_id, app_id, external_id) VALUES (?, ?, ?, ?, ?)");
             PreparedStatement update = connection.prepareStatement(
                     "UPDATE cohort_members SET state = ? WHERE source = ? AND cohort_id = ? AND app_id = ? AND external_id = ?")) {
            for (int i = 0; i < changes.size(); i++) {
                char state = changes.states.charAt(i);
                if (state == 'x' || rows == Rows.EITHER) {
                    key(delete, 1, cohort, appId, changes.members.get(i));
                    delete.addBatch();
                }
                if (state != 'x') {
                    PreparedStatement upsert = rows == Rows.STORED ? update : insert;
                    upsert.setString(1, String.valueOf(state));
                    key(upsert, 2, cohort, appId, changes.members.get(i));
                    upsert.addBatch();
                }
                if ((i + 1) % WRITE_BATCH == 0) {
                    delete.executeBatch();
                    insert.executeBatch();
                    update.executeBatch();
                }
            }
            delete.executeBatch();
            insert.executeBatch();
            update.executeBatch();
        }
    }

    /** Sets a member's key (source, cohort, app, external id) from parameter {@code first} on. */
    private static void key(PreparedStatement statement, int first, Cohort cohort, String appId, String member) throws SQLException {
        cohortKey(statement, first, cohort, appId);
        statement.setString(first + 3, member);
    }

    /** Sets a cohort's key in one app (source, cohort, app) from parameter {@code first} on. */
    private static void cohortKey(PreparedStatement statement, int first, Cohort cohort, String appId) throws SQLException {
        statement.setString(first, cohort.source());
        statement.setString(first + 1, cohort.id());
        statement.setString(first + 2, appId);
    }

    private static Diff diff(Connection connection, Cohort cohort, String appId) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT"
                + " SUM(CASE WHEN state = '+' THEN 1 ELSE 0 END), SUM(CASE WHEN state = '-' THEN 1 ELSE 0 END),"
                + " SUM(CASE WHEN state <> '-' THEN 1 ELSE 0 END) FROM cohort_members WHERE source = ? AND cohort_id = ? AND app_id = ?")) {
            cohortKey(query, 1, cohort, appId);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return new Diff(row.getInt(1), row.getInt(2), row.getInt(3));
            }
        }
    }

    private interface Work<T> {
        T run(Connection connection) throws SQLException, JsonProcessingException;
    }

    private <T> T inTransaction(Work<T> work) {
        try (Connection connection = store.connect()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | JsonProcessingException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("the store failed: " + e.getMessage(), e);
        }
    }
}
