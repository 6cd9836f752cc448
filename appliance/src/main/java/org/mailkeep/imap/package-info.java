/**
 * The IMAP server: IMAP4rev1 (RFC 3501) and IMAP4rev2 (RFC 9051) with IDLE, UIDPLUS, MOVE, SPECIAL-USE
 * (and CREATE-SPECIAL-USE), NAMESPACE, ID, ENABLE, LITERAL+, UNSELECT, ESEARCH, CONDSTORE/QRESYNC, QUOTA,
 * LIST-EXTENDED/LIST-STATUS, APPENDLIMIT and BINARY, on {@code mailkeep.imap.port} (STARTTLS) and {@code mailkeep.imaps.port}
 * (implicit TLS).
 *
 * <p>Layers: {@link org.mailkeep.imap.CommandFramer} (bytes → lines and literal data) and
 * {@link org.mailkeep.imap.ImapParser} (lines and literals → {@link org.mailkeep.imap.Command}, on the lexical layer
 * {@link org.mailkeep.imap.ImapReader}) are pure;
 * {@link org.mailkeep.imap.ImapSession} is the per-connection state machine (state, framing, dispatch) and hands each
 * command family to its part, as RFC 3501 §6 groups them: {@link org.mailkeep.imap.Authentication} (STARTTLS, LOGIN,
 * AUTHENTICATE), {@link org.mailkeep.imap.MailboxCommands} (SELECT, LIST, STATUS, APPEND, ...),
 * {@link org.mailkeep.imap.SelectedState} (the selected mailbox: sequence map, \Recent, the updates a client is owed),
 * {@link org.mailkeep.imap.Fetch}, {@link org.mailkeep.imap.StoreAndCopy} and {@link org.mailkeep.imap.Search}
 * (with {@link org.mailkeep.imap.SearchSql}); {@link org.mailkeep.imap.ResponseWriter} is its output;
 * {@link org.mailkeep.imap.ImapStore}
 * is the database view (mailboxes, flags, mod-sequences, the expunge log, the parsed-structure cache);
 * {@link org.mailkeep.imap.MimeStructure} finds part offsets and builds ENVELOPE/BODYSTRUCTURE (cached per
 * message in {@code imap_message_cache} with the top header block when APPEND stores it or the first FETCH needs
 * it, so listing envelopes or BODY[HEADER.FIELDS] reads rows, not files, and SEARCH FROM/TO/CC/BCC/SUBJECT match
 * the cached envelope); flag SEARCH keys are answered by one SQLite query;
 * {@link org.mailkeep.imap.ModifiedUtf7} converts mailbox names at the wire (RFC 3501 §5.1.3) unless the client
 * enabled UTF8=ACCEPT or IMAP4rev2;
 * {@link org.mailkeep.imap.ImapServer} owns the Vert.x listeners.
 *
 * <h2>Memory per connection (the bound)</h2>
 * <ul>
 * <li>command input: at most 64 KiB per command line and per non-APPEND command including its literals
 *     ({@code ImapSession.MAX_COMMAND}); APPEND literals go straight to a spool file, never to memory; received
 *     bytes queued ahead of the session are capped at 256 KiB, then the socket is paused;</li>
 * <li>output: responses are handed to the socket every 64 KiB while its write queue has room; beyond that they wait
 *     in {@link org.mailkeep.imap.ResponseWriter}, message bodies as an open file read 64 KiB at a time as the client
 *     reads, and the session starts no new command (a FETCH answers no further message) until the client has read:
 *     no thread waits for a client, and one that reads nothing for 120 s is disconnected;</li>
 * <li>the selected mailbox: 4 bytes per message (its UID map; 400 KB for 100,000 messages); flags and
 *     structure are read in batches of 256 messages ({@code ImapSession.BATCH}; SEARCH and FETCH of flags only 1,024,
 *     whose answer, about 40 bytes a message, is built and sent per batch), never all at once; a batch's cached header
 *     blocks are at most 8 KiB each ({@code MessageParts.MAX_CACHED_HEADER}: 2 MiB for a batch in the worst case, about
 *     1 KiB a message in common mail);
 *     a message set resolves to 4 bytes per message it names; SEARCH holds its matches (about 20 bytes each)
 *     until it has answered;</li>
 * <li>MIME parsing: one line buffer (1 KiB) and the headers of the entity being parsed (at most 256 KiB);
 *     SEARCH BODY/TEXT decodes at most 4 MiB of one message's text at a time.</li>
 * </ul>
 * So a connection holds about 0.5 MiB plus 4 bytes per message of its selected mailbox (and, during one command,
 * up to 24 more per message that command names, and during a FETCH of header fields up to 2 MiB of cached headers). Connections are
 * limited per IP ({@code mailkeep.imap-server.max-connections-per-ip}) and in all
 * ({@code mailkeep.imap-server.max-connections}); commands run on {@code mailkeep.imap-server.workers} threads,
 * and a session in IDLE holds no thread.
 *
 * <h2>Bad input</h2>
 * Malformed commands get a tagged BAD (untagged when no tag can be read) and the session continues; literals
 * over the limit, or where the command takes no string, are refused before they are read (a non-synchronizing one
 * over the limit ends the session with BYE [TOOBIG], RFC 7888 §4);
 * nesting deeper than {@link org.mailkeep.imap.ImapParser#MAX_DEPTH} is refused; sequence sets are never
 * expanded; a disconnect during an APPEND deletes the spool file, so no partial message is stored. Failed
 * logins are answered after a second; repeated ones lock the IP and the account out of IMAP and SMTP AUTH alike
 * ({@link org.mailkeep.policy.AuthGuard}, {@code mailkeep.limits.*}). What the tests check of each of these claims,
 * and of each extension: docs/imap-conformance.md.
 */
package org.mailkeep.imap;
