package org.mailkeep.smtp;

import org.mailkeep.store.Address;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** One command line split into verb and argument, and the path arguments of MAIL and RCPT (RFC 5321 §4.1.1, §4.1.2). */
public record SmtpCommand(String verb, String argument) {

    /** A MAIL FROM or RCPT TO argument: the address ("" for the null reverse-path) and its ESMTP parameters (keys upper-case). */
    public record PathArgument(String address, Map<String, String> parameters) {
    }

    public static SmtpCommand parse(String line) {
        int space = line.indexOf(' ');
        String verb = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
        String argument = space < 0 ? "" : line.substring(space + 1).strip();
        return new SmtpCommand(verb, argument);
    }

    /**
     * Parses {@code FROM:<path> params} (prefix "FROM") or {@code TO:<path> params}. Empty when the syntax or the
     * address is invalid. A space after the colon is tolerated (common in the wild); source routes
     * {@code <@a,@b:user@d>} are accepted and ignored (RFC 5321 §4.1.2, §C).
     */
    public static Optional<PathArgument> path(String argument, String prefix, boolean nullAllowed) {
        if (!argument.regionMatches(true, 0, prefix + ":", 0, prefix.length() + 1)) {
            return Optional.empty();
        }
        String rest = argument.substring(prefix.length() + 1).stripLeading();
        if (!rest.startsWith("<")) {
            return Optional.empty();
        }
        int close = rest.indexOf('>');
        if (close < 0) {
            return Optional.empty();
        }
        String path = rest.substring(1, close);
        int routeEnd = path.startsWith("@") ? path.indexOf(':') : -1;
        if (routeEnd >= 0) {
            path = path.substring(routeEnd + 1);
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String parameter : rest.substring(close + 1).strip().split(" +")) {
            if (parameter.isEmpty()) {
                continue;
            }
            int eq = parameter.indexOf('=');
            String key = (eq < 0 ? parameter : parameter.substring(0, eq)).toUpperCase(Locale.ROOT);
            if (!key.matches("[A-Z0-9][A-Z0-9-]*")) {
                return Optional.empty();
            }
            parameters.put(key, eq < 0 ? null : parameter.substring(eq + 1));
        }
        if (path.isEmpty()) {
            return nullAllowed ? Optional.of(new PathArgument("", parameters)) : Optional.empty();
        }
        return Address.parse(path).map(a -> new PathArgument(a.toString(), parameters));
    }
}
