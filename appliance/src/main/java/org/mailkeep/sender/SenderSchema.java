package org.mailkeep.sender;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.store.Schema;

import java.util.List;

/** The sender identities the admin granted a mailbox beyond its own addresses. */
@ApplicationScoped
public class SenderSchema implements Schema {

    @Override
    public String feature() {
        return "sender";
    }

    @Override
    public int order() {
        return 50; // references the store's accounts
    }

    @Override
    public List<String> migrations() {
        return List.of(
                // v1
                """
                CREATE TABLE sender_grants (
                  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                  address TEXT NOT NULL COLLATE NOCASE,
                  created_at INTEGER NOT NULL,
                  PRIMARY KEY (account_id, address))
                """);
    }
}
