package org.mailkeep.admin;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class AdminSessionsTest {

    @Test
    void aSessionEndsAfterTheIdleTimeButEachRequestRestartsIt() {
        LoginThrottleTest.ManualClock clock = new LoginThrottleTest.ManualClock();
        AdminSessions sessions = new AdminSessions(Duration.ofMinutes(30), clock);
        AdminSessions.Session session = sessions.create();
        assertThat(session.id()).isNotEqualTo(session.csrf()).hasSizeGreaterThanOrEqualTo(43); // 256 bits in base64url
        clock.now = clock.now.plusSeconds(29 * 60);
        assertThat(sessions.touch(session.id())).isPresent();
        clock.now = clock.now.plusSeconds(29 * 60);
        assertThat(sessions.touch(session.id())).as("touched 29 min ago").isPresent();
        clock.now = clock.now.plusSeconds(31 * 60);
        assertThat(sessions.touch(session.id())).as("idle 31 min").isEmpty();
        assertThat(sessions.touch(null)).isEmpty();
    }

    @Test
    void csrfTokenMustMatchExactly() {
        AdminSessions.Session session = new AdminSessions(Duration.ofMinutes(1), new LoginThrottleTest.ManualClock()).create();
        assertThat(AdminSessions.csrfMatches(session, session.csrf())).isTrue();
        assertThat(AdminSessions.csrfMatches(session, session.csrf() + "x")).isFalse();
        assertThat(AdminSessions.csrfMatches(session, null)).isFalse();
    }

    @Test
    void logoutEndsOnlyThatSession() {
        AdminSessions sessions = new AdminSessions(Duration.ofMinutes(30), new LoginThrottleTest.ManualClock());
        AdminSessions.Session a = sessions.create();
        AdminSessions.Session b = sessions.create();
        sessions.end(a.id());
        assertThat(sessions.touch(a.id())).isEmpty();
        assertThat(sessions.touch(b.id())).isPresent();
    }

    @Test
    void cookieIsHttpOnlySameSiteStrictAndSecureUnderHttps() {
        assertThat(AdminResource.cookie("abc", false, -1)).isEqualTo("mailkeep_session=abc; Path=/; HttpOnly; SameSite=Strict");
        assertThat(AdminResource.cookie("abc", true, -1)).isEqualTo("mailkeep_session=abc; Path=/; HttpOnly; SameSite=Strict; Secure");
        assertThat(AdminResource.cookie("", true, 0)).endsWith("; Secure; Max-Age=0");
    }
}
