package org.mailkeep.policy;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.store.Schema;

import java.util.List;

/** Tables of the inbound policy: greylisting triplets, the allow/block lists and their audit trail. */
@ApplicationScoped
public class PolicySchema implements Schema {

    @Override
    public String feature() {
        return "policy";
    }

    @Override
    public int order() {
        return 50;
    }

    @Override
    public List<String> migrations() {
        return List.of(
                // v1
                """
                CREATE TABLE greylist (
                  network TEXT NOT NULL,
                  sender TEXT NOT NULL COLLATE NOCASE,
                  recipient TEXT NOT NULL COLLATE NOCASE,
                  first_seen INTEGER NOT NULL,
                  last_seen INTEGER NOT NULL,
                  passed_at INTEGER,
                  PRIMARY KEY (network, sender, recipient));
                CREATE INDEX greylist_network ON greylist(network, passed_at);
                CREATE TABLE access_list (
                  id INTEGER PRIMARY KEY,
                  mailbox TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
                  action TEXT NOT NULL CHECK (action IN ('allow', 'block')),
                  type TEXT NOT NULL CHECK (type IN ('address', 'domain', 'ip')),
                  value TEXT NOT NULL COLLATE NOCASE,
                  note TEXT,
                  created_at INTEGER NOT NULL,
                  UNIQUE (mailbox, action, type, value));
                CREATE TABLE access_list_audit (
                  id INTEGER PRIMARY KEY,
                  at INTEGER NOT NULL,
                  actor TEXT NOT NULL,
                  change TEXT NOT NULL,
                  entry_id INTEGER NOT NULL,
                  mailbox TEXT NOT NULL,
                  action TEXT NOT NULL,
                  type TEXT NOT NULL,
                  value TEXT NOT NULL)
                """);
    }
}
