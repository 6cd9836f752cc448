package org.mailkeep.imap;

import org.mailkeep.imap.ImapStore.FlagChange;
import org.mailkeep.imap.ImapStore.MailboxRow;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The selected mailbox (RFC 3501 §3.3): its message sequence map (UIDs, 4 bytes each), what the client was told so far,
 * and the updates it is owed (EXISTS, FETCH, EXPUNGE/VANISHED).
 */
final class SelectedState extends SessionPart {

    final MailboxRow row;
    final boolean readOnly;
    int[] uids;
    int count;
    long uidNext;
    long flagsModSeq;
    long expungeModSeq;
    volatile boolean dirty;
    boolean expungePending;
    final Set<Long> ownModSeqs = new HashSet<>();
    final Runnable watcher = this::changed;
    /** The UIDs recent in this session (RFC 3501 §2.3.2) as [from, to) ranges; none in an IMAP4rev2 session (RFC 9051 §2.3.2). */
    private final List<long[]> recent = new ArrayList<>();

    SelectedState(ImapSession session, MailboxRow row, boolean readOnly, int[] uids) {
        super(session);
        this.row = row;
        this.readOnly = readOnly;
        this.uids = uids;
        this.count = uids.length;
        this.uidNext = row.uidNext();
        this.flagsModSeq = row.highestModSeq();
        this.expungeModSeq = row.highestModSeq();
    }

    private void changed() {
        dirty = true;
        if (session.idleTag != null) {
            session.transport.submit(0, () -> {
                if (session.idleTag != null && !session.closed) {
                    session.refresh(true);
                    flush();
                }
            });
        }
    }

    long uid(int seq) {
        return uids[seq - 1] & 0xFFFFFFFFL;
    }

    /** Sequence number of a UID, or -1. */
    int seq(long uid) {
        int i = Arrays.binarySearch(uids, 0, count, (int) uid);
        return i >= 0 ? i + 1 : -1;
    }

    void add(long uid) {
        if (count == uids.length) {
            uids = Arrays.copyOf(uids, Math.max(16, count * 2));
        }
        uids[count++] = (int) uid;
    }

    void remove(int seq) {
        System.arraycopy(uids, seq, uids, seq - 1, count - seq);
        count--;
    }

    // ---- \Recent (RFC 3501 §2.3.2, §7.3.2; not in IMAP4rev2, RFC 9051 §2.3.2) ----

    /** Takes \Recent for the messages with UIDs in [fromUid, toUid) that no other session has learnt of (IMAP4rev1 only). */
    void takeRecent(long fromUid, long toUid) {
        if (session.rev2) {
            return;
        }
        long from = Math.max(fromUid, services.store().claimRecent(row.id(), toUid, !readOnly));
        if (from < toUid) {
            recent.add(new long[] {from, toUid});
        }
    }

    boolean recent(long uid) {
        for (long[] range : recent) {
            if (uid >= range[0] && uid < range[1]) {
                return true;
            }
        }
        return false;
    }

    /** The RECENT response's number: the messages still here that are recent in this session. */
    int recentCount() {
        int n = 0;
        for (long[] range : recent) {
            int from = Arrays.binarySearch(uids, 0, count, (int) range[0]);
            int to = Arrays.binarySearch(uids, 0, count, (int) range[1]);
            n += (to >= 0 ? to : -to - 1) - (from >= 0 ? from : -from - 1);
        }
        return n;
    }

    /** A message's flags as FETCH reports them: the stored ones, and \Recent when it is recent in this session. */
    String flags(long uid, String stored) {
        return !recent(uid) ? stored : stored.isEmpty() ? "\\Recent" : stored + " \\Recent";
    }

    // ---- changes made by other sessions (RFC 3501 §5.2, §7.4.1; RFC 7162 §3.2.10) ----

