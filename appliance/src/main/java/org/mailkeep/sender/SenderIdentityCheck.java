package org.mailkeep.sender;

import jakarta.inject.Singleton;
import org.apache.james.mime4j.dom.address.Address;
import org.apache.james.mime4j.dom.address.AddressList;
import org.apache.james.mime4j.dom.address.Group;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.field.address.DefaultAddressParser;
import org.mailkeep.policy.InboundCheck;
import org.mailkeep.policy.SmtpContext;
import org.mailkeep.policy.Verdict;
import org.mailkeep.store.Directory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Submission accepts a message only from an address its user may send as ({@link SenderIdentities}): the envelope
 * sender at MAIL FROM ({@code 553 5.7.1}, as Postfix's {@code reject_sender_login_mismatch}) and every mailbox of the
 * {@code From:} field at the end of DATA ({@code 550 5.7.1}). RFC 5322 §3.6 allows one From field: a message with
 * several is refused too (a reader may show one, DMARC evaluate another). Runs first in the policy chain.
 */
@Singleton // no client proxy: the policy chain logs each check by its class name
@io.quarkus.arc.Unremovable // found through PolicyChain's Instance<InboundCheck>
public class SenderIdentityCheck implements InboundCheck {

    private final Directory directory;
    private final SenderIdentities identities;

    public SenderIdentityCheck(Directory directory, SenderIdentities identities) {
        this.directory = directory;
        this.identities = identities;
    }

    @Override
    public Verdict mailFrom(SmtpContext context) {
        Optional<Directory.Account> account = submitter(context);
        if (account.isEmpty() || identities.mayUse(account.get(), context.envelopeFrom())) {
            return Verdict.ACCEPT;
        }
        return Verdict.reject("553", "5.7.1", "Sender address not owned by " + account.get().address(),
                "sender not owned: " + context.envelopeFrom());
    }

    @Override
    public Verdict data(SmtpContext context, Path message) {
        Optional<Directory.Account> account = submitter(context);
        if (account.isEmpty()) {
            return Verdict.ACCEPT;
        }
        List<String> froms = context.headers(message).all("From");
        if (froms.isEmpty()) {
            return Verdict.ACCEPT; // nothing to align with our DKIM signature (RFC 7489 §6.6.1 needs a From domain)
        }
        if (froms.size() > 1) {
            return Verdict.reject("550", "5.7.1", "The message needs exactly one From: field (RFC 5322 3.6)", "From: fields: " + froms.size());
        }
        List<String> addresses = mailboxes(froms.get(0));
        if (addresses.isEmpty()) {
            return Verdict.reject("550", "5.7.1", "The From: field holds no address", "unreadable From: " + froms.get(0).strip());
        }
        for (String address : addresses) {
            if (!identities.mayUse(account.get(), address)) {
                return Verdict.reject("550", "5.7.1", "From address " + asciiOrHidden(address) + " is not one of "
                        + account.get().address() + "'s sender identities", "From: not owned: " + address);
            }
        }
        return Verdict.ACCEPT;
    }

    /** The authenticated submission user's account, or empty for MX sessions. */
    private Optional<Directory.Account> submitter(SmtpContext context) {
        if (context.listener() != SmtpContext.Listener.SUBMISSION || context.authenticatedUser() == null) {
            return Optional.empty();
        }
        return directory.account(context.authenticatedUser());
    }

    /** Every mailbox address of a From field (RFC 5322 §3.4, groups flattened); empty when it does not parse. */
    static List<String> mailboxes(String value) {
        List<String> result = new ArrayList<>();
        AddressList list;
        try {
            list = DefaultAddressParser.DEFAULT.parseAddressList(value);
        } catch (org.apache.james.mime4j.field.address.ParseException | RuntimeException e) {
            return result;
        }
        for (Address a : list) {
            List<Mailbox> mailboxes = a instanceof Group g ? g.getMailboxes() : a instanceof Mailbox m ? List.of(m) : List.of();
            mailboxes.forEach(m -> result.add(m.getAddress()));
        }
        return result;
    }

    /** Reply text is ASCII (RFC 5321 §4.2). */
    private static String asciiOrHidden(String address) {
        return address.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f) ? address : "(non-ASCII address)";
    }
}
