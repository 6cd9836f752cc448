package org.mailkeep.checks;

import jakarta.inject.Singleton;
import jakarta.inject.Inject;
import org.mailkeep.policy.InboundCheck;
import org.mailkeep.policy.SmtpContext;
import org.mailkeep.policy.Verdict;
import org.mailkeep.attachments.AttachmentConfig;
import org.mailkeep.attachments.AttachmentInspector;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;

/**
 * The attachment policy at the end of DATA, for every message (inbound and submitted): a refused attachment answers
 * 554 5.7.1 naming it, so the sender learns why (better than a silent drop, RFC 5321 §6.2).
 */
@Singleton // no client proxy: the policy chain logs each check by its class name
@io.quarkus.arc.Unremovable // found through PolicyChain's Instance<InboundCheck>; keeps its @ConfigMapping registered before the SMTP server uses the chain
public class AttachmentCheck implements InboundCheck {

    private final AttachmentInspector inspector;

    @Inject
    public AttachmentCheck(AttachmentConfig config) {
        this(new AttachmentInspector(new HashSet<>(config.blockedExtensions()), config.maxDepth(), config.maxExpandedBytes(), config.maxEntries()));
    }

    public AttachmentCheck(AttachmentInspector inspector) {
        this.inspector = inspector;
    }

    @Override
    public Verdict data(SmtpContext context, Path message) {
        Optional<AttachmentInspector.Finding> finding;
        try (InputStream in = Files.newInputStream(message)) {
            finding = inspector.inspect(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read spooled message " + message, e);
        }
        if (finding.isEmpty()) {
            return Verdict.ACCEPT;
        }
        AttachmentInspector.Finding f = finding.get();
        return Verdict.reject("554", "5.7.1", "Attachment not accepted: " + f.path() + ": " + f.reason(), "attachment " + f.path() + ": " + f.reason());
    }
}
