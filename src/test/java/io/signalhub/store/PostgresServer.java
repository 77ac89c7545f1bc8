package io.signalhub.store;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for the tests, from the machine's PostgreSQL binaries ({@code .ci/run}
 * installs them when missing): a fresh cluster in a temporary folder on a free loopback port, run as
 * the {@code postgres} user when the tests run as root (PostgreSQL refuses root).
 */
public final class PostgresServer implements AutoCloseable {

    private final Process process;
    private final String url;

    private PostgresServer(Process process, String url) {
        this.process = process;
        this.url = url;
    }

    public String url() {
        return url;
    }

    public static PostgresServer start() throws Exception {
        Path bin = binaries();
        Path dir = Files.createTempDirectory("signalhub-postgres");
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
            Files.setOwner(dir, users.lookupPrincipalByName("postgres"));
        }
        Path data = dir.resolve("data");
        run(root, List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "signalhub", "--auth=trust",
                "--no-sync", "-E", "UTF8"));
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Process server = new ProcessBuilder(command(root, List.of(bin.resolve("postgres").toString(), "-D", data.toString(),
                "-p", String.valueOf(port), "-h", "127.0.0.1", "-k", dir.toString(), "-c", "fsync=off")))
                .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            try (var connection = DriverManager.getConnection(url, "signalhub", "")) {
                return new PostgresServer(server, url);
            } catch (Exception notYet) {
                if (System.currentTimeMillis() > deadline || !server.isAlive()) {
                    server.destroy();
                    throw new IllegalStateException("PostgreSQL did not start: " + Files.readString(dir.resolve("server.log")));
                }
                Thread.sleep(100);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }

    /** The folder of initdb and postgres: on the PATH, or Debian's /usr/lib/postgresql/<version>/bin. */
    private static Path binaries() throws IOException {
        for (String folder : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!folder.isEmpty() && Files.isExecutable(Path.of(folder, "initdb")) && Files.isExecutable(Path.of(folder, "postgres"))) {
                return Path.of(folder).toRealPath().getFileName().toString().equals("bin")
                        ? Path.of(folder) : Path.of(folder, "initdb").toRealPath().getParent();
            }
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                Path newest = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                        .max(Comparator.naturalOrder()).orElse(null);
                if (newest != null) {
                    return newest;
                }
            }
        }
        throw new IllegalStateException("PostgreSQL's initdb and postgres are not installed (.ci/run installs them)");
    }

    private static void run(boolean root, List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command(root, command)).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
    }

    private static List<String> command(boolean root, List<String> command) {
        List<String> full = new ArrayList<>();
        if (root) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        return full;
    }
}
