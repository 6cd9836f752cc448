package org.mailkeep.imap;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.mailkeep.store.Address;
import org.mailkeep.store.Directory;
import org.mailkeep.testsupport.ApplianceTestResource;
import org.mailkeep.testsupport.Swaks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real IMAP clients against the running appliance on loopback: curl, mbsync (isync), offlineimap3, mutt (in tmux)
 * and fetchmail, each syncing a mailbox filled through the appliance's own SMTP (swaks to the MX port), both ways
 * where the client can.
 */
@QuarkusTest
@QuarkusTestResource(value = ApplianceTestResource.class, restrictToAnnotatedClass = true)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImapClientsTest {

    static final String PASSWORD = "client-secret-1";

    @Inject
    Directory directory;

    int imaps() {
        return ApplianceTestResource.PORTS.get("mailkeep.imaps.port");
    }

    int imap() {
        return ApplianceTestResource.PORTS.get("mailkeep.imap.port");
    }

    Path cert() {
        return ApplianceTestResource.dataDir.resolve("tls/cert.pem");
    }

    /** A fresh account with {@code n} messages in its INBOX, each delivered by swaks through the MX. */
    String account(String name, int n) throws Exception {
        String address = name + "@example.test";
        directory.createAccount(Address.parse(address).orElseThrow(), PASSWORD, name);
        for (int i = 1; i <= n; i++) {
            deliver(address, i);
        }
        return address;
    }

    /** Sends test message {@code i} to {@code address} through the MX with swaks, byte for byte (no line is dot-stuffed). */
    static void deliver(String address, int i) throws Exception {
        Path data = Files.createTempFile("message", ".eml");
        try {
            Files.writeString(data, TestMessages.message(i) + ".\r\n");
            assertThat(Swaks.toMx("--from", "bob@example.net", "--to", address, "--no-data-fixup", "--data", "@" + data))
                    .contains("250 2.0.0 OK");
        } finally {
            Files.delete(data);
        }
    }

    static String run(Path home, List<String> command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("HOME", home.toString());
        Process process = builder.start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String text = new String(output, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("%s exited with output:%n%s", command.get(0), text).isZero();
        return text;
    }

    ImapTestClient login(String user) throws Exception {
        ImapTestClient client = ImapTestClient.tls(imaps());
        assertThat(ImapProtocolTest.last(client.command("LOGIN " + user + " " + PASSWORD))).contains("OK");
        return client;
    }

    String status(String user, String mailbox) throws Exception {
        try (ImapTestClient client = login(user)) {
            return client.command("STATUS " + mailbox + " (MESSAGES UNSEEN)").get(0);
        }
    }

    @Test
    void curlOverStartTls() throws Exception {
        String user = account("curl", 3);
        Path home = Files.createTempDirectory("curl-home");
        List<String> base = List.of("curl", "-sS", "--ssl-reqd", "--cacert", cert().toString(), "-u", user + ":" + PASSWORD);
        String list = run(home, concat(base, "imap://localhost:" + imap() + "/"));
        assertThat(list).contains("\"INBOX\"").contains("\"Archive\"");
        String search = run(home, concat(base, "imap://localhost:" + imap() + "/INBOX?ALL"));
        assertThat(search.trim()).isEqualTo("* SEARCH 1 2 3");
        String message = run(home, concat(base, "imap://localhost:" + imap() + "/INBOX;UID=2"));
        // as sent, below the trace fields the MX put on top (Received, Authentication-Results)
        assertThat(message.replace("\r\n", "\n")).startsWith("Return-Path:").endsWith(TestMessages.message(2).replace("\r\n", "\n"));
        Path upload = home.resolve("upload.eml");
        Files.writeString(upload, "From: curl@example.test\r\nSubject: uploaded by curl\r\n\r\nHi\r\n");
        run(home, concat(base, "-T", upload.toString(), "imap://localhost:" + imap() + "/Sent"));
        run(home, concat(base, "imap://localhost:" + imap() + "/INBOX", "-X", "UID STORE 1 +FLAGS (\\Seen)"));
        assertThat(status(user, "Sent")).contains("MESSAGES 1");
        assertThat(status(user, "INBOX")).contains("MESSAGES 3 UNSEEN 1"); // UID=2 was read by the fetch, UID 1 by STORE
    }

    @Test
    void mbsyncBothWays() throws Exception {
        String user = account("mbsync", 6);
        Path home = Files.createTempDirectory("mbsync-home");
        Path mail = Files.createDirectories(home.resolve("mail"));
        Path config = home.resolve("mbsyncrc");
        Files.writeString(config, """
                IMAPAccount mk
                Host localhost
                Port %d
                User %s
                Pass %s
                SSLType IMAPS
                CertificateFile %s

                IMAPStore remote
                Account mk

                MaildirStore local
                Path %s/
                Inbox %s/INBOX
                SubFolders Verbatim

                Channel mk
                Far :remote:
                Near :local:
                Patterns *
                Create Both
                Expunge Both
                SyncState *
                Sync All
                """.formatted(imaps(), user, PASSWORD, cert(), mail, mail));
        run(home, List.of("mbsync", "-c", config.toString(), "-a"));
        List<Path> inbox = files(mail.resolve("INBOX"));
        assertThat(inbox).hasSize(6);
        assertThat(Files.isDirectory(mail.resolve("Archive/cur"))).isTrue();
        // locally: read one, delete one, move one to Archive, write one into Drafts
        Path seen = inbox.get(0);
        Files.move(seen, seen.resolveSibling(seen.getFileName() + "S").getParent().getParent().resolve("cur")
                .resolve(seen.getFileName().toString().replaceAll(":2,.*$", "") + ":2,S"));
        Files.delete(inbox.get(1));
        Files.move(inbox.get(2), mail.resolve("Archive/cur").resolve(inbox.get(2).getFileName().toString().replaceAll(",U=\\d+", "")));
        Files.writeString(mail.resolve("Drafts/new/1700000000.local.draft"), "From: mbsync@example.test\r\nSubject: local draft\r\n\r\nx\r\n");
        run(home, List.of("mbsync", "-c", config.toString(), "-a"));
        assertThat(status(user, "INBOX")).contains("MESSAGES 4 UNSEEN 3");
        assertThat(status(user, "Archive")).contains("MESSAGES 1");
        assertThat(status(user, "Drafts")).contains("MESSAGES 1");
        // server side changes flow back: a new delivery and a flag set by another client
        deliver(user, 50);
        try (ImapTestClient client = login(user)) {
            client.command("SELECT INBOX");
            client.command("STORE 1:* +FLAGS (\\Flagged)");
        }
        run(home, List.of("mbsync", "-c", config.toString(), "-a"));
        List<Path> after = files(mail.resolve("INBOX"));
        assertThat(after).hasSize(5);
        assertThat(after).allMatch(p -> p.getFileName().toString().matches(".*:2,[A-Z]*F[A-Z]*$") || p.getParent().endsWith("new"));
    }

    @Test
    void offlineimapBothWays() throws Exception {
        String user = account("offline", 5);
        Path home = Files.createTempDirectory("offlineimap-home");
        Path mail = Files.createDirectories(home.resolve("mail"));
        Path config = home.resolve("offlineimaprc");
        Files.writeString(config, """
                [general]
                accounts = mk
                metadata = %s/meta

                [Account mk]
                localrepository = local
                remoterepository = remote

                [Repository local]
                type = Maildir
                localfolders = %s

                [Repository remote]
                type = IMAP
                remotehost = localhost
                remoteport = %d
                remoteuser = %s
                remotepass = %s
                ssl = yes
                sslcacertfile = %s
                """.formatted(home, mail, imaps(), user, PASSWORD, cert()));
        List<String> command = List.of("offlineimap", "-c", config.toString(), "-o", "-u", "basic");
        run(home, command);
        List<Path> inbox = files(mail.resolve("INBOX"));
        assertThat(inbox).hasSize(5);
        Path read = inbox.get(0);
        Files.move(read, read.getParent().getParent().resolve("cur").resolve(read.getFileName().toString().replaceAll(":2,.*$", "") + ":2,S"));
        Files.delete(inbox.get(1));
        Files.writeString(mail.resolve("Sent/new/1700000001.local.sent"), "From: offline@example.test\r\nSubject: sent offline\r\n\r\nx\r\n");
        run(home, command);
        assertThat(status(user, "INBOX")).contains("MESSAGES 4 UNSEEN 3");
        assertThat(status(user, "Sent")).contains("MESSAGES 1");
    }

    @Test
    void muttInTmuxReadsDeletesAndSaves() throws Exception {
        String user = account("mutt", 4);
        Path home = Files.createTempDirectory("mutt-home");
        Path rc = home.resolve("muttrc");
        Files.writeString(rc, """
                set folder="imaps://%s@localhost:%d/"
                set spoolfile="+INBOX"
                set imap_pass="%s"
                set ssl_force_tls=yes
                set certificate_file="%s"
                set record=""
                set postponed="+Drafts"
                set move=no
                set confirmappend=no
                set confirmcreate=no
                set delete=yes
                set quit=yes
                set sort=date
                set mail_check=1
                set timeout=1
                """.formatted(user.replace("@", "%40"), imaps(), PASSWORD, cert()));
        String session = "mailkeep-mutt-" + ProcessHandle.current().pid();
        run(home, List.of("tmux", "new-session", "-d", "-s", session, "-x", "200", "-y", "50",
                "env HOME=" + home + " TERM=xterm mutt -n -F " + rc));
        try {
            String screen = waitForScreen(home, session, "Plain message 4");
            assertThat(screen).contains("Report 2 with attachment");
            tmux(home, session, "d");           // delete the current message
            tmux(home, session, "s");           // save (move) the next one to Archive
            Thread.sleep(500);
            tmux(home, session, "=Archive", "Enter");
            Thread.sleep(1000);
            tmux(home, session, "$");           // sync: expunge the deleted ones
            Thread.sleep(1500);
            tmux(home, session, "q");
            Thread.sleep(1500);
        } finally {
            new ProcessBuilder("tmux", "kill-session", "-t", session).start().waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(status(user, "INBOX")).contains("MESSAGES 2");
        assertThat(status(user, "Archive")).contains("MESSAGES 1");
    }

    private static void tmux(Path home, String session, String... keys) throws Exception {
        List<String> command = new ArrayList<>(List.of("tmux", "send-keys", "-t", session));
        command.addAll(List.of(keys));
        run(home, command);
    }

    private static String waitForScreen(Path home, String session, String text) throws Exception {
        String screen = "";
        for (int i = 0; i < 60; i++) {
            screen = run(home, List.of("tmux", "capture-pane", "-p", "-t", session));
            if (screen.contains(text)) {
                return screen;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("mutt did not show '" + text + "':\n" + screen);
    }

    @Test
    void fetchmailDownloadsAndDeletes() throws Exception {
        String user = account("fetch", 4);
        Path home = Files.createTempDirectory("fetchmail-home");
        Path out = home.resolve("fetched");
        Path rc = home.resolve("fetchmailrc");
        Files.writeString(rc, """
                set no syslog
                poll localhost with proto IMAP port %d
                  user "%s" there with password "%s" is "%s" here
                  ssl sslcertck sslcertfile "%s"
                  fetchall nokeep
                  mda "/bin/sh -c 'cat >> %s'"
                """.formatted(imaps(), user, PASSWORD, System.getProperty("user.name"), cert(), out));
        Files.setPosixFilePermissions(rc, PosixFilePermissions.fromString("rw-------"));
        run(home, List.of("fetchmail", "-f", rc.toString(), "--nodetach", "-d0"));
        String fetched = Files.readString(out);
        for (int i = 1; i <= 4; i++) {
            assertThat(fetched).contains("<m" + i + "@example.net>");
        }
        assertThat(status(user, "INBOX")).contains("MESSAGES 0");
    }

    private static List<Path> files(Path maildir) throws IOException {
        List<Path> files = new ArrayList<>();
        for (String sub : List.of("cur", "new")) {
            try (Stream<Path> stream = Files.list(maildir.resolve(sub))) {
                stream.sorted().forEach(files::add);
            }
        }
        return files;
    }

    private static List<String> concat(List<String> base, String... more) {
        List<String> all = new ArrayList<>(base);
        all.addAll(List.of(more));
        return all;
    }
}
