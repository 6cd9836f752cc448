package org.mailkeep.imap;

/**
 * What every command family of a session shares: the session whose state it reads and changes, the shared
 * services, and the session's output. A part holds no state of its own beyond what its commands need.
 */
abstract class SessionPart {

    final ImapSession session;
    final ImapSession.Services services;

    SessionPart(ImapSession session) {
        this.session = session;
        this.services = session.services;
    }

    final void send(String text) {
        session.send(text);
    }

    final void sendBytes(byte[] bytes, int offset, int length) {
        session.sendBytes(bytes, offset, length);
    }

    final void flush() {
        session.flush();
    }

    final void sendTagged(String tag, String status, String text) {
        session.sendTagged(tag, status, text);
    }

    final void ok(String tag, String text) {
        session.sendTagged(tag, "OK", text);
    }
}
