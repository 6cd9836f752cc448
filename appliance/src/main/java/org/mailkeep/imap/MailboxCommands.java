package org.mailkeep.imap;

import org.jboss.logging.Logger;
import org.mailkeep.imap.ImapStore.FlagChange;
import org.mailkeep.imap.ImapStore.MailboxRow;
import org.mailkeep.store.Directory;
import org.mailkeep.box.NotFoundException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Commands of the authenticated state on mailboxes (RFC 3501 §6.3): SELECT/EXAMINE, CREATE, DELETE, (UN)SUBSCRIBE, LIST/LSUB, STATUS, APPEND, and QUOTA (RFC 9208). */
final class MailboxCommands extends SessionPart {

    private static final Logger LOG = Logger.getLogger(MailboxCommands.class);

    MailboxCommands(ImapSession session) {
        super(session);
    }

    // ---- mailboxes ----

    private MailboxRow existing(String name) {
        return services.store().mailbox(session.account.id(), name).orElseThrow(() -> new NotFoundException("no such mailbox: " + name));
    }

    void select(Command.Select select) {
        String tag = select.tag();
        deselect(true);
        Optional<MailboxRow> found = services.store().mailbox(session.account.id(), select.mailbox());
        if (found.isEmpty()) {
            session.state = ImapSession.State.AUTHENTICATED;
            sendTagged(tag, "NO", "[NONEXISTENT] no such mailbox");
            return;
        }
        if (select.qresync() != null && !session.qresync) {
            sendTagged(tag, "BAD", "QRESYNC must be enabled first (RFC 7162 §3.2.5)");
            return;
        }
        if (select.condstore()) {
            session.condstore = true;
        }
        MailboxRow row = found.get();
        SelectedState s = new SelectedState(session, row, select.readOnly(), services.store().uids(row.id()));
        s.takeRecent(1, row.uidNext());
        services.store().watch(row.id(), s.watcher);
        session.selected = s;
        session.state = ImapSession.State.SELECTED;
        send("* FLAGS (" + String.join(" ", ImapSession.SYSTEM_FLAGS) + ")\r\n");
        send("* OK [PERMANENTFLAGS (" + (s.readOnly ? "" : String.join(" ", ImapSession.SYSTEM_FLAGS) + " \\*") + ")] flags\r\n");
        send("* " + s.count + " EXISTS\r\n");
        if (!session.rev2) {
            send("* " + s.recentCount() + " RECENT\r\n");
            long unseen = firstUnseen(s);
            if (unseen > 0) {
                send("* OK [UNSEEN " + unseen + "] first unseen\r\n");
            }
        }
        send("* OK [UIDVALIDITY " + row.uidValidity() + "] UIDs valid\r\n");
        send("* OK [UIDNEXT " + row.uidNext() + "] predicted next UID\r\n");
        send("* OK [HIGHESTMODSEQ " + row.highestModSeq() + "] highest\r\n");
        if (session.rev2) {
            send("* LIST () \"/\" " + ImapEncoding.mailbox(row.name(), session.utf8Names) + "\r\n");
        }
        if (select.qresync() != null && select.qresync().uidValidity() == row.uidValidity()) {
            qresyncChanges(select.qresync().modSeq(), select.qresync().knownUids(), true);
        }
        sendTagged(tag, "OK", (s.readOnly ? "[READ-ONLY]" : "[READ-WRITE]") + " " + (s.readOnly ? "EXAMINE" : "SELECT") + " completed");
    }

    private long firstUnseen(SelectedState s) {
        long uid = services.store().firstUnseen(s.row.id());
        return uid > 0 ? Math.max(0, s.seq(uid)) : 0;
    }

    /** QRESYNC (RFC 7162 §3.2.5.1): VANISHED (EARLIER) for expunges, then FETCH for flag changes since {@code modSeq}. */
    private void qresyncChanges(long modSeq, SequenceSet known, boolean earlier) {
        long[] vanished = services.store().expungedSince(session.selected.row.id(), modSeq);
        long largest = session.selected.count > 0 ? session.selected.uid(session.selected.count) : 0;
        List<Long> report = new ArrayList<>();
        for (long uid : vanished) {
            if (known == null || known.contains(uid, Math.max(largest, uid))) {
                report.add(uid);
            }
        }
        if (!report.isEmpty()) {
            send("* VANISHED " + (earlier ? "(EARLIER) " : "") + SequenceSet.format(report) + "\r\n");
        }
        for (FlagChange change : services.store().flagChanges(session.selected.row.id(), modSeq, Long.MAX_VALUE, Long.MAX_VALUE)) {
            int seq = session.selected.seq(change.uid());
            if (seq > 0) {
                send("* " + seq + " FETCH (UID " + change.uid() + " FLAGS (" + session.selected.flags(change.uid(), change.flags()) + ") MODSEQ (" + change.modSeq() + "))\r\n");
            }
        }
    }

    void deselect() {
        deselect(false);
    }

