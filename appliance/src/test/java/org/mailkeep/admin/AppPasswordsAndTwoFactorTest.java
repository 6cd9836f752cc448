package org.mailkeep.admin;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailkeep.auth.PasswordHasher;
import org.mailkeep.store.Address;
import org.mailkeep.store.DataDirectory;
import org.mailkeep.store.Database;
import org.mailkeep.store.Directory;
import org.mailkeep.store.Settings;
import org.mailkeep.store.StoreSchema;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** App passwords and the admin's 2FA against a real SQLite database in a temporary data directory. */
class AppPasswordsAndTwoFactorTest {

    @TempDir
    Path dir;
    Database db;
    AppPasswords appPasswords;
    Directory directory;

    @BeforeEach
    void open() throws ClassNotFoundException {
        // a @QuarkusTest earlier in the same JVM may have registered only its own class loader's copy of the driver
        Class.forName("org.sqlite.JDBC");
        db = new Database(new DataDirectory(dir), List.of(new StoreSchema(), new AdminSchema()), Integer.MAX_VALUE);
        appPasswords = new AppPasswords(db);
        directory = new Directory(db, new PasswordHasher(1024, 1, 1), List.of(appPasswords));
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void imapAndSmtpLoginsAcceptAnAppPasswordUntilItIsRevoked() {
        Directory.Account anna = directory.createAccount(Address.parse("anna@example.test").orElseThrow(), "anna-main-password", "Anna");
        Directory.Account bob = directory.createAccount(Address.parse("bob@example.test").orElseThrow(), "bob-main-password", null);
        AppPasswords.Created phone = appPasswords.create(anna.id(), "phone");

        assertThat(directory.authenticate("anna@example.test", phone.secret())).isPresent();
        assertThat(directory.authenticate("anna@example.test", phone.secret().toUpperCase().replace("-", "")))
                .as("dashes and case do not matter when typing it").isPresent();
        assertThat(directory.authenticate("anna@example.test", "anna-main-password")).as("the password still works").isPresent();
        assertThat(directory.authenticate("bob@example.test", phone.secret())).as("only for its own mailbox").isEmpty();
        assertThat(appPasswords.list(anna.id())).singleElement().satisfies(p -> {
            assertThat(p.label()).isEqualTo("phone");
            assertThat(p.lastUsedAt()).isNotNull();
        });
        assertThat(appPasswords.list(bob.id())).isEmpty();

        directory.rename("anna@example.test", Address.parse("anna.rossi@example.test").orElseThrow());
        assertThat(directory.authenticate("anna.rossi@example.test", phone.secret())).as("it follows a rename").isPresent();

        assertThat(appPasswords.revoke(bob.id(), phone.appPassword().id())).as("not bob's to revoke").isFalse();
        assertThat(appPasswords.revoke(anna.id(), phone.appPassword().id())).isTrue();
        assertThat(directory.authenticate("anna.rossi@example.test", phone.secret())).isEmpty();
    }

    @Test
    void deletingAMailboxDeletesItsAppPasswords() {
        Directory.Account anna = directory.createAccount(Address.parse("anna@example.test").orElseThrow(), "anna-main-password", null);
        appPasswords.create(anna.id(), "laptop");
        directory.deleteAccount("anna@example.test");
        assertThat(appPasswords.list(anna.id())).isEmpty();
    }

    @Test
    void twoFactorEnrolsWithACodeAndAcceptsEachCodeAndRecoveryCodeOnce() {
        LoginThrottleTest.ManualClock clock = new LoginThrottleTest.ManualClock();
        TwoFactor twoFactor = new TwoFactor(new Settings(db), db, clock);
        assertThat(twoFactor.enabled()).isFalse();
        TwoFactor.Enrolment enrolment = twoFactor.begin("mail.example.test");
        byte[] secret = Totp.fromBase32(enrolment.secret());
        assertThat(enrolment.uri()).startsWith("otpauth://totp/MailKeep%3Aadmin%40mail.example.test?secret=" + enrolment.secret());
        long now = clock.instant().getEpochSecond();

        assertThat(twoFactor.confirm("000000".equals(Totp.code(secret, now)) ? "111111" : "000000")).isEmpty();
        assertThat(twoFactor.enabled()).as("a wrong code does not turn it on").isFalse();
        List<String> recovery = twoFactor.confirm(Totp.code(secret, now)).orElseThrow();
        assertThat(recovery).hasSize(10).doesNotHaveDuplicates();
        assertThat(twoFactor.enabled()).isTrue();

        assertThat(twoFactor.verify(Totp.code(secret, now))).as("the code used to enrol is spent").isFalse();
        clock.now = clock.now.plusSeconds(30);
        assertThat(twoFactor.verify(Totp.code(secret, now + 30))).isTrue();
        assertThat(twoFactor.verify(Totp.code(secret, now + 30))).as("each code once").isFalse();
        assertThat(twoFactor.verify(recovery.get(3))).isTrue();
        assertThat(twoFactor.verify(recovery.get(3))).as("each recovery code once").isFalse();
        assertThat(twoFactor.recoveryCodesLeft()).isEqualTo(9);

        twoFactor.disable();
        assertThat(twoFactor.enabled()).isFalse();
        assertThat(twoFactor.verify(recovery.get(4))).isFalse();
    }
}
