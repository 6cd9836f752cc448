package org.mailkeep.box;

import java.util.Optional;

/**
 * Who the box is: its mail domain and host name, set once by the first-boot setup. Most features need only
 * this (the SMTP greeting, the certificate's names, DNS records, Authentication-Results' authserv-id), not
 * the setup itself; the setup feature provides it.
 */
public interface BoxIdentity {

    /** Whether first setup has completed; before it the domain and host name are empty. */
    boolean isComplete();

    /** The first mail domain, e.g. example.com. */
    Optional<String> domain();

    /** The box's host name, e.g. mail.example.com: the MX target and the name in the certificate. */
    Optional<String> hostname();
}
