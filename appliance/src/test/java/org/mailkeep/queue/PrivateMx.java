package org.mailkeep.queue;

import org.mailkeep.testsupport.ApplianceTestResource;
import org.mailkeep.testsupport.DkimTools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A Postfix of the outbound tests' own (test-support/postfix-instance.sh) on a free port of 127.0.0.1: the
 * remote MX for {@code domains}, STARTTLS with the peers' certificate (it names mail.example.test), storing
 * into {@code <dir>/vmail/catchall/new}. {@code extraMain} changes what it offers (no 8BITMIME, no SMTPUTF8).
 * The directory is one of its own, readable by Postfix's unprivileged daemons (a JUnit TempDir is not).
 */
final class PrivateMx {

    private PrivateMx() {
    }

    record Instance(Path dir, int port) {
        Path maildir() {
            return dir.resolve("vmail/catchall/new");
        }
    }

    static Instance start(String domains, String extraMain) throws IOException, InterruptedException {
        int port = ApplianceTestResource.freePort();
        Path dir = Files.createTempDirectory("mailkeep-private-mx-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.createDirectories(dir.resolve("vmail"));
        DkimTools.run(List.of("chown", "nobody:nogroup", dir.resolve("vmail").toString()), null);
        ProcessBuilder pb = new ProcessBuilder("../test-support/postfix-instance.sh", "start", dir.toString(), Integer.toString(port))
                .redirectErrorStream(true);
        // a delivery service of its own name: whether the script's master.cf has "virtual" differs between its versions
        pb.environment().put("POSTFIX_MASTER_EXTRA", "mk-virtual unix - n n - - virtual");
        Process postfix = pb.start();
        postfix.getOutputStream().write(("virtual_transport = mk-virtual\nvirtual_mailbox_domains = " + domains + "\nvirtual_mailbox_base = " + dir.resolve("vmail") + "\n"
                + "virtual_mailbox_maps = static:catchall/\nvirtual_uid_maps = static:65534\nvirtual_gid_maps = static:65534\n"
                + "smtpd_tls_security_level = may\nsmtpd_tls_cert_file = " + DkimTools.PEERS.resolve("tls.crt") + "\n"
                + "smtpd_tls_key_file = " + DkimTools.PEERS.resolve("tls.key") + "\n" + extraMain).getBytes(StandardCharsets.US_ASCII));
        postfix.getOutputStream().close();
        String output = new String(postfix.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (postfix.waitFor() != 0) {
            throw new IOException("private Postfix did not start: " + output);
        }
        return new Instance(dir, port);
    }

    static void stop(Instance instance) throws IOException, InterruptedException {
        if (instance != null) {
            DkimTools.run(List.of("../test-support/postfix-instance.sh", "stop", instance.dir().toString()), null);
        }
    }
}
