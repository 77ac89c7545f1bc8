package io.signalhub.sandbox;

import io.signalhub.cohorts.Cohort;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalhub.Json;
import io.signalhub.ingress.BasicCredentials;

/**
 * Mixpanel's Query API as the cohort sync uses it (https://developer.mixpanel.com/reference/query-api): the cohort list and the
 * Engage query with {@code filter_by_cohort}, in pages of 1,000 tied to a {@code session_id}, behind
 * service-account Basic auth and the limits of 60 queries an hour and 5 at once per project
 * (https://docs.mixpanel.com/reference/rate-limits).
 */
public final class CohortQueries {

    public static final String SERVICE_ACCOUNT = "sandbox-mixpanel-service-account";
    public static final String SERVICE_SECRET = "sandbox-mixpanel-service-secret";
    public static final String PROJECT_ID = "1";

    private record Cohort(String name, Map<String, Map<String, String>> profiles) {
    }

    private final Map<Integer, Cohort> cohorts = new LinkedHashMap<>();
    private record Session(List<String> ids, long createdAt) {
    }

    private final Map<String, Session> sessions = new HashMap<>();
    private final Deque<Long> queries = new ArrayDeque<>();
    private int queriesPerHour = 60;
    private int pageSize = 1000;
    private long sessionLifetimeMillis = 3_600_000;
    private int engageQueries;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile int concurrentQueries = 5;
    private volatile long queryMillis;

    /** Adds or replaces a cohort; each member is a distinct id with its profile properties. */
    public synchronized void cohort(int id, String name, Map<String, Map<String, String>> profiles) {
        cohorts.put(id, new Cohort(name, new LinkedHashMap<>(profiles)));
    }

    public synchronized void queriesPerHour(int limit) {
        queriesPerHour = limit;
    }

    public synchronized void pageSize(int size) {
        pageSize = size;
    }

    /** How long an Engage session's pages can be asked for (Mixpanel documents no lifetime: an hour here). */
    public synchronized void sessionLifetime(Duration lifetime) {
        sessionLifetimeMillis = lifetime.toMillis();
    }

    /** Queries a project may run at once: 429 beyond. */
    public void concurrentQueries(int limit) {
        concurrentQueries = limit;
    }

    /** How long each query takes to answer (Mixpanel's are not instant): lets queries overlap. */
    public void queryTime(Duration time) {
        queryMillis = time.toMillis();
    }

    /** Engage queries answered (each page is one). */
    public synchronized int engageQueries() {
        return engageQueries;
    }

    synchronized void reset() {
        cohorts.clear();
        sessions.clear();
        queries.clear();
        queriesPerHour = 60;
        pageSize = 1000;
        concurrentQueries = 5;
        queryMillis = 0;
        sessionLifetimeMillis = 3_600_000;
        engageQueries = 0;
    }

