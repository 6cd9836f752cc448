package org.mailkeep.spf;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed SPF record (RFC 7208 §4.6, ABNF §12). The whole record is parsed before any term is evaluated, because a
 * syntax error anywhere makes the result "permerror" (§4.6). Parsing is pure: no DNS.
 */
record SpfRecord(List<Directive> directives, String redirect, String explanation) {

    enum Mechanism { ALL, INCLUDE, A, MX, PTR, IP4, IP6, EXISTS }

    /**
     * One directive: qualifier, mechanism, its unexpanded domain-spec (null when absent) or literal network, and the
     * dual CIDR lengths of a/mx (-1 when absent).
     */
    record Directive(char qualifier, Mechanism mechanism, String domainSpec, String network, int cidr4, int cidr6) {
        SpfResult result() {
            return switch (qualifier) {
                case '-' -> SpfResult.FAIL;
                case '~' -> SpfResult.SOFTFAIL;
                case '?' -> SpfResult.NEUTRAL;
                default -> SpfResult.PASS;
            };
        }

        boolean countsAsDnsLookup() {
            return mechanism == Mechanism.INCLUDE || mechanism == Mechanism.A || mechanism == Mechanism.MX
                    || mechanism == Mechanism.PTR || mechanism == Mechanism.EXISTS;
        }
    }

    static final class SyntaxError extends Exception {
        SyntaxError(String message) {
            super(message);
        }
    }

    // §12: name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )
    private static final Pattern MODIFIER = Pattern.compile("([A-Za-z][A-Za-z0-9._-]*)=(.*)", Pattern.DOTALL);
    private static final Pattern DIRECTIVE = Pattern.compile("([+?~-]?)([A-Za-z][A-Za-z0-9._-]*)(.*)", Pattern.DOTALL);
    // ip4-cidr-length / ip6-cidr-length: no leading zeros
    private static final Pattern DUAL_CIDR = Pattern.compile("(?:/(0|[1-9][0-9]?))?(?://(0|[1-9][0-9]{0,2}))?");

    /** True when a TXT string is an SPF version 1 record (§4.5: "v=spf1" followed by a space or the end). */
    static boolean isSpf1(String txt) {
        return txt.length() >= 6 && txt.substring(0, 6).equalsIgnoreCase("v=spf1") && (txt.length() == 6 || txt.charAt(6) == ' ');
    }

    static SpfRecord parse(String record) throws SyntaxError {
        if (!isSpf1(record)) {
            throw new SyntaxError("not an SPF version 1 record");
        }
        List<Directive> directives = new ArrayList<>();
        String redirect = null;
        String exp = null;
        // §4.6.1: terms are separated by one or more spaces (SP only)
        for (String term : record.substring(6).split(" +")) {
            if (term.isEmpty()) {
                continue;
            }
            Matcher dm = DIRECTIVE.matcher(term);
            Matcher mm = MODIFIER.matcher(term);
            if (mm.matches()) { // §12: modifier = name "=" macro-string; a mechanism never has "=" right after its name
                String name = mm.group(1).toLowerCase(Locale.ROOT);
                String value = mm.group(2);
                MacroExpander.validate(value, false);
                switch (name) {
                    case "redirect" -> {
                        if (redirect != null) {
                            throw new SyntaxError("redirect= appears twice"); // §6
                        }
                        redirect = domainSpec(value);
                    }
                    case "exp" -> {
                        if (exp != null) {
                            throw new SyntaxError("exp= appears twice"); // §6
                        }
                        exp = domainSpec(value);
                    }
                    default -> {
                        // §6: unrecognised modifiers are ignored
                    }
                }
                continue;
            }
            if (!dm.matches()) {
                throw new SyntaxError("invalid term '" + term + "'");
            }
            directives.add(directive(dm.group(1).isEmpty() ? '+' : dm.group(1).charAt(0), dm.group(2).toLowerCase(Locale.ROOT), dm.group(3), term));
        }
        return new SpfRecord(List.copyOf(directives), redirect, exp);
    }

