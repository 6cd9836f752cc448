package org.mailkeep.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The independent DKIM implementations the tests check our signatures with (PEERS.md): opendkim in test
 * mode with a TestPublicKeys file, python3-dkim's dkimverify resolving through the local unbound (its own
 * mount namespace with a resolv.conf naming 127.0.0.53), and nsupdate to publish key records in BIND.
 */
public final class DkimTools {

    public static final Path PEERS = Path.of(System.getenv().getOrDefault("PEERS", "/tmp/mailkeep-peers"));

    private DkimTools() {
    }

    /** Adds a TXT record to the example.test zone of the local BIND with the peers' TSIG key. */
    public static void publishTxt(String name, String quotedValue) throws Exception {
        String script = "server 127.0.0.1 5353\nzone example.test\nupdate add " + name + ". 60 TXT " + quotedValue + "\nsend\n";
        run(List.of("nsupdate", "-k", PEERS.resolve("bind/ddns.key").toString()), script);
    }

    /** opendkim's verdict lines for a message ("... verification successful" / "... failed"), keys given as name → TXT value. */
    public static String opendkim(Path message, Map<String, String> keys) throws Exception {
        Path dir = Files.createTempDirectory("opendkim-");
        StringBuilder keyFile = new StringBuilder();
        keys.forEach((name, value) -> keyFile.append(name).append(' ').append(value).append('\n'));
        Files.writeString(dir.resolve("keys"), keyFile);
        Files.writeString(dir.resolve("verify.conf"), "Mode v\nTestPublicKeys " + dir.resolve("keys") + "\nSyslog no\nLogResults yes\n");
        return run(List.of("opendkim", "-x", dir.resolve("verify.conf").toString(), "-t", message.toString()), null);
    }

    /** dkimverify's output for signature {@code index} (it prints "signature ok" on success). */
    public static String dkimverify(Path message, int index) throws Exception {
        Path resolv = Files.createTempFile("resolv-", ".conf");
        Files.writeString(resolv, "nameserver 127.0.0.53\n");
        return run(List.of("unshare", "-m", "sh", "-c", "mount --bind " + resolv + " /etc/resolv.conf && exec /usr/bin/python3 /usr/bin/dkimverify --index "
                + index + " < " + message), null);
    }

    public static String run(List<String> command, String stdin) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Process p = pb.start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(command + " timed out");
        }
        return out + "\n[exit " + p.exitValue() + "]";
    }
}
