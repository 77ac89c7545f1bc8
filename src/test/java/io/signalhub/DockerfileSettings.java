package io.signalhub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the Dockerfile's {@code ENV} gives the hub's JVM: the benchmarks run the hub the same way. */
public final class DockerfileSettings {

    private static final Path DOCKERFILE = Path.of("Dockerfile");

    private DockerfileSettings() {
    }

    /** {@code JAVA_OPTS}, option by option. */
    public static List<String> javaOptions() throws IOException {
        return Arrays.asList(variable("JAVA_OPTS").split("\\s+"));
    }

    /** The value of an {@code ENV} variable, quotes removed. */
    public static String variable(String name) throws IOException {
        Matcher value = Pattern.compile("\\b" + name + "=(\"[^\"]*\"|\\S+)").matcher(Files.readString(DOCKERFILE));
        if (!value.find()) {
            throw new IllegalStateException("the Dockerfile sets no " + name);
        }
        return value.group(1).replace("\"", "");
    }
}
