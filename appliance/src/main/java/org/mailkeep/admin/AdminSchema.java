package org.mailkeep.admin;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.store.Schema;

import java.util.List;

/**
 * The admin feature's tables: the admin's 2FA recovery codes, the per-mailbox app passwords and the API tokens (both stored as
 * SHA-256 of a random secret of 80 bits or more: a slow hash adds nothing against guessing such a secret,
 * and app passwords are checked on every IMAP/SMTP login). The TOTP secret itself is a setting.
 */
@ApplicationScoped
public class AdminSchema implements Schema {

    @Override
    public String feature() {
        return "admin";
    }

    @Override
    public int order() {
        return 50; // app_passwords references the store's accounts
    }

    @Override
    public List<String> migrations() {
        return List.of(
                // v1
                """
                CREATE TABLE admin_recovery_codes (
                  code_hash TEXT PRIMARY KEY,
                  created_at INTEGER NOT NULL,
                  used_at INTEGER);
                CREATE TABLE app_passwords (
                  id INTEGER PRIMARY KEY,
                  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                  label TEXT NOT NULL,
                  secret_hash TEXT NOT NULL UNIQUE,
                  created_at INTEGER NOT NULL,
                  last_used_at INTEGER);
                CREATE INDEX app_passwords_account ON app_passwords(account_id)
                """,
                // v2: bearer API tokens (ApiTokens)
                """
                CREATE TABLE api_tokens (
                  id INTEGER PRIMARY KEY,
                  name TEXT NOT NULL UNIQUE,
                  token_hash TEXT NOT NULL UNIQUE,
                  created_at INTEGER NOT NULL,
                  last_used_at INTEGER)
                """);
    }
}
