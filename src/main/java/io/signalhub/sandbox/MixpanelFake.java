package io.signalhub.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalhub.Json;
import io.signalhub.ingress.BasicCredentials;

/**
 * Mixpanel's {@code /import} (https://docs.mixpanel.com/reference/import-events): project-token or service-account Basic
 * auth, per-record validation with {@code strict=1} (400 naming the failed records, the rest imported),
 * dedup on (event, distinct_id, time, $insert_id), 401/413/429 bodies as documented.
 */
public final class MixpanelFake extends FakeApi {

    private static final Set<String> INVALID_DISTINCT_IDS = Set.of("00000000-0000-0000-0000-000000000000", "anon",
            "anonymous", "nil", "none", "null", "n/a", "na", "undefined", "unknown", "<nil>", "0", "-1", "true", "false",
            "[]", "{}");
    private static final Pattern INSERT_ID = Pattern.compile("[A-Za-z0-9-]{1,36}");
    private static final int MAX_EVENTS = 2000;
    private static final int MAX_BYTES = 10 * 1024 * 1024;
    private static final long EARLIEST_SECONDS = 31_536_000L; // 1971-01-01

    private final String projectToken;
    private final Set<String> seen = new HashSet<>();
    private final CohortQueries cohorts = new CohortQueries();
    private volatile String serviceAccountRole = "admin";
    private volatile int maxRequestBytes = MAX_BYTES;

    public MixpanelFake(String projectToken) {
        super("mixpanel");
        this.projectToken = projectToken;
    }

    /** The Query API's cohorts and profiles (https://developer.mixpanel.com/reference/query-api), for the cohort sync. */
    public CohortQueries cohorts() {
        return cohorts;
    }

    /** The sandbox service account's project role: /import takes only Owner and Admin accounts. */
    public void serviceAccountRole(String role) {
        serviceAccountRole = role;
    }

    /**
     * The request size /import refuses with 413 beyond: 10 MB as documented, but the OpenAPI's 413 example
     * still names 2,097,152 bytes, so a project may answer 413 below what the hub packs.
     */
    public void maxRequestBytes(int bytes) {
        maxRequestBytes = bytes;
    }

    @Override
    protected synchronized void resetState() {
        serviceAccountRole = "admin";
        maxRequestBytes = MAX_BYTES;
        seen.clear();
        cohorts.reset();
    }

    @Override
    protected Reply handle(String method, String path, String query, Map<String, List<String>> headers, byte[] body) {
        if (path.startsWith("/api/")) {
            Reply reply = cohorts.handle(path, query, basicCredentials(headers), body);
            return reply == null ? Reply.json(404, "{\"error\":\"not found\",\"status\":\"error\"}") : reply;
        }
        if (!method.equals("POST") || !path.equals("/import")) {
            return Reply.json(404, "{\"error\":\"not found\",\"status\":\"error\"}");
        }
        BasicCredentials credentials = basicCredentials(headers);
        boolean serviceAccount = credentials != null && CohortQueries.SERVICE_ACCOUNT.equals(credentials.user())
                && CohortQueries.SERVICE_SECRET.equals(credentials.password())
                && query != null && query.contains("project_id=" + CohortQueries.PROJECT_ID);
        if (credentials == null || !(projectToken.equals(credentials.user()) || serviceAccount)) {
            return Reply.json(401, "{\"code\":401,\"error\":\"Invalid credentials\",\"status\":\"Unauthorized\"}");
        }
        if (serviceAccount && !Set.of("owner", "admin").contains(serviceAccountRole)) {
            // https://docs.mixpanel.com/reference/import-events: a service account must be the project's Owner or Admin
            return Reply.json(401, "{\"code\":401,\"error\":\"service account must have the Admin or Owner role\",\"status\":\"Unauthorized\"}");
        }
        if (body.length > maxRequestBytes) {
            return Reply.json(413, "{\"code\":413,\"error\":\"request exceeds max limit of " + maxRequestBytes
                    + " bytes\",\"status\":\"Request Entity Too Large\"}");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(new String(body, StandardCharsets.UTF_8));
        } catch (Exception e) {
            return Reply.json(400, "{\"code\":400,\"error\":\"unable to parse JSON\",\"status\":\"Bad Request\"}");
        }
        if (root == null || !root.isArray()) {
            return Reply.json(400, "{\"code\":400,\"error\":\"body must be a JSON array\",\"status\":\"Bad Request\"}");
        }
        recordSent(root.size());
        if (root.size() > MAX_EVENTS) {
            return Reply.json(413, "{\"code\":413,\"error\":\"request exceeds max limit of 2000 events\",\"status\":\"Request Entity Too Large\"}");
        }
        ArrayNode failed = Json.MAPPER.createArrayNode();
        int imported = 0;
        long nowMillis = System.currentTimeMillis();
        for (int i = 0; i < root.size(); i++) {
            JsonNode event = root.get(i);
            JsonNode properties = event.path("properties");
            String insertId = properties.path("$insert_id").asText(null);
            String problem = validate(event, properties, insertId, nowMillis);
            if (problem != null) {
                ObjectNode record = failed.addObject();
                record.put("index", i);
                record.put("insert_id", insertId);
                record.put("field", problem.substring(0, problem.indexOf(' ')));
                record.put("message", problem);
                continue;
            }
            imported++;
            String key = event.path("event").asText() + "|" + properties.path("distinct_id").asText() + "|"
                    + properties.path("time").asLong() + "|" + insertId;
            synchronized (this) {
                if (seen.add(key)) {
                    recordAccepted(event);
                }
            }
        }
        if (!failed.isEmpty()) {
            ObjectNode answer = Json.MAPPER.createObjectNode();
            answer.put("code", 400);
            answer.put("error", "some data points in the request failed validation");
            answer.put("status", "Bad Request");
            answer.put("num_records_imported", imported);
            answer.set("failed_records", failed);
            return Reply.json(400, answer.toString());
        }
        return Reply.json(200, "{\"code\":200,\"num_records_imported\":" + imported + ",\"status\":\"OK\"}");
    }

    private static String validate(JsonNode event, JsonNode properties, String insertId, long nowMillis) {
        if (!event.path("event").isTextual() || event.path("event").asText().isEmpty()) {
            return "event 'event' must be a non-empty string";
        }
        JsonNode time = properties.path("time");
        if (!time.isIntegralNumber()) {
            return "properties.time 'properties.time' is invalid: must be specified as seconds since epoch";
        }
        long millis = time.asLong() < 100_000_000_000L ? time.asLong() * 1000 : time.asLong();
        if (millis < EARLIEST_SECONDS * 1000 || millis > nowMillis + 3_600_000) {
            return "properties.time 'properties.time' is out of range: before 1971 or more than 1 hour in the future";
        }
        JsonNode distinctId = properties.get("distinct_id");
        if (distinctId == null || !distinctId.isTextual()
                || INVALID_DISTINCT_IDS.contains(distinctId.asText().toLowerCase(Locale.ROOT))) {
            return "properties.distinct_id 'properties.distinct_id' is invalid";
        }
        if (insertId == null || !INSERT_ID.matcher(insertId).matches()) {
            return "properties.$insert_id '$insert_id' must be at most 36 characters of letters, digits and '-'";
        }
        return null;
    }

    @Override
    protected String faultBody(int status) {
        return status == 429
                ? "{\"code\":429,\"error\":\"Project exceeded rate limits. Please retry the request with exponential backoff.\",\"status\":\"Too Many Requests\"}"
                : "{\"code\":" + status + ",\"error\":\"Internal Server Error\",\"status\":\"error\"}";
    }
}
