package io.signalhub;

import java.util.Arrays;

import org.apache.camel.main.Main;

/**
 * Runs the hub: {@code java -jar signalhub.jar [--sandbox]} from the directory holding routes/ and config/
 * (without a heap option, in a JVM of the hub's memory settings: {@link MemoryDefaults}).
 */
public final class SignalHub {

    private SignalHub() {
    }

    public static void main(String[] args) throws Exception {
        if (MemoryDefaults.needed()) {
            System.exit(MemoryDefaults.runHub(args));
        }
        MemoryDefaults.followLauncher();
        Main main = create();
        if (Arrays.asList(args).contains("--sandbox")) {
            main.addOverrideProperty("hub.sandbox", "true");
        }
        main.run(Arrays.stream(args).filter(a -> !a.equals("--sandbox")).toArray(String[]::new));
    }

    /**
     * The hub and its settings file; the tests use it too. HubConfiguration is named, not found by
     * scanning: Camel's scan of a base package reads every entry of the shaded jar (a second of the start).
     */
    public static Main create() {
        Main main = new Main();
        main.configure().addConfiguration(HubConfiguration.class);
        main.setDefaultPropertyPlaceholderLocation("file:config/application.properties");
        return main;
    }
}
