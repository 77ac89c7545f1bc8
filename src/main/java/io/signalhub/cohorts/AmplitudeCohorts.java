package io.signalhub.cohorts;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalhub.Json;
import org.apache.camel.Exchange;

/**
 * Reading a cohort's members from Amplitude's Behavioral Cohorts API (https://amplitude.com/docs/apis/analytics/behavioral-cohorts): the
 * cohort list tells its name and {@code lastComputed}; only when that changed since the last synced
 * run is it downloaded (the download quota is 500 a month): request, poll the status until done, then
 * the file (following the redirect to its short-lived link). {@code user_id} is the External ID; rows
 * without one are skipped and counted.
 */
public final class AmplitudeCohorts {

    /** Exchange property: whether the cohort is to be downloaded. */
    public static final String DOWNLOAD = "signalhubDownload";
    /** Exchange property: whether the download job is still running. */
    public static final String WAITING = "signalhubWaiting";
    private static final String REQUEST_ID = "signalhubRequestId";
    private static final String WAIT_UNTIL = "signalhubWaitUntil";
    /** Exchange property: the short-lived link the file is to be read from. */
    public static final String FILE_LINK = "signalhubFileLink";

    private final String apiKey;
    private final String secretKey;
    private final CohortStore store;
    private final long maxWaitMillis;

    public AmplitudeCohorts(String apiKey, String secretKey, CohortStore store, long maxWaitMillis) {
        this.apiKey = apiKey;
        this.secretKey = secretKey;
        this.store = store;
        this.maxWaitMillis = maxWaitMillis;
    }

    public void listRequest(Exchange exchange) {
        if (apiKey.isEmpty() || secretKey.isEmpty()) {
            throw new CohortSourceException("Amplitude cohorts need hub.amplitude.api-key and hub.amplitude.secret-key");
        }
        SourceCalls.prepare(exchange, "GET", "/api/3/cohorts", null, apiKey, secretKey, null, null);
    }

    /** Finds the cohort; decides whether it changed since the last synced run (exports always download). */
    public void onList(Exchange exchange) {
        CohortRun run = exchange.getProperty(CohortRun.PROPERTY, CohortRun.class);
        int status = SourceCalls.status(exchange);
        String body = SourceCalls.answer(exchange);
        check(status, body, "the cohort list");
        for (JsonNode cohort : Json.readObject(body).path("cohorts")) {
            if (cohort.path("id").asText().equals(run.cohort.id())) {
                run.name = cohort.path("name").asText(run.cohort.id());
                run.lastComputed = cohort.path("lastComputed").asLong();
            }
        }
        if (run.name == null) {
            throw new CohortSourceException("Amplitude has no cohort " + run.cohort.id());
        }
        Long synced = store.lastComputed(run.cohort);
        run.unchanged = run.trigger.equals(CohortSync.SCHEDULE) && synced != null && synced.equals(run.lastComputed);
        exchange.setProperty(DOWNLOAD, !run.unchanged);
    }

    public void downloadRequest(Exchange exchange) {
        CohortRun run = exchange.getProperty(CohortRun.PROPERTY, CohortRun.class);
        SourceCalls.prepare(exchange, "GET", "/api/5/cohorts/request/" + run.cohort.id(), null, apiKey, secretKey, null, null);
    }

    public void onDownloadRequested(Exchange exchange) {
        int status = SourceCalls.status(exchange);
        String body = SourceCalls.answer(exchange);
        if (status == 429) {
            throw new CohortSourceException("Amplitude refused the download (HTTP 429): the cohort download quota (500 a month,"
                    + " 60 per 10 minutes) is used up: " + Json.abbreviate(body, 200));
        }
        check(status, body, "the download request");
        exchange.setProperty(REQUEST_ID, Json.readObject(body).path("request_id").asText());
        exchange.setProperty(WAIT_UNTIL, System.currentTimeMillis() + maxWaitMillis);
        exchange.setProperty(WAITING, true);
    }

    public void statusRequest(Exchange exchange) {
        SourceCalls.prepare(exchange, "GET", "/api/5/cohorts/request-status/" + exchange.getProperty(REQUEST_ID, String.class),
                null, apiKey, secretKey, null, null);
    }