    /** The answer for a Query API path, or null when the path is not one. */
    FakeApi.Reply handle(String path, String query, BasicCredentials credentials, byte[] body) {
        boolean list = path.equals("/api/query/cohorts/list") || path.equals("/api/2.0/cohorts/list");
        boolean engage = path.equals("/api/query/engage") || path.equals("/api/2.0/engage");
        if (!list && !engage) {
            return null;
        }
        try {
            if (inFlight.incrementAndGet() > concurrentQueries) {
                return FakeApi.Reply.json(429, "{\"error\":\"too many concurrent queries\",\"status\":\"error\"}");
            }
            if (queryMillis > 0) {
                Thread.sleep(queryMillis);
            }
            return answer(list, query, credentials, body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return FakeApi.Reply.json(503, "{\"error\":\"interrupted\",\"status\":\"error\"}");
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private synchronized FakeApi.Reply answer(boolean list, String query, BasicCredentials credentials, byte[] body) {
        Map<String, String> params = form(query);
        params.putAll(form(new String(body, StandardCharsets.UTF_8)));
        if (credentials == null || !SERVICE_ACCOUNT.equals(credentials.user()) || !SERVICE_SECRET.equals(credentials.password())) {
            return FakeApi.Reply.json(401, "{\"error\":\"Invalid credentials\",\"status\":\"error\"}");
        }
        if (!PROJECT_ID.equals(params.get("project_id"))) {
            return FakeApi.Reply.json(400, "{\"error\":\"project_id is required for service accounts\",\"status\":\"error\"}");
        }
        long now = System.currentTimeMillis();
        while (!queries.isEmpty() && queries.peekFirst() < now - 3_600_000) {
            queries.pollFirst();
        }
        if (queries.size() >= queriesPerHour) {
            return FakeApi.Reply.json(429, "{\"error\":\"rate limit exceeded\",\"status\":\"error\"}");
        }
        queries.addLast(now);
        if (list) {
            ArrayNode answer = Json.MAPPER.createArrayNode();
            cohorts.forEach((id, cohort) -> answer.addObject().put("count", cohort.profiles().size()).put("is_visible", 1)
                    .put("description", "").put("created", "2024-01-01 00:00:00").put("project_id", 1).put("id", id)
                    .put("name", cohort.name()));
            return FakeApi.Reply.json(200, answer.toString());
        }
        return engage(params);
    }

    private FakeApi.Reply engage(Map<String, String> params) {
        engageQueries++;
        JsonNode filter;
        List<String> outputProperties = new ArrayList<>();
        try {
            filter = Json.MAPPER.readTree(params.getOrDefault("filter_by_cohort", "{}"));
            if (params.containsKey("output_properties")) {
                Json.MAPPER.readTree(params.get("output_properties")).forEach(p -> outputProperties.add(p.asText()));
            }
        } catch (Exception e) {
            return FakeApi.Reply.json(400, "{\"error\":\"invalid JSON parameter\",\"status\":\"error\"}");
        }
        int page = Integer.parseInt(params.getOrDefault("page", "0"));
        String sessionId = params.get("session_id");
        List<String> ids;
        if (page == 0) {
            Cohort cohort = cohorts.get(filter.path("id").asInt(-1));
            if (cohort == null) {
                return FakeApi.Reply.json(400, "{\"error\":\"cohort not found\",\"status\":\"error\"}");
            }
            ids = new ArrayList<>(cohort.profiles().keySet());
            sessionId = UUID.randomUUID().toString();
            sessions.put(sessionId, new Session(ids, System.currentTimeMillis()));
        } else if (sessionId == null || !sessions.containsKey(sessionId)
                || sessions.get(sessionId).createdAt() < System.currentTimeMillis() - sessionLifetimeMillis) {
            return FakeApi.Reply.json(400, "{\"error\":\"page > 0 requires a valid session_id\",\"status\":\"error\"}");
        } else {
            ids = sessions.get(sessionId).ids();
        }
        Cohort cohort = cohorts.get(filter.path("id").asInt(-1));
        ObjectNode answer = Json.MAPPER.createObjectNode();
        answer.put("page", page).put("page_size", pageSize).put("session_id", sessionId).put("status", "ok").put("total", ids.size());
        ArrayNode results = answer.putArray("results");
        for (String id : ids.subList(Math.min(ids.size(), page * pageSize), Math.min(ids.size(), (page + 1) * pageSize))) {
            ObjectNode result = results.addObject();
            result.put("$distinct_id", id);
            ObjectNode properties = result.putObject("$properties");
            Map<String, String> profile = cohort == null ? Map.of() : cohort.profiles().getOrDefault(id, Map.of());
            profile.forEach((key, value) -> {
                if (outputProperties.isEmpty() || outputProperties.contains(key)) {
                    properties.put(key, value);
                }
            });
        }
        return FakeApi.Reply.json(200, answer.toString());
    }

    private static Map<String, String> form(String encoded) {
        Map<String, String> params = new HashMap<>();
        if (encoded == null || encoded.isBlank()) {
            return params;
        }
        for (String pair : encoded.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                params.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        return params;
    }
}
