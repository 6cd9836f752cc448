package org.mailkeep.mtasts;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.store.Schema;

import java.util.List;

/** The MTA-STS policy cache (RFC 8461 §5.1): policies stay valid for max_age even when their TXT record disappears. */
@ApplicationScoped
public class MtaStsSchema implements Schema {

    @Override
    public String feature() {
        return "mtasts";
    }

    @Override
    public List<String> migrations() {
        return List.of(
                // v1
                """
                CREATE TABLE mtasts_policies (
                  domain TEXT PRIMARY KEY,
                  policy_id TEXT NOT NULL,
                  body TEXT NOT NULL,
                  fetched_at INTEGER NOT NULL,
                  expires_at INTEGER NOT NULL)
                """);
    }
}