    /** 202 still running, 200 done, anything else failed (as Amplitude's own client reads it). */
    public void onStatus(Exchange exchange) {
        int status = SourceCalls.status(exchange);
        String body = SourceCalls.answer(exchange);
        if (status == 202) {
            if (System.currentTimeMillis() > exchange.getProperty(WAIT_UNTIL, Long.class)) {
                throw new CohortSourceException("Amplitude's cohort download did not finish within " + maxWaitMillis + " ms");
            }
            return;
        }
        check(status, body, "the download status");
        exchange.setProperty(WAITING, false);
    }

    public void fileRequest(Exchange exchange) {
        SourceCalls.prepare(exchange, "GET", "/api/5/cohorts/request/" + exchange.getProperty(REQUEST_ID, String.class) + "/file",
                null, apiKey, secretKey, null, null);
    }

    /** Reads the file; for a large cohort Amplitude answers with a redirect to a short-lived link, called next. */
    public void onFile(Exchange exchange) {
        CohortRun run = exchange.getProperty(CohortRun.PROPERTY, CohortRun.class);
        exchange.removeProperty(FILE_LINK);
        int status = SourceCalls.status(exchange);
        String location = exchange.getMessage().getHeader("Location", String.class);
        if ((status == 301 || status == 302 || status == 307) && location != null) {
            SourceCalls.answer(exchange);
            // a pre-signed link: no credentials go with it
            exchange.setProperty(FILE_LINK, location);
            exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "GET");
            exchange.getMessage().setHeader(Exchange.HTTP_URI, location);
            exchange.getMessage().setBody(null);
            return;
        }
        if (status < 200 || status >= 300) {
            check(status, SourceCalls.answer(exchange), "the cohort file");
        }
        run.members = new MemberIds();
        int[] column = {-1};
        try (InputStream file = exchange.getMessage().getBody(InputStream.class)) {
            exchange.getMessage().removeHeaders("*");
            if (file == null) {
                throw new CohortSourceException("Amplitude's cohort file is empty");
            }
            csv(new InputStreamReader(file, StandardCharsets.UTF_8), row -> {
                if (column[0] < 0) {
                    column[0] = row.indexOf("user_id");
                    if (column[0] < 0) {
                        throw new CohortSourceException("Amplitude's cohort file has no user_id column");
                    }
                    return;
                }
                String userId = column[0] < row.size() ? row.get(column[0]).trim() : "";
                if (userId.isEmpty() || !run.members.add(userId)) {
                    run.skipped++;
                }
            });
        } catch (IOException e) {
            throw new CohortSourceException("Amplitude's cohort file could not be read: " + e.getMessage());
        }
        if (column[0] < 0) {
            throw new CohortSourceException("Amplitude's cohort file has no user_id column");
        }
    }

    private static void check(int status, String body, String what) {
        if (status < 200 || status >= 300) {
            throw SourceCalls.failure("Amplitude", what, status, body);
        }
    }

    /**
     * RFC 4180 CSV (quoted fields, doubled quotes, commas and line breaks inside quotes) read as a
     * stream, one row at a time: a cohort file of millions of rows never sits in memory whole.
     */
    static void csv(Reader in, Consumer<List<String>> rows) throws IOException {
        Reader text = in instanceof BufferedReader ? in : new BufferedReader(in, 1 << 16);
        List<String> row = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        int c = text.read();
        while (c >= 0) {
            int next = text.read();
            if (quoted) {
                if (c == '"' && next == '"') {
                    field.append('"');
                    next = text.read();
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append((char) c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                row.add(field.toString());
                field.setLength(0);
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && next == '\n') {
                    next = text.read();
                }
                row.add(field.toString());
                field.setLength(0);
                rows.accept(row);
                row = new ArrayList<>();
            } else {
                field.append((char) c);
            }
            c = next;
        }
        if (field.length() > 0 || !row.isEmpty()) {
            row.add(field.toString());
            rows.accept(row);
        }
    }
}
