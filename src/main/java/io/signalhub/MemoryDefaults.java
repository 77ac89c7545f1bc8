package io.signalhub;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import com.sun.management.HotSpotDiagnosticMXBean;
import org.slf4j.LoggerFactory;

/**
 * The hub's memory settings, for a command line that gives none. Without them, a plain
 * {@code java -jar signalhub.jar} lets the JVM take a quarter of the machine's memory as heap. On a 24 GB
 * machine the hub then grew to over 1 GB resident, although it is sized to run in a 256 MB heap. A JVM
 * cannot change its heap once it has started, so in that case the hub starts itself again with these
 * settings and waits for that process. A heap option given anywhere (the command line,
 * {@code JAVA_TOOL_OPTIONS}, {@code JDK_JAVA_OPTIONS}) means the operator has chosen, and the hub runs
 * as it was started.
 */
final class MemoryDefaults {

    /** The heap and collector the benchmarks measured the hub with (docs/benchmarks.md). */
    private static final List<String> HEAP = List.of("-Xmx256m", "-XX:+UseSerialGC");
    /**
     * Native memory, which the heap limit does not bound (about 10 MB less resident at the cohort
     * benchmark's peak, docs/benchmarks.md): freed malloc memory handed back to the system every 5 s
     * (the flag is in JDK 17.0.9 and later); the JDK's per-thread cache of temporary direct buffers capped
     * at 256 KB a buffer (Kafka's clients read and write through heap buffers, and the JDK keeps a direct
     * copy of the largest one per thread); one Netty arena for Vert.x's direct buffers, not two per core.
     */
    private static final List<String> NATIVE = List.of("-XX:TrimNativeHeapInterval=5000",
            "-Djdk.nio.maxCachedBufferSize=262144", "-Dio.netty.allocator.numDirectArenas=1");
    /**
     * glibc gives threads that allocate at once arenas of their own, up to eight per core, and memory
     * freed in them stays resident; two arenas are the usual setting for a JVM.
     */
    static final Map<String, String> ENVIRONMENT = Map.of("MALLOC_ARENA_MAX", "2");
    /** Set on the hub that a launcher started, which then stops when its launcher is gone. */
    private static final String LAUNCHED = "signalhub.launched-with-memory-defaults";
    private static final List<String> HEAP_OPTIONS = List.of("-Xmx", "-XX:MaxHeapSize=", "-XX:MaxRAM", "-XX:MaxRAMPercentage=");

    private MemoryDefaults() {
    }

    /** Whether this JVM was started without any heap limit of the operator's. */
    static boolean needed() {
        return !Boolean.getBoolean(LAUNCHED) && jvmOptions().stream().noneMatch(MemoryDefaults::isHeapOption);
    }

    /** The JVM options the hub runs with when the command gives no heap option (the Dockerfile gives the same). */
    static List<String> options() {
        List<String> options = new ArrayList<>(HEAP);
        NATIVE.stream().filter(option -> !option.startsWith("-XX:") || jvmHas(option.substring(4, option.indexOf('='))))
                .forEach(options::add);
        return options;
    }

    static boolean isHeapOption(String option) {
        return HEAP_OPTIONS.stream().anyMatch(option::startsWith);
    }

    /**
     * Runs the hub in a JVM with {@link #options()} and this JVM's own options, sharing this process's
     * console, and returns its exit code. Stopping this process stops that one gracefully.
     */
    static int runHub(String[] args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options());
        // options from JAVA_TOOL_OPTIONS or JDK_JAVA_OPTIONS reach the new JVM through the environment it inherits
        Set<String> inherited = new HashSet<>();
        for (String variable : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS")) {
            inherited.addAll(Arrays.asList(System.getenv().getOrDefault(variable, "").trim().split("\\s+")));
        }
        jvmOptions().stream().filter(option -> !inherited.contains(option)).forEach(command::add);
        command.add("-D" + LAUNCHED + "=true");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(SignalHub.class.getName());
        command.addAll(Arrays.asList(args));
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        ENVIRONMENT.forEach(builder.environment()::putIfAbsent);
        Process hub = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            hub.destroy();
            try {
                // Camel's graceful shutdown takes up to camel.main.shutdown-timeout (15 s)
                if (!hub.waitFor(60, TimeUnit.SECONDS)) {
                    hub.destroyForcibly();
                }
            } catch (InterruptedException e) {
                hub.destroyForcibly();
            }
        }, "signalhub-launcher"));
        return hub.waitFor();
    }

    /** In a hub started by {@link #runHub}: say so, and stop when the launcher is gone (it was killed). */
    static void followLauncher() {
        if (Boolean.getBoolean(LAUNCHED)) {
            LoggerFactory.getLogger(MemoryDefaults.class).info("The command gave no heap size: the hub runs with {} "
                    + "(give -Xmx, e.g. in JAVA_OPTS or JAVA_TOOL_OPTIONS, to choose)", String.join(" ", HEAP));
            ProcessHandle.current().parent().ifPresent(launcher -> launcher.onExit().thenRun(() -> System.exit(0)));
        }
    }

    private static boolean jvmHas(String flag) {
        try {
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).getVMOption(flag);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static List<String> jvmOptions() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments();
    }
}