    private void deselect(boolean implicit) {
        if (session.selected != null) {
            services.store().unwatch(session.selected.row.id(), session.selected.watcher);
            session.selected = null;
            session.state = ImapSession.State.AUTHENTICATED;
            if ((session.qresync || session.rev2) && implicit) {
                send("* OK [CLOSED] previous mailbox closed\r\n"); // RFC 7162 §3.2.11, RFC 9051 §6.3.2
            }
        }
    }

    void mailboxCommand(Command.MailboxCommand m) {
        String tag = m.tag();
        switch (m.name()) {
            case "DELETE" -> {
                if (session.selected != null && session.selected.row.name().equals(m.mailbox())) {
                    deselect();
                }
                services.store().delete(session.account.id(), m.mailbox());
                ok(tag, "DELETE completed");
            }
            case "SUBSCRIBE", "UNSUBSCRIBE" -> {
                services.store().subscribe(session.account.id(), m.mailbox(), m.name().equals("SUBSCRIBE"));
                ok(tag, m.name() + " completed");
            }
            case "GETQUOTAROOT" -> {
                existing(m.mailbox());
                Directory.Usage quota = services.directory().usage(session.account.id());
                // RFC 9208 formal syntax: a quota-list needs at least one resource, so an account without a limit has no quota root
                send("* QUOTAROOT " + ImapEncoding.mailbox(m.mailbox(), session.utf8Names) + (quota.quotaBytes() > 0 ? " \"\"" : "") + "\r\n");
                if (quota.quotaBytes() > 0) {
                    send("* QUOTA \"\" (" + quotaResources(quota) + ")\r\n");
                }
                ok(tag, "GETQUOTAROOT completed");
            }
            case "GETQUOTA" -> {
                Directory.Usage quota = services.directory().usage(session.account.id());
                if (!m.mailbox().isEmpty() || quota.quotaBytes() == 0) {
                    sendTagged(tag, "NO", "[NONEXISTENT] no such quota root");
                    return;
                }
                send("* QUOTA \"\" (" + quotaResources(quota) + ")\r\n");
                ok(tag, "GETQUOTA completed");
            }
            case "SETQUOTA" -> sendTagged(tag, "NO", "[NOPERM] quotas are set by the administrator");
            default -> sendTagged(tag, "BAD", "unknown command");
        }
    }

    /** Special uses a mailbox can be created with; \All and \Flagged would need virtual mailboxes (RFC 6154 §2). */
    private static final List<String> CREATABLE_USES = List.of("\\Archive", "\\Drafts", "\\Junk", "\\Sent", "\\Trash");

    void create(Command.Create create) {
        String tag = create.tag();
        if (create.mailbox().equals("INBOX")) {
            sendTagged(tag, "NO", "[ALREADYEXISTS] INBOX exists");
            return;
        }
        // RFC 6154 §3: a special use the server cannot give the mailbox is refused with USEATTR; a mailbox holds one here
        if (create.use().size() > 1 || (create.use().size() == 1 && !CREATABLE_USES.contains(create.use().get(0)))) {
            sendTagged(tag, "NO", "[USEATTR] a mailbox can be created with one of " + String.join(" ", CREATABLE_USES));
            return;
        }
        services.store().create(session.account.id(), create.mailbox(), create.use().isEmpty() ? null : create.use().get(0));
        ok(tag, "CREATE completed");
    }

    /** RFC 9208 §5.1: STORAGE in units of 1024 octets. */
    private static String quotaResources(Directory.Usage quota) {
        return "STORAGE " + (quota.usedBytes() + 1023) / 1024 + " " + quota.quotaBytes() / 1024;
    }

    void list(Command.ListCommand list) {
        String tag = list.tag();
        String command = list.lsub() ? "LSUB" : "LIST";
        if (list.patterns().size() == 1 && list.patterns().get(0).isEmpty()) {
            send("* " + command + " (\\Noselect) \"/\" \"\"\r\n"); // RFC 3501 §6.3.8: the hierarchy delimiter
            ok(tag, command + " completed");
            return;
        }
        boolean subscribedOnly = list.lsub() || list.selectOptions().contains("SUBSCRIBED");
        boolean specialOnly = list.selectOptions().contains("SPECIAL-USE");
        boolean showSubscribed = subscribedOnly || list.returnOptions().contains("SUBSCRIBED");
        // RFC 5258 §3: with RECURSIVEMATCH, a name with subscribed children that the patterns leave out is listed with CHILDINFO
        boolean recursive = subscribedOnly && list.selectOptions().contains("RECURSIVEMATCH");
        List<Pattern> patterns = list.patterns().stream().map(p -> wildcard(list.reference() + p)).toList();
        List<MailboxRow> all = services.store().mailboxes(session.account.id());
        Set<String> names = new HashSet<>();
        all.forEach(r -> names.add(r.name()));
        for (MailboxRow row : all) {
            String name = row.name();
            if (patterns.stream().noneMatch(p -> p.matcher(name).matches())) {
                continue;
            }
            boolean subscribedChildren = recursive && all.stream().anyMatch(r -> r.subscribed() && r.name().startsWith(name + ImapStore.SEPARATOR)
                    && patterns.stream().noneMatch(p -> p.matcher(r.name()).matches()));
            if ((subscribedOnly && !row.subscribed() && !subscribedChildren) || (specialOnly && row.specialUse() == null)) {
                continue;
            }
            List<String> attributes = new ArrayList<>();
            boolean children = all.stream().anyMatch(r -> r.name().startsWith(name + ImapStore.SEPARATOR));
            attributes.add(children ? "\\HasChildren" : "\\HasNoChildren");
            if (row.specialUse() != null) {
                attributes.add(row.specialUse());
            }
            if (showSubscribed && row.subscribed() && !list.lsub()) {
                attributes.add("\\Subscribed");
            }
            send("* " + command + " (" + String.join(" ", attributes) + ") \"/\" " + ImapEncoding.mailbox(name, session.utf8Names)
                    + (subscribedChildren ? " (\"CHILDINFO\" (\"SUBSCRIBED\"))" : "") + "\r\n");
            if (!list.statusItems().isEmpty()) {
                sendStatus(row, list.statusItems());
            }
        }
        ok(tag, command + " completed");
    }

