package io.signalhub;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.signalhub.sandbox.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's plain {@code java -jar signalhub.jar}: no heap option, and the hub still runs in its 256 MB heap. */
class MemoryDefaultsTest {

    @RegisterExtension
    static final FakeVendors VENDORS = new FakeVendors();
    private static final Sandbox FAKES = VENDORS.sandbox;
    private static final double MB = 1024 * 1024;

    @Test
    void withoutAHeapOptionTheHubRunsInA256MegabyteHeapWithTheSerialCollectorAndStopsWithItsLauncher() throws Exception {
        ProcessHandle launched;
        try (HubProcess hub = HubProcess.start("memory-defaults", TestHub.settings(FAKES, TestHub.newTopic()))) {
            List<ProcessHandle> children = hub.children();
            assertEquals(1, children.size(), "the launcher runs the hub in a JVM of its own");
            launched = children.get(0);
            double maxHeap = hub.metric("jvm_memory_max_bytes", "area=\"heap\"");
            assertTrue(maxHeap > 200 * MB && maxHeap <= 256 * MB, "the hub's heap is at most 256 MB: " + maxHeap / MB + " MB");
            assertTrue(hub.metric("jvm_memory_max_bytes", "id=\"Tenured Gen\"") > 0, "the serial collector's old generation");
            List<String> arguments = List.of(Files.readString(Path.of("/proc", String.valueOf(launched.pid()), "cmdline")).split("\0"));
            assertTrue(arguments.containsAll(MemoryDefaults.options()), "the native memory settings too: " + arguments);
            assertTrue(Files.readString(Path.of("/proc", String.valueOf(launched.pid()), "environ")).contains("\0MALLOC_ARENA_MAX=2\0"),
                    "two malloc arenas");
            assertEquals(202, hub.post("/onesignal/events", TestHub.INGRESS_TOKEN, DataOutEndToEndTest.flatEvent("memory-1", "message.push.sent", "user-1")).statusCode());
        }
        // close() sent the launcher SIGTERM: it stopped the hub gracefully and waited for it
        assertFalse(launched.isAlive(), "the hub stops with its launcher");
    }

    @Test
    void aKilledLauncherTakesTheHubWithIt() throws Exception {
        try (HubProcess hub = HubProcess.start("memory-defaults-orphan", TestHub.settings(FAKES, TestHub.newTopic()))) {
            ProcessHandle launched = hub.children().get(0);
            ProcessHandle.of(hub.pid()).orElseThrow().destroyForcibly();
            // the hub notices its launcher is gone and stops instead of holding the ports as an orphan
            assertTrue(launched.onExit().get(60, TimeUnit.SECONDS) != null);
            assertFalse(launched.isAlive());
        }
    }

    @Test
    void aHeapOptionOfTheOperatorsIsTakenAsGiven() throws Exception {
        try (HubProcess hub = HubProcess.start("memory-chosen", TestHub.settings(FAKES, TestHub.newTopic()), "-Xmx300m")) {
            assertEquals(List.of(), hub.children(), "no second JVM");
            double maxHeap = hub.metric("jvm_memory_max_bytes", "area=\"heap\"");
            assertTrue(maxHeap > 256 * MB && maxHeap <= 300 * MB, maxHeap / MB + " MB");
        }
    }

    @Test
    void theDockerfileGivesTheHubTheSameSettings() throws Exception {
        // this JDK has every flag of the hub's own settings, so none is left out here
        assertEquals(MemoryDefaults.options(), DockerfileSettings.javaOptions());
        for (Map.Entry<String, String> variable : MemoryDefaults.ENVIRONMENT.entrySet()) {
            assertEquals(variable.getValue(), DockerfileSettings.variable(variable.getKey()), variable.getKey());
        }
    }

    @Test
    void heapOptionsAreRecognisedInEveryForm() {
        for (String option : List.of("-Xmx1g", "-XX:MaxHeapSize=512m", "-XX:MaxRAMPercentage=50", "-XX:MaxRAM=2g")) {
            assertTrue(MemoryDefaults.isHeapOption(option), option);
        }
        for (String option : List.of("-Xms256m", "-XX:+UseSerialGC", "-Dhub.x=-Xmx", "-XX:InitialRAMPercentage=10")) {
            assertFalse(MemoryDefaults.isHeapOption(option), option);
        }
    }
}
