package org.mailkeep.imap;

import org.mailkeep.imap.ImapStore.FlagChange;
import org.mailkeep.imap.ImapStore.MailboxRow;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** STORE (RFC 3501 §6.4.6, RFC 7162 §3.1.3), COPY (§6.4.7, RFC 4315 COPYUID) and MOVE (RFC 6851). */
final class StoreAndCopy extends SessionPart {

    StoreAndCopy(ImapSession session) {
        super(session);
    }

    // ---- STORE, COPY, MOVE ----

    void store(Command.Store store) {
        String tag = store.tag();
        if (session.readOnly(tag)) {
            return;
        }
        if (!store.uid() && !session.selected.validSeqSet(store.set())) {
            sendTagged(tag, "BAD", "invalid message sequence number");
            return;
        }
        if (store.unchangedSince() >= 0) {
            session.condstore = true;
        }
        List<String> flags = store.flags().stream().filter(f -> !f.equals("\\Recent")).toList();
        long[] uids = session.selected.resolveUids(store.set(), store.uid());
        List<Long> modified = new ArrayList<>();
        for (int from = 0; from < uids.length; from += ImapSession.BATCH * 4) {
            long[] batch = Arrays.copyOfRange(uids, from, Math.min(uids.length, from + ImapSession.BATCH * 4));
            ImapStore.StoreResult result = services.store().store(session.selected.row.id(), batch, store.mode(), flags, store.unchangedSince());
            modified.addAll(result.modified());
            for (FlagChange change : result.changed()) {
                session.selected.ownModSeqs.add(change.modSeq());
                if (store.silent() && !session.condstore) {
                    continue;
                }
                int seq = session.selected.seq(change.uid());
                List<String> data = new ArrayList<>();
                if (!store.silent()) {
                    data.add("FLAGS (" + session.selected.flags(change.uid(), change.flags()) + ")");
                }
                if (store.uid()) {
                    data.add("UID " + change.uid());
                }
                if (session.condstore) {
                    data.add("MODSEQ (" + change.modSeq() + ")");
                }
                send("* " + seq + " FETCH (" + String.join(" ", data) + ")\r\n");
            }
        }
        session.refresh(store.uid());
        if (!modified.isEmpty()) {
            List<Long> numbers = store.uid() ? modified : modified.stream().map(u -> (long) session.selected.seq(u)).toList();
            sendTagged(tag, "OK", "[MODIFIED " + SequenceSet.format(numbers) + "] conditional STORE failed for some messages");
            return;
        }
        ok(tag, (store.uid() ? "UID " : "") + "STORE completed");
    }

    void copy(Command.Copy copy) {
        String tag = copy.tag();
        if (copy.move() && session.readOnly(tag)) {
            return;
        }
        if (!copy.uid() && !session.selected.validSeqSet(copy.set())) {
            sendTagged(tag, "BAD", "invalid message sequence number");
            return;
        }
        Optional<MailboxRow> target = services.store().mailbox(session.account.id(), copy.mailbox());
        if (target.isEmpty()) {
            sendTagged(tag, "NO", "[TRYCREATE] no such mailbox");
            return;
        }
        long[] uids = session.selected.resolveUids(copy.set(), copy.uid());
        if (uids.length == 0) {
            ok(tag, "nothing to " + (copy.move() ? "move" : "copy"));
            return;
        }
        ImapStore.CopyResult result = services.store().copy(session.account.id(), session.selected.row.id(), uids, target.get(), copy.move());
        String copyUid = "[COPYUID " + result.uidValidity() + " " + SequenceSet.format(result.sourceUids(), result.sourceUids().length) + " "
                + SequenceSet.format(result.targetUids(), result.targetUids().length) + "]";
        if (copy.move()) {
            // RFC 6851 §4.3: COPYUID in an untagged OK before the expunges
            send("* OK " + copyUid + " moved\r\n");
            session.selected.reportExpunged(result.sourceUids());
            session.refresh(true);
            ok(tag, (copy.uid() ? "UID " : "") + "MOVE completed");
        } else {
            session.refresh(copy.uid());
            ok(tag, copyUid + " " + (copy.uid() ? "UID " : "") + "COPY completed");
        }
    }
}
