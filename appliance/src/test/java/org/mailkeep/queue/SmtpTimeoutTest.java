package org.mailkeep.queue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailkeep.dns.DnsjavaResolver;
import org.mailkeep.dns.NetworkStatus;
import org.mailkeep.mtasts.MtaSts;
import org.mailkeep.mtasts.MtaStsSchema;
import org.mailkeep.store.DataDirectory;
import org.mailkeep.store.Database;
import org.mailkeep.store.Settings;
import org.mailkeep.store.StoreSchema;

import javax.net.ssl.SSLContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RFC 5321 §4.5.3.2 timeouts against a real peer that accepts the connection and never greets: clamd (port
 * 13310), which waits silently for a command. example.net's MX is 127.0.0.1 in the test BIND.
 */
class SmtpTimeoutTest {

    @Test
    void aServerThatNeverGreetsFailsTheAttemptAfterTheGreetingTimeout(@TempDir Path dir) throws Exception {
        Database db = new Database(new DataDirectory(dir), List.of(new StoreSchema(), new QueueSchema(), new MtaStsSchema()), Integer.MAX_VALUE);
        DnsjavaResolver resolver = new DnsjavaResolver(List.of("127.0.0.1:5353"));
        SmtpDelivery delivery = new SmtpDelivery(new MxLookup(resolver), new MtaSts(resolver, db, SSLContext.getDefault(), 443),
                OutboundMail.config(Map.of("mailkeep.outbound.port", "13310", "mailkeep.outbound.greeting-timeout", "1s")),
                new Fallback(db, new Settings(db), new NetworkStatus()));
        Path message = Files.writeString(dir.resolve("m.eml"), "Subject: t\r\n\r\nbody\r\n", StandardCharsets.US_ASCII);
        SmtpDelivery.Message m = new SmtpDelivery.Message("alice@example.test", message, Files.size(message), new byte[0], false, false, null);
        long start = System.nanoTime();
        SmtpDelivery.Attempt attempt = delivery.direct(m, "example.net", Map.of(1L, "bob@example.net"), "mail.example.test");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(attempt.outcomes().get(1L).kind()).isEqualTo(Outcome.Kind.TEMPORARY);
        assertThat(attempt.outcomes().get(1L).text()).contains("no reply from mx.example.net[127.0.0.1]:13310 within 1s");
        assertThat(millis).isBetween(900L, 8000L);
        assertThat(attempt.trigger()).isNull(); // a silent server is not a blocked port 25
        db.close();
    }
}
