package io.signalhub.sandbox;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/**
 * OneSignal's Event Streams as the sandbox's OneSignal sends them (https://documentation.onesignal.com/docs/en/event-streams):
 * for each message event, one HTTP request to the configured URL with the configured method, static headers
 * and body template ({@code {{ event.kind }}}-style fields, rendered into JSON strings); a 429, 5xx or
 * connection failure is retried a few times with growing delays, then the event is failed permanently, and
 * after that many events in a row failed the stream is disabled, as OneSignal does. No signature.
 */
public final class EventStreamsEmitter implements AutoCloseable {

    /** The body template the README documents for the hub (the docs' flat dotted keys, with message fields). */
    public static final String DOCUMENTED_TEMPLATE = "{\"event.kind\":\"{{ event.kind }}\",\"event.id\":\"{{ event.id }}\","
            + "\"event.timestamp\":\"{{ event.timestamp }}\",\"event.datetime\":\"{{ event.datetime }}\",\"event.app_id\":\"{{ event.app_id }}\","
            + "\"event.subscription_device_type\":\"{{ event.subscription_device_type }}\","
            + "\"event.subscription_id\":\"{{ event.subscription_id }}\",\"event.onesignal_id\":\"{{ event.onesignal_id }}\","
            + "\"event.external_id\":\"{{ event.external_id }}\",\"event.data.failure_reason\":\"{{ event.data.failure_reason }}\","
            + "\"message.id\":\"{{ message.id }}\",\"message.name\":\"{{ message.name }}\",\"message.title\":\"{{ message.title }}\","
            + "\"message.contents\":\"{{ message.contents }}\",\"message.template_id\":\"{{ message.template_id }}\","
            + "\"message.url\":\"{{ message.url }}\",\"event.data.page_name\":\"{{ event.data.page_name }}\","
            + "\"event.data.target_name\":\"{{ event.data.target_name }}\",\"user.language\":\"{{ user.language }}\"}";
    private static final Pattern FIELD = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_.]+)\\s*}}");

    private final URI url;
    private final String method;
    private final Map<String, String> headers;
    private final String template;
    private final int attempts;
    private final long firstRetryMillis;
    private final int disableAfter;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "sandbox-event-streams");
        thread.setDaemon(true);
        return thread;
    });
    private final List<String> delivered = new ArrayList<>();
    private int failedPermanently;
    private int failedInARow;
    private boolean disabled;

    /**
     * @param attempts         tries of each event (OneSignal retries "a few times")
     * @param firstRetryMillis the first retry's delay; each later one waits twice as long
     * @param disableAfter     events failed permanently in a row after which the stream is disabled
     */
    public EventStreamsEmitter(URI url, String method, Map<String, String> headers, String template, int attempts,
                               long firstRetryMillis, int disableAfter) {
        this.url = url;
        this.method = method;
        this.headers = Map.copyOf(headers);
        this.template = template;
        this.attempts = attempts;
        this.firstRetryMillis = firstRetryMillis;
        this.disableAfter = disableAfter;
    }

    /** Sends one event (its fields by Liquid name) in the background, in order after the others. */
    public void emit(Map<String, String> fields) {
        Map<String, String> event = new LinkedHashMap<>(fields);
        event.putIfAbsent("event.id", UUID.randomUUID().toString());
        Instant now = Instant.now();
        event.putIfAbsent("event.timestamp", String.valueOf(now.getEpochSecond()));
        event.putIfAbsent("event.datetime", now.toString());
        sender.execute(() -> send(event));
    }

    /** The body the template makes of these fields: each field JSON-escaped, absent fields empty. */
    public String render(Map<String, String> fields) {
        Matcher matcher = FIELD.matcher(template);
        StringBuilder body = new StringBuilder();
        while (matcher.find()) {
            String value = fields.getOrDefault(matcher.group(1), "");
            matcher.appendReplacement(body, Matcher.quoteReplacement(new String(JsonStringEncoder.getInstance().quoteAsString(value))));
        }
        matcher.appendTail(body);
        return body.toString();
    }

    private void send(Map<String, String> event) {
        synchronized (this) {
            if (disabled) {
                return;
            }
        }
        String body = render(event);
        long delay = firstRetryMillis;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            int status = post(body);
            if (status >= 200 && status < 300) {
                synchronized (this) {
                    delivered.add(event.get("event.id"));
                    failedInARow = 0;
                }
                return;
            }
            boolean retryable = status == 0 || status == 429 || status >= 500;
            if (!retryable || attempt == attempts) {
                break;
            }
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            delay *= 2;
        }
        synchronized (this) {
            failedPermanently++;
            disabled = ++failedInARow >= disableAfter;
        }
    }

    private int post(String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** The event ids the receiver answered 2xx, in the order sent. */
    public synchronized List<String> delivered() {
        return List.copyOf(delivered);
    }

    public synchronized int failedPermanently() {
        return failedPermanently;
    }

    /** Whether the stream stopped after too many events failed in a row (OneSignal emails its admins then). */
    public synchronized boolean disabled() {
        return disabled;
    }

    @Override
    public void close() {
        sender.shutdownNow();
    }
}
