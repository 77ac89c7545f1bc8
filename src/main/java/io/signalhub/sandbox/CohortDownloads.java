package io.signalhub.sandbox;

import io.signalhub.cohorts.Cohort;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalhub.Json;
import io.signalhub.ingress.BasicCredentials;

/**
 * Amplitude's Behavioral Cohorts API (https://amplitude.com/docs/apis/analytics/behavioral-cohorts): the cohort list with
 * {@code lastComputed}, and the three-step download (request → status until done → file, by a 302
 * to a short-lived link), each request counting against a monthly quota; Basic {@code api_key:secret_key}.
 */
public final class CohortDownloads {

    public static final String SECRET_KEY = "sandbox-amplitude-secret-key";
    private static final Pattern REQUEST = Pattern.compile("/api/5/cohorts/request/([^/]+)");
    private static final Pattern STATUS = Pattern.compile("/api/5/cohorts/request-status/([^/]+)");
    private static final Pattern FILE = Pattern.compile("/api/5/cohorts/request/([^/]+)/file");
    private static final Pattern SIGNED_FILE = Pattern.compile("/files/([^/]+)\\.csv");

    private record Cohort(String name, long lastComputed, List<String> userIds) {
    }

    private record Job(String cohortId, long readyAt, Cohort snapshot) {
    }

    private final String apiKey;
    private final Map<String, Cohort> cohorts = new LinkedHashMap<>();
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private int monthlyQuota = 500;
    private int downloads;
    private long jobMillis = 300;

    CohortDownloads(String apiKey) {
        this.apiKey = apiKey;
    }

    /** Adds or replaces a cohort; an empty user id is an anonymous member. */
    public synchronized void cohort(String id, String name, long lastComputed, List<String> userIds) {
        cohorts.put(id, new Cohort(name, lastComputed, List.copyOf(userIds)));
    }

    public synchronized void monthlyQuota(int quota) {
        monthlyQuota = quota;
    }

    /** How long a download job runs before its file is ready. */
    public synchronized void jobMillis(long millis) {
        jobMillis = millis;
    }

    /** Downloads requested (step 1), which count against the quota. */
    public synchronized int downloads() {
        return downloads;
    }

    synchronized void reset() {
        cohorts.clear();
        jobs.clear();
        monthlyQuota = 500;
        downloads = 0;
        jobMillis = 300;
    }

    synchronized FakeApi.Reply handle(String method, String path, BasicCredentials credentials, String baseUrl) {
        Matcher matcher;
        if ((matcher = SIGNED_FILE.matcher(path)).matches()) {
            Job job = jobs.get(matcher.group(1));
            return job == null ? FakeApi.Reply.json(403, "<Error><Code>AccessDenied</Code></Error>") : csv(job.snapshot());
        }
        if (!method.equals("GET")) {
            return null;
        }
        if (credentials == null || !apiKey.equals(credentials.user()) || !SECRET_KEY.equals(credentials.password())) {
            return FakeApi.Reply.json(401, "{\"error\":\"Invalid API key or secret key\"}");
        }
        if (path.equals("/api/3/cohorts")) {
            ObjectNode answer = Json.MAPPER.createObjectNode();
            ArrayNode list = answer.putArray("cohorts");
            cohorts.forEach((id, cohort) -> list.addObject().put("appId", 123456).put("archived", false).put("id", id)
                    .put("name", cohort.name()).put("size", cohort.userIds().size()).put("finished", true)
                    .put("lastComputed", cohort.lastComputed()).put("lastMod", cohort.lastComputed()));
            return FakeApi.Reply.json(200, answer.toString());
        }
        if ((matcher = FILE.matcher(path)).matches()) {
            Job job = jobs.get(matcher.group(1));
            if (job == null || System.currentTimeMillis() < job.readyAt()) {
                return FakeApi.Reply.json(404, "{\"error\":\"no such finished request\"}");
            }
            return new FakeApi.Reply(302, null, Map.of("Location", baseUrl + "/files/" + matcher.group(1) + ".csv"));
        }
        if ((matcher = STATUS.matcher(path)).matches()) {
            Job job = jobs.get(matcher.group(1));
            if (job == null) {
                return FakeApi.Reply.json(404, "{\"error\":\"no such request\"}");
            }
            boolean done = System.currentTimeMillis() >= job.readyAt();
            return FakeApi.Reply.json(done ? 200 : 202, "{\"request_id\":\"" + matcher.group(1) + "\",\"cohort_id\":\""
                    + job.cohortId() + "\",\"async_status\":\"" + (done ? "JOB COMPLETED" : "JOB INPROGRESS") + "\"}");
        }
        if ((matcher = REQUEST.matcher(path)).matches()) {
            Cohort cohort = cohorts.get(matcher.group(1));
            if (cohort == null) {
                return FakeApi.Reply.json(404, "{\"error\":\"cohort not found\"}");
            }
            if (downloads >= monthlyQuota) {
                return FakeApi.Reply.json(429, "{\"error\":\"monthly cohort download quota of " + monthlyQuota + " exceeded\"}");
            }
            downloads++;
            String requestId = UUID.randomUUID().toString().substring(0, 6);
            jobs.put(requestId, new Job(matcher.group(1), System.currentTimeMillis() + jobMillis, cohort));
            return FakeApi.Reply.json(202, "{\"request_id\":\"" + requestId + "\",\"cohort_id\":\"" + matcher.group(1) + "\"}");
        }
        return null;
    }

    private static FakeApi.Reply csv(Cohort cohort) {
        StringBuilder file = new StringBuilder("\"amplitude_id\",\"user_id\"\n");
        int amplitudeId = 100_000_000;
        for (String userId : cohort.userIds()) {
            file.append('"').append(amplitudeId++).append("\",\"").append(userId.replace("\"", "\"\"")).append("\"\n");
        }
        return new FakeApi.Reply(200, file.toString(), Map.of("Content-Type", "text/csv"));
    }
}
