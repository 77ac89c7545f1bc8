package io.signalhub;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** A certificate for 127.0.0.1 and localhost made by the JDK's keytool for one test run, and a truststore holding it. */
public record TestCertificates(Path keystore, Path truststore, String password) {

    public static TestCertificates create() throws Exception {
        Path dir = Files.createTempDirectory("signalhub-certificates");
        String password = "store-secret";
        Path keystore = dir.resolve("server.p12");
        Path certificate = dir.resolve("server.pem");
        Path truststore = dir.resolve("truststore.p12");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", password);
        keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", keystore.toString(), "-storepass", password,
                "-file", certificate.toString());
        keytool("-importcert", "-noprompt", "-alias", "server", "-file", certificate.toString(),
                "-keystore", truststore.toString(), "-storetype", "PKCS12", "-storepass", password);
        return new TestCertificates(keystore, truststore, password);
    }

    /** A client TLS context that trusts this certificate only. */
    public SSLContext clientContext() throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(truststore)) {
            trusted.load(in, password.toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static void keytool(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("keytool " + arguments[0] + " failed: " + output);
        }
    }
}