    private static Directive directive(char q, String name, String rest, String term) throws SyntaxError {
        switch (name) {
            case "all" -> {
                if (!rest.isEmpty()) {
                    throw new SyntaxError("invalid term '" + term + "'");
                }
                return new Directive(q, Mechanism.ALL, null, null, -1, -1);
            }
            case "include", "exists" -> {
                if (!rest.startsWith(":")) {
                    throw new SyntaxError(name + " needs a domain: '" + term + "'");
                }
                String spec = domainSpec(rest.substring(1));
                return new Directive(q, name.equals("include") ? Mechanism.INCLUDE : Mechanism.EXISTS, spec, null, -1, -1);
            }
            case "a", "mx" -> {
                String spec = null;
                String cidr = rest;
                if (rest.startsWith(":")) {
                    int slash = rest.indexOf('/');
                    spec = domainSpec(slash < 0 ? rest.substring(1) : rest.substring(1, slash));
                    cidr = slash < 0 ? "" : rest.substring(slash);
                }
                Matcher m = DUAL_CIDR.matcher(cidr);
                if (!m.matches()) {
                    throw new SyntaxError("invalid term '" + term + "'");
                }
                int c4 = m.group(1) == null ? -1 : Integer.parseInt(m.group(1));
                int c6 = m.group(2) == null ? -1 : Integer.parseInt(m.group(2));
                if (c4 > 32 || c6 > 128) {
                    throw new SyntaxError("CIDR length out of range in '" + term + "'");
                }
                return new Directive(q, name.equals("a") ? Mechanism.A : Mechanism.MX, spec, null, c4, c6);
            }
            case "ptr" -> {
                String spec = null;
                if (rest.startsWith(":")) {
                    spec = domainSpec(rest.substring(1));
                } else if (!rest.isEmpty()) {
                    throw new SyntaxError("invalid term '" + term + "'");
                }
                return new Directive(q, Mechanism.PTR, spec, null, -1, -1);
            }
            case "ip4", "ip6" -> {
                if (!rest.startsWith(":")) {
                    throw new SyntaxError(name + " needs an address: '" + term + "'");
                }
                String net = rest.substring(1);
                String address = net.contains("/") ? net.substring(0, net.indexOf('/')) : net;
                String prefix = net.contains("/") ? net.substring(net.indexOf('/') + 1) : null;
                boolean v4 = address.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
                if (name.equals("ip4") != v4 || (prefix != null && !prefix.matches("0|[1-9][0-9]{0,2}"))
                        || org.mailkeep.net.Cidr.parse(net).isEmpty()) {
                    throw new SyntaxError("invalid network in '" + term + "'");
                }
                return new Directive(q, name.equals("ip4") ? Mechanism.IP4 : Mechanism.IP6, null, net, -1, -1);
            }
            default -> throw new SyntaxError("unknown mechanism '" + name + "'"); // §5: unknown mechanisms are a permerror
        }
    }

    /** Validates a domain-spec (§7.1): a macro-string whose domain-end is a toplabel or a macro-expand. */
    private static String domainSpec(String spec) throws SyntaxError {
        if (spec.isEmpty()) {
            throw new SyntaxError("empty domain-spec");
        }
        MacroExpander.validate(spec, false);
        String s = spec.endsWith(".") ? spec.substring(0, spec.length() - 1) : spec;
        if (s.endsWith("}")) {
            return spec; // domain-end = macro-expand
        }
        int dot = s.lastIndexOf('.');
        if (dot < 0) {
            throw new SyntaxError("domain-spec '" + spec + "' has no top label");
        }
        String top = s.substring(dot + 1);
        // toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
        if (!top.matches("[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9]")) {
            throw new SyntaxError("domain-spec '" + spec + "' has an invalid top label");
        }
        return spec;
    }
}
