package org.mailkeep.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** swaks, a real SMTP client, against the MX listener of the appliance that {@link ApplianceTestResource} started. */
public final class Swaks {

    private Swaks() {
    }

    /** Runs swaks with {@code args} against the MX port and answers its transcript (the SMTP replies tests look for). */
    public static String toMx(String... args) throws IOException, InterruptedException {
        return run("mailkeep.smtp.port", List.of(args));
    }

    /** As {@link #toMx}, on the submission port after STARTTLS, authenticated as {@code user}. */
    public static String toSubmission(String user, String password, String... args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("--tls", "--auth", "PLAIN", "--auth-user", user, "--auth-password", password));
        all.addAll(List.of(args));
        return run("mailkeep.submission.port", all);
    }

    private static String run(String portKey, List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("swaks", "--ehlo", "client.example.net", "--timeout", "30",
                "--server", "127.0.0.1:" + ApplianceTestResource.PORTS.get(portKey)));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("swaks did not finish:\n" + output);
        }
        return output;
    }
}
