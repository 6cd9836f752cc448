package org.mailkeep.dmarc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The Public Suffix List (https://publicsuffix.org/list/, bundled as a resource: the appliance does not fetch it at
 * run time) and the organizational domain of RFC 7489 §3.2. The matching algorithm is the list's own
 * (https://publicsuffix.org/list/ "Formal algorithm"): exact rules, "*." wildcards, "!" exceptions, default rule "*".
 * Hand-written because it is twenty lines and no maintained Java library takes our bundled copy without pulling in
 * a large dependency (Guava's copy is compiled in and cannot be updated separately).
 */
public final class PublicSuffixList {

    static final String RESOURCE = "/org/mailkeep/dmarc/public_suffix_list.dat";

    private final Set<String> rules = new HashSet<>();
    private final Set<String> wildcards = new HashSet<>();
    private final Set<String> exceptions = new HashSet<>();

    public PublicSuffixList(InputStream list) throws IOException {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(list, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String rule = line.strip();
                if (rule.isEmpty() || rule.startsWith("//")) {
                    continue;
                }
                rule = rule.split("\\s")[0];
                if (rule.startsWith("!")) {
                    exceptions.add(ascii(rule.substring(1)));
                } else if (rule.startsWith("*.")) {
                    wildcards.add(ascii(rule.substring(2)));
                } else {
                    rules.add(ascii(rule));
                }
            }
        }
    }

    /** The bundled list. */
    public static PublicSuffixList bundled() {
        try (InputStream in = PublicSuffixList.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the Public Suffix List resource " + RESOURCE + " is missing from the build");
            }
            return new PublicSuffixList(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String ascii(String name) {
        return IDN.toASCII(name, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
    }

    /** The public suffix of {@code domain} (lower-case A-labels). */
    public String publicSuffix(String domain) {
        String[] labels = domain.toLowerCase(Locale.ROOT).split("\\.");
        // the longest matching rule wins; an exception rule beats everything and removes its leftmost label
        for (int i = 0; i < labels.length; i++) {
            String candidate = String.join(".", java.util.Arrays.copyOfRange(labels, i, labels.length));
            if (exceptions.contains(candidate)) {
                return String.join(".", java.util.Arrays.copyOfRange(labels, i + 1, labels.length));
            }
            if (rules.contains(candidate)) {
                return candidate;
            }
            if (i + 1 < labels.length && wildcards.contains(String.join(".", java.util.Arrays.copyOfRange(labels, i + 1, labels.length)))) {
                return candidate;
            }
        }
        return labels[labels.length - 1]; // default rule "*"
    }

    /** RFC 7489 §3.2: the public suffix plus one label; a public suffix itself is its own organizational domain. */
    public String organizationalDomain(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        if (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        String suffix = publicSuffix(d);
        if (d.equals(suffix)) {
            return d;
        }
        String rest = d.substring(0, d.length() - suffix.length() - 1);
        return rest.substring(rest.lastIndexOf('.') + 1) + "." + suffix;
    }
}
