package org.mailkeep.imap;

import org.mailkeep.store.MessageStore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Random;

/** Realistic test messages (plain, alternative, attachments, forwarded messages, non-ASCII) delivered straight into the store. */
final class TestMessages {

    private TestMessages() {
    }

    static String message(int i) {
        String date = "Date: Mon, " + (1 + i % 28) + " Jan 2024 10:" + String.format("%02d", i % 60) + ":00 +0000\r\n";
        String common = "From: Bob Sender <bob@example.net>\r\nTo: alice@example.test\r\nMessage-ID: <m" + i + "@example.net>\r\n" + date;
        switch (i % 4) {
            case 0:
                return common + "Subject: Plain message " + i + "\r\n\r\nHello Alice,\r\nthis is message number " + i + ".\r\nBye\r\n";
            case 1:
                return common + "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= " + i + "\r\nMIME-Version: 1.0\r\n"
                        + "Content-Type: multipart/alternative; boundary=\"alt" + i + "\"\r\n\r\n"
                        + "preamble\r\n--alt" + i + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                        + "Sch=C3=B6ne Gr=C3=BC=C3=9Fe " + i + "\r\n--alt" + i + "\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
                        + "<p>Sch\u00f6ne Gr\u00fc\u00dfe</p>\r\n--alt" + i + "--\r\nepilogue\r\n";
            case 2: {
                byte[] attachment = new byte[3000 + (i % 7) * 1000];
                new Random(i).nextBytes(attachment);
                String b64 = Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(attachment);
                return common + "Subject: Report " + i + " with attachment\r\nMIME-Version: 1.0\r\n"
                        + "Content-Type: multipart/mixed; boundary=\"mix" + i + "\"\r\n\r\n"
                        + "--mix" + i + "\r\nContent-Type: text/plain\r\n\r\nSee the attached report " + i + ".\r\n"
                        + "--mix" + i + "\r\nContent-Type: application/pdf; name=\"report" + i + ".pdf\"\r\n"
                        + "Content-Disposition: attachment; filename=\"report" + i + ".pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                        + b64 + "\r\n--mix" + i + "--\r\n";
            }
            default:
                return common + "Subject: Fwd: forwarded " + i + "\r\nMIME-Version: 1.0\r\n"
                        + "Content-Type: multipart/mixed; boundary=\"fwd" + i + "\"\r\n\r\n"
                        + "--fwd" + i + "\r\nContent-Type: text/plain\r\n\r\nForwarding this.\r\n"
                        + "--fwd" + i + "\r\nContent-Type: message/rfc822\r\n\r\n"
                        + "From: carol@example.org\r\nSubject: original " + i + "\r\n\r\nOriginal body " + i + "\r\n"
                        + "--fwd" + i + "--\r\n";
        }
    }

    /** Delivers message {@code i} to the account's INBOX as the SMTP server would. */
    static void deliver(MessageStore store, long accountId, int i) throws IOException {
        deliver(store, accountId, message(i));
    }

    static void deliver(MessageStore store, long accountId, String text) throws IOException {
        Path spool = store.newSpoolFile();
        Files.write(spool, text.getBytes(StandardCharsets.UTF_8));
        store.deliver(spool, List.of(MessageStore.Delivery.inbox(accountId)));
    }
}
