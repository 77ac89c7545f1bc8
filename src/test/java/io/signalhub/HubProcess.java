package io.signalhub;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hub as its own operating-system process, the way it is deployed: {@code java io.signalhub.SignalHub}
 * from the project folder (routes/ and config/), settings as {@code -D} properties, its output in
 * {@code target/hub-processes/<name>.log}. Restarts keep the same ports and settings.
 */
public final class HubProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Map<String, String> settings;
    private final List<String> jvmOptions;
    private final List<String> launch;
    private final int port;
    private final int managementPort;
    private final Path log;
    private boolean portsFromEnvironment;
    private final Map<String, String> environment = new HashMap<>();
    private Process process;
    private long startupMillis;

    private HubProcess(String name, Map<String, String> settings, List<String> jvmOptions, List<String> launch) throws IOException {
        this.name = name;
        this.settings = new LinkedHashMap<>(settings);
        this.jvmOptions = List.copyOf(jvmOptions);
        this.launch = List.copyOf(launch);
        int[] ports = TestHub.freePorts(2);
        this.port = ports[0];
        this.managementPort = ports[1];
        this.log = Path.of("target", "hub-processes", name + ".log");
        Files.createDirectories(log.getParent());
        Files.deleteIfExists(log);
    }

    /** Starts a hub process from the test classpath and returns once its health check answers UP. */
    public static HubProcess start(String name, Map<String, String> settings, String... jvmOptions) throws Exception {
        HubProcess hub = new HubProcess(name, settings, List.of(jvmOptions), List.of("-cp",
                System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")), SignalHub.class.getName()));
        hub.start();
        return hub;
    }

    /** Starts a hub process whose ports come from HUB_HTTP_PORT and HUB_MANAGEMENT_PORT, as a container sets them. */
    public static HubProcess startWithPortsFromEnvironment(String name, Map<String, String> settings) throws Exception {
        HubProcess hub = new HubProcess(name, settings, List.of(), List.of("-cp",
                System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")), SignalHub.class.getName()));
        hub.portsFromEnvironment = true;
        hub.start();
        return hub;
    }

    /** Starts the packaged hub ({@code java -jar target/signalhub.jar}), as deployed, with these environment variables. */
    public static HubProcess startJar(Path jar, String name, Map<String, String> settings, Map<String, String> environment,
                                      String... jvmOptions) throws Exception {
        HubProcess hub = new HubProcess(name, settings, List.of(jvmOptions), List.of("-jar", jar.toString()));
        hub.environment.putAll(environment);
        hub.start();
        return hub;
    }

    public void start() throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        if (portsFromEnvironment) {
            builder.environment().put("HUB_HTTP_PORT", String.valueOf(port));
            builder.environment().put("HUB_MANAGEMENT_PORT", String.valueOf(managementPort));
        } else {
            command.add("-Dcamel.server.port=" + port);
            command.add("-Dcamel.management.port=" + managementPort);
        }
        settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(launch);
        long spawned = System.nanoTime();
        process = builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!healthy()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("hub process " + name + " did not start; its log " + log + " ends with:\n" + tail());
            }
            Thread.sleep(20);
        }
        startupMillis = (System.nanoTime() - spawned) / 1_000_000;
    }

    /** From spawning the JVM to the health check answering UP, in the latest start. */
    public long startupMillis() {
        return startupMillis;
    }

    /** A size of the hub's JVM from /proc/&lt;pid&gt;/status in kB, e.g. VmRSS (resident now) or VmHWM (peak resident). */
    public long memoryKb(String field) throws IOException {
        return memoryKb(hubPid(), field);
    }

    /** A size from /proc/&lt;pid&gt;/status of any process, in kB. */
    public static long memoryKb(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException(field + " not in /proc/" + pid + "/status");
    }

    /** CPU time (user + system) the hub's JVM used so far, in seconds. */
    public double cpuSeconds() throws IOException {
        return cpuSeconds(hubPid());
    }

    /** CPU time (user + system) any process used so far, in seconds. */
    public static double cpuSeconds(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // utime and stime are fields 14 and 15 of stat (11 and 12 after the command name), in clock ticks of 1/100 s
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
    }

    /** SIGKILL: no shutdown hook, no graceful stop, nothing flushed (the hub a launcher started first). */
    public void kill() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM: Camel's graceful shutdown. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    /** The processes this one started: the hub itself, where a launcher gave it the memory defaults. */
    public List<ProcessHandle> children() {
        return process.children().toList();
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** The process started: the hub, or the launcher that runs it with the memory defaults. */
    public long pid() {
        return process.pid();
    }

    /** The hub's own JVM: the one the launcher started, where there is a launcher. */
    public long hubPid() {
        return process.children().findFirst().map(ProcessHandle::pid).orElse(process.pid());
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    public boolean healthy() {
        return status("/observe/health") == 200;
    }

    /** The status of a GET on the management server, e.g. /observe/health/live; 0 when it does not answer. */
    public int status(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(managementUrl() + path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** The sum of a Prometheus series at /observe/metrics over the label sets that contain {@code labels}. */
    public double metric(String series, String labels) throws Exception {
        String text = HTTP.send(HttpRequest.newBuilder(URI.create(managementUrl() + "/observe/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher line = Pattern.compile("(?m)^" + Pattern.quote(series) + "(\\{[^}]*})? ([0-9.eE+-]+)$").matcher(text);
        double sum = 0;
        while (line.find()) {
            if (labels.isEmpty() || (line.group(1) != null && line.group(1).contains(labels))) {
                sum += Double.parseDouble(line.group(2));
            }
        }
        return sum;
    }

    public HttpResponse<String> post(String path, String token, String body) throws Exception {
        return post(path, body, token == null ? null : "Bearer " + token, Duration.ofSeconds(30));
    }

    /** A JSON POST with any Authorization header (or none), waiting at most {@code timeout} for the answer. */
    public HttpResponse<String> post(String path, String body, String authorization, Duration timeout) throws Exception {
        return post(URI.create(baseUrl() + path), body, authorization, timeout);
    }

    /** The same to any server, through the client every hub process is called with. */
    public static HttpResponse<String> post(URI uri, String body, String authorization, Duration timeout) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    public Path log() {
        return log;
    }

    @Override
    public void close() throws InterruptedException {
        if (alive()) {
            stop();
        }
    }
}