    /** A LIST pattern as a regular expression: "*" matches anything, "%" anything but the separator (RFC 3501 §6.3.8). */
    static Pattern wildcard(String pattern) {
        StringBuilder regex = new StringBuilder();
        String normalized = ImapParser.mailboxName(pattern);
        for (char c : normalized.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '%' -> regex.append("[^/]*");
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    void status(Command.Status status) {
        if (session.selected != null && session.selected.row.name().equals(status.mailbox())) {
            session.refresh(false);
        }
        sendStatus(existing(status.mailbox()), status.items().stream().map(s -> s.toUpperCase(Locale.ROOT)).toList());
        ok(status.tag(), "STATUS completed");
    }

    /** STATUS RECENT: this session's recent messages if it has the mailbox selected, else those no session has learnt of yet. */
    private long recent(MailboxRow row) {
        if (session.selected != null && session.selected.row.id() == row.id()) {
            return session.selected.recentCount();
        }
        return services.store().uidsFrom(row.id(), services.store().claimRecent(row.id(), row.uidNext(), false)).length;
    }

    private void sendStatus(MailboxRow row, List<String> items) {
        ImapStore.MailboxStatus counts = services.store().status(row.id());
        List<String> values = new ArrayList<>();
        for (String item : items) {
            switch (item) {
                case "MESSAGES" -> values.add("MESSAGES " + counts.messages());
                case "RECENT" -> values.add("RECENT " + recent(row));
                case "UIDNEXT" -> values.add("UIDNEXT " + row.uidNext());
                case "UIDVALIDITY" -> values.add("UIDVALIDITY " + row.uidValidity());
                case "UNSEEN" -> values.add("UNSEEN " + counts.unseen());
                case "DELETED" -> values.add("DELETED " + counts.deleted());
                case "SIZE" -> values.add("SIZE " + counts.size());
                // RFC 9208: what an EXPUNGE would free, in the STORAGE unit (1024 octets)
                case "DELETED-STORAGE" -> values.add("DELETED-STORAGE " + (counts.deletedSize() + 1023) / 1024);
                case "HIGHESTMODSEQ" -> values.add("HIGHESTMODSEQ " + row.highestModSeq());
                case "APPENDLIMIT" -> values.add("APPENDLIMIT " + services.appendLimit());
                default -> throw new IllegalStateException(item); // the parser admits only ImapParser.STATUS_ITEMS
            }
        }
        send("* STATUS " + ImapEncoding.mailbox(row.name(), session.utf8Names) + " (" + String.join(" ", values) + ")\r\n");
    }

    void append(Command.Append append) {
        Path file = append.message().file();
        try {
            Optional<MailboxRow> target = services.store().mailbox(session.account.id(), append.mailbox());
            if (target.isEmpty()) {
                sendTagged(append.tag(), "NO", "[TRYCREATE] no such mailbox");
                return;
            }
            if (file == null) { // a message small enough to have been sent before we knew it was APPEND's: spool it now
                file = services.spoolFile().get();
                Files.write(file, append.message().bytes(), StandardOpenOption.CREATE_NEW);
            }
            if (services.directory().overQuota(session.account, append.message().size())) {
                sendTagged(append.tag(), "NO", "[OVERQUOTA] mailbox is full");
                return;
            }
            Set<String> flags = new TreeSet<>(append.flags());
            flags.remove("\\Recent");
            long date = append.date() == null ? System.currentTimeMillis() : append.date().toInstant().toEpochMilli();
            long[] result = services.store().append(session.account.id(), target.get(), file, flags, date);
            file = null;
            if (session.selected != null && session.selected.row.id() == target.get().id()) {
                session.refresh(true);
            }
            sendTagged(append.tag(), "OK", "[APPENDUID " + result[0] + " " + result[1] + "] APPEND completed");
        } catch (IOException e) {
            sendTagged(append.tag(), "NO", "[SERVERBUG] cannot store the message: " + e.getMessage());
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    LOG.warnf("cannot delete spool file %s", file);
                }
            }
        }
    }
}
