package org.mailkeep.policy;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.box.BoxIdentity;

/**
 * Our authserv-id for Authentication-Results (RFC 8601 §2.5): the box's host name from setup, so headers we add can be
 * told from forged ones that claim our name.
 */
@ApplicationScoped
public class AuthServId {

    private final BoxIdentity setup;

    public AuthServId(BoxIdentity setup) {
        this.setup = setup;
    }

    /** The host name chosen at setup, or "localhost" before setup (no mail is accepted then anyway). */
    public String get() {
        return setup.hostname().orElse("localhost");
    }
}