    /**
     * Tells the client what changed in the selected mailbox since it last heard: EXISTS for new messages, FETCH
     * for flag changes, and EXPUNGE (VANISHED with QRESYNC) only when {@code expungeAllowed} — never during
     * FETCH, STORE or SEARCH, whose sequence numbers must not shift (RFC 3501 §7.4.1).
     */
    void refresh(boolean expungeAllowed) {
        if (!dirty && !(expungeAllowed && expungePending)) {
            return;
        }
        dirty = false;
        Optional<MailboxRow> current = services.store().mailbox(session.account.id(), row.name());
        if (current.isEmpty() || current.get().id() != row.id()) {
            return; // renamed or deleted under us: the client learns on its next SELECT
        }
        MailboxRow now = current.get();
        if (expungeAllowed) {
            long[] expunged = services.store().expungedSince(row.id(), expungeModSeq);
            reportExpunged(expunged);
            expungeModSeq = now.highestModSeq();
            expungePending = false;
        } else if (now.highestModSeq() > expungeModSeq) {
            expungePending = true;
        }
        long oldUidNext = uidNext;
        if (now.uidNext() > uidNext) {
            for (long uid : services.store().uidsFrom(row.id(), uidNext)) {
                add(uid);
            }
            takeRecent(uidNext, now.uidNext());
            uidNext = now.uidNext();
            send("* " + count + " EXISTS\r\n");
            if (!session.rev2) {
                send("* " + recentCount() + " RECENT\r\n"); // RFC 3501 §7.3.2
            }
        }
        if (now.highestModSeq() > flagsModSeq) {
            for (FlagChange change : services.store().flagChanges(row.id(), flagsModSeq, now.highestModSeq(), oldUidNext)) {
                int seq = seq(change.uid());
                if (seq > 0 && !ownModSeqs.contains(change.modSeq())) {
                    send("* " + seq + " FETCH (UID " + change.uid() + " FLAGS (" + flags(change.uid(), change.flags()) + ")"
                            + (session.condstore ? " MODSEQ (" + change.modSeq() + ")" : "") + ")\r\n");
                }
            }
            flagsModSeq = now.highestModSeq();
            ownModSeqs.clear();
        }
    }

    void reportExpunged(long[] uids) {
        List<Long> vanished = new ArrayList<>();
        for (long uid : uids) {
            int seq = seq(uid);
            if (seq < 0) {
                continue;
            }
            remove(seq);
            if (session.qresync) {
                vanished.add(uid);
            } else {
                send("* " + seq + " EXPUNGE\r\n");
            }
        }
        if (!vanished.isEmpty()) {
            send("* VANISHED " + SequenceSet.format(vanished) + "\r\n");
        }
    }

    // ---- message sets ----

    /**
     * The sequence numbers a set names, ascending and without duplicates: UID ranges are looked up by binary search,
     * then the ranges are merged, so the answer costs 4 bytes per message named and nothing per number of the set.
     */
    int[] resolve(SequenceSet set, boolean uid) {
        if (count == 0) {
            return new int[0];
        }
        long largest = uid ? uid(count) : count;
        List<int[]> spans = new ArrayList<>(); // [from, to] in sequence numbers, ascending by from (ranges() sorts)
        for (long[] range : set.ranges(largest)) {
            int from;
            int to;
            if (uid) {
                int lo = Arrays.binarySearch(uids, 0, count, (int) Math.min(range[0], Integer.MAX_VALUE));
                int hi = Arrays.binarySearch(uids, 0, count, (int) Math.min(range[1], Integer.MAX_VALUE));
                from = (lo >= 0 ? lo : -lo - 1) + 1;
                to = (hi >= 0 ? hi : -hi - 2) + 1;
            } else {
                from = (int) Math.max(1, range[0]);
                to = (int) Math.min(count, range[1]);
            }
            if (from > to) {
                continue;
            }
            int[] last = spans.isEmpty() ? null : spans.get(spans.size() - 1);
            if (last != null && from <= last[1] + 1) {
                last[1] = Math.max(last[1], to);
            } else {
                spans.add(new int[] {from, to});
            }
        }
        int total = 0;
        for (int[] span : spans) {
            total += span[1] - span[0] + 1;
        }
        int[] seqs = new int[total];
        int i = 0;
        for (int[] span : spans) {
            for (int seq = span[0]; seq <= span[1]; seq++) {
                seqs[i++] = seq;
            }
        }
        return seqs;
    }

    boolean validSeqSet(SequenceSet set) {
        for (long[] range : set.ranges(count)) {
            if (range[1] > count || range[0] < 1) {
                return false;
            }
        }
        return true;
    }

    long[] resolveUids(SequenceSet set, boolean uid) {
        int[] seqs = resolve(set, uid);
        long[] uids = new long[seqs.length];
        for (int i = 0; i < seqs.length; i++) {
            uids[i] = uid(seqs[i]);
        }
        return uids;
    }
}
