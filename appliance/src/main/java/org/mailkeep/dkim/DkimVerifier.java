package org.mailkeep.dkim;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.dns.Resolver;
import org.mailkeep.store.Address;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Verifies the DKIM signatures of a message (RFC 6376 §6) with rsa-sha256 and ed25519-sha256 (RFC 8463).
 *
 * <h2>API (for DMARC and Authentication-Results)</h2>
 * <pre>{@code
 *   List<DkimVerifier.Result> results = verifier.verify(Path messageFile);   // or verify(InputStream)
 *   for (Result r : results) {
 *       r.domain();     // d= (lower case), the domain DMARC aligns with the From domain (RFC 7489 §3.1.1)
 *       r.selector();   // s=
 *       r.result();     // Outcome.PASS | FAIL | NEUTRAL | TEMPERROR | PERMERROR (RFC 8601 §2.7.1 "dkim" values)
 *       r.reason();     // human-readable detail for the Authentication-Results comment
 *       r.headerB();    // first 8 characters of b=, for "header.b=" (RFC 6008)
 *   }
 * }</pre>
 * One {@link Result} per DKIM-Signature field, in header order; an empty list means the message is not
 * signed (Authentication-Results "dkim=none"). The message is read once, streaming: memory does not grow
 * with its size. Key records are looked up through {@link Resolver} ({@code <s>._domainkey.<d>} TXT).
 * At most {@link #MAX_SIGNATURES} signatures are evaluated; further ones are reported as PERMERROR
 * without DNS queries (RFC 6376 §8.4, denial of service).
 * <p>Outcome mapping: a signature that parses, whose key is found and whose hashes match is PASS; body
 * hash or signature mismatch is FAIL; a signature field with a syntax error or an algorithm we do not
 * implement (rsa-sha1, RFC 8301) is NEUTRAL; a missing/revoked/unusable key, an unsigned From, an i= outside
 * d= or an expired signature is PERMERROR; a DNS failure that may go away is TEMPERROR.
 */
@ApplicationScoped
public class DkimVerifier {

    public static final int MAX_SIGNATURES = 8;

    public enum Outcome {
        PASS, FAIL, NEUTRAL, TEMPERROR, PERMERROR;

        /** The RFC 8601 result keyword. */
        public String keyword() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The verdict on one DKIM-Signature field. {@code domain}/{@code selector} are null when the field did not even name them. */
    public record Result(String domain, String selector, String algorithm, Outcome result, String reason, String headerB) {
    }

    private final Resolver resolver;

    public DkimVerifier(Resolver resolver) {
        this.resolver = resolver;
    }

    public List<Result> verify(Path message) throws IOException {
        try (InputStream in = Files.newInputStream(message)) {
            return verify(in);
        }
    }

    public List<Result> verify(InputStream message) throws IOException {
        return verify(message, System.currentTimeMillis() / 1000);
    }

    List<Result> verify(InputStream message, long now) throws IOException {
        BufferedInputStream in = message instanceof BufferedInputStream b ? b : new BufferedInputStream(message);
        List<HeaderField> header = HeaderField.readHeader(in);
        List<Check> checks = new ArrayList<>();
        for (HeaderField field : header) {
            if (field.lowerName().equals("dkim-signature")) {
                checks.add(checks.size() < MAX_SIGNATURES ? Check.parse(field, now)
                        : Check.failed(field, Outcome.PERMERROR, "more than " + MAX_SIGNATURES + " signatures: not evaluated"));
            }
        }
        if (checks.isEmpty()) {
            return List.of();
        }
        byte[] line;
        while ((line = HeaderField.readLine(in)) != null) {
            for (Check check : checks) {
                if (check.body != null) {
                    check.body.line(line);
                }
            }
        }
        List<Result> results = new ArrayList<>();
        for (Check check : checks) {
            results.add(check.outcome != null ? check.result() : finish(check, header));
        }
        return results;
    }

    private Result finish(Check check, List<HeaderField> header) {
        byte[] bodyHash = check.body.finish();
        Key key = lookupKey(check);
        if (key.failure != null) {
            return check.with(key.failure, key.reason);
        }
        if (!java.security.MessageDigest.isEqual(bodyHash, check.bh)) {
            return check.with(Outcome.FAIL, "body hash did not verify");
        }
        byte[] data = DkimSigner.signedData(header, check.hNames, withoutB(check.field), check.headerCanon);
        try {
            return check.algorithm.verify(key.publicKey, data, check.b)
                    ? check.with(Outcome.PASS, "good signature")
                    : check.with(Outcome.FAIL, "signature did not verify");
        } catch (IOException | RuntimeException e) {
            return check.with(Outcome.PERMERROR, "unusable public key: " + e.getMessage());
        }
    }

    private record Key(byte[] publicKey, Outcome failure, String reason) {
        static Key fail(Outcome outcome, String reason) {
            return new Key(null, outcome, reason);
        }
    }

    /** RFC 6376 §3.6.2.2 / §6.1.2: the key record at {@code s._domainkey.d}. */
    private Key lookupKey(Check check) {
        String name = check.selector + "._domainkey." + check.domain;
        Resolver.Answer answer = resolver.query(name, Type.TXT);
        if (answer.status() == Resolver.Status.TEMP_FAIL) {
            return Key.fail(Outcome.TEMPERROR, "key lookup for " + name + " failed: " + answer.error());
        }
        if (!answer.found()) {
            return Key.fail(Outcome.PERMERROR, "no key for signature (" + name + ")");
        }
        String lastProblem = "no usable key record at " + name;
        for (org.xbill.DNS.Record record : answer.records()) {
            if (!(record instanceof TXTRecord txt)) {
                continue;
            }
            String text = String.join("", txt.getStrings()); // §3.6.2.2: strings are concatenated
            Optional<Map<String, String>> tags = tags(text);
            if (tags.isEmpty()) {
                lastProblem = "key record syntax error at " + name;
                continue;
            }
            Map<String, String> t = tags.get();
            if (t.containsKey("v") && !t.get("v").equals("DKIM1")) {
                lastProblem = "key record v= is not DKIM1";
                continue;
            }
            if (!t.getOrDefault("k", "rsa").equalsIgnoreCase(check.algorithm.keyType())) {
                lastProblem = "key type " + t.getOrDefault("k", "rsa") + " does not match a=" + check.algorithm.tag();
                continue;
            }
            if (t.containsKey("h") && !List.of(t.get("h").toLowerCase(Locale.ROOT).split(":")).contains("sha256")) {
                lastProblem = "key record does not allow sha256 (h=" + t.get("h") + ")";
                continue;
            }
            String services = t.getOrDefault("s", "*");
            if (!List.of(services.split(":")).contains("*") && !List.of(services.split(":")).contains("email")) {
                lastProblem = "key not for email (s=" + services + ")";
                continue;
            }
            String p = t.get("p");
            if (p == null) {
                lastProblem = "key record without p=";
                continue;
            }
            if (p.isEmpty()) {
                return Key.fail(Outcome.PERMERROR, "key revoked (empty p=) at " + name);
            }
            if (List.of(t.getOrDefault("t", "").split(":")).contains("s") && check.identityDomain != null
                    && !check.identityDomain.equals(check.domain)) {
                lastProblem = "key requires i= domain to equal d= (t=s)";
                continue;
            }
            try {
                return new Key(Base64.getDecoder().decode(p), null, null);
            } catch (IllegalArgumentException e) {
                lastProblem = "key p= is not base64";
            }
        }
        return Key.fail(Outcome.PERMERROR, lastProblem);
    }

    /** The signature field with its b= value (and the whitespace around it) removed (RFC 6376 §3.7). */
    static HeaderField withoutB(HeaderField field) {
        String text = new String(field.raw(), StandardCharsets.UTF_8);
        int colon = text.indexOf(':');
        String[] parts = text.substring(colon + 1).split(";", -1);
        for (int i = 0; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq > 0 && parts[i].substring(0, eq).strip().equals("b")) {
                parts[i] = parts[i].substring(0, eq + 1);
            }
        }
        return new HeaderField(field.name(), (text.substring(0, colon + 1) + String.join(";", parts)).getBytes(StandardCharsets.UTF_8));
    }

    /** A tag-list (RFC 6376 §3.2); empty on a syntax error or a duplicate tag. Whitespace inside values is removed. */
    static Optional<Map<String, String>> tags(String text) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (String spec : text.split(";")) {
            if (spec.isBlank()) {
                continue;
            }
            int eq = spec.indexOf('=');
            if (eq <= 0) {
                return Optional.empty();
            }
            String name = spec.substring(0, eq).strip();
            if (!name.matches("[A-Za-z][A-Za-z0-9_]*") || tags.put(name, spec.substring(eq + 1).replaceAll("[ \t\r\n]+", "")) != null) {
                return Optional.empty();
            }
        }
        return Optional.of(tags);
    }

    /** One signature being evaluated: parsed tags, its body hasher, or an early verdict. */
    private static final class Check {
        HeaderField field;
        String domain;
        String selector;
        String identityDomain;
        String headerBPrefix;
        DkimAlgorithm algorithm;
        Canonicalization headerCanon;
        Canonicalization.BodyHasher body;
        List<String> hNames;
        byte[] bh;
        byte[] b;
        Outcome outcome;
        String reason;

        static Check failed(HeaderField field, Outcome outcome, String reason) {
            Check check = new Check();
            check.field = field;
            check.outcome = outcome;
            check.reason = reason;
            return check;
        }

        Result result() {
            return new Result(domain, selector, algorithm == null ? null : algorithm.tag(), outcome, reason, headerBPrefix);
        }

        Result with(Outcome outcome, String reason) {
            this.outcome = outcome;
            this.reason = reason;
            return result();
        }

        /** RFC 6376 §6.1.1: validate the signature field. */
        static Check parse(HeaderField field, long now) {
            String text = new String(field.raw(), StandardCharsets.UTF_8);
            Optional<Map<String, String>> parsed = tags(text.substring(text.indexOf(':') + 1));
            if (parsed.isEmpty()) {
                return failed(field, Outcome.NEUTRAL, "signature syntax error");
            }
            Map<String, String> t = parsed.get();
            Check check = failed(field, null, null);
            check.domain = Optional.ofNullable(t.get("d")).map(d -> d.toLowerCase(Locale.ROOT)).orElse(null);
            check.selector = t.get("s");
            check.headerBPrefix = t.containsKey("b") ? t.get("b").substring(0, Math.min(8, t.get("b").length())) : null;
            for (String required : List.of("v", "a", "b", "bh", "d", "h", "s")) {
                if (!t.containsKey(required) || (t.get(required).isEmpty() && !required.equals("b"))) {
                    return check.fail(Outcome.NEUTRAL, "signature missing required tag " + required + "=");
                }
            }
            if (!t.get("v").equals("1")) {
                return check.fail(Outcome.NEUTRAL, "incompatible version v=" + t.get("v"));
            }
            Optional<DkimAlgorithm> algorithm = DkimAlgorithm.fromTag(t.get("a"));
            if (algorithm.isEmpty()) {
                return check.fail(Outcome.NEUTRAL, "unsupported algorithm a=" + t.get("a"));
            }
            check.algorithm = algorithm.get();
            Canonicalization bodyCanon;
            try {
                String[] c = t.getOrDefault("c", "simple/simple").split("/", -1);
                check.headerCanon = Canonicalization.parse(c[0]);
                bodyCanon = c.length > 1 ? Canonicalization.parse(c[1]) : Canonicalization.SIMPLE;
                check.bh = Base64.getDecoder().decode(t.get("bh"));
                check.b = Base64.getDecoder().decode(t.get("b"));
            } catch (IllegalArgumentException e) {
                return check.fail(Outcome.NEUTRAL, "signature syntax error: " + e.getMessage());
            }
            check.hNames = List.of(t.get("h").split(":"));
            if (check.hNames.stream().noneMatch(h -> h.strip().equalsIgnoreCase("from"))) {
                return check.fail(Outcome.PERMERROR, "From field not signed"); // §6.1.1
            }
            String identity = t.getOrDefault("i", "@" + check.domain);
            check.identityDomain = Address.domainOf(identity);
            if (!check.identityDomain.equals(check.domain) && !check.identityDomain.endsWith("." + check.domain)) {
                return check.fail(Outcome.PERMERROR, "i= domain is not d= or a subdomain of it");
            }
            if (t.containsKey("x")) {
                try {
                    if (Long.parseLong(t.get("x")) < now) {
                        return check.fail(Outcome.PERMERROR, "signature expired");
                    }
                } catch (NumberFormatException e) {
                    return check.fail(Outcome.NEUTRAL, "x= is not a number");
                }
            }
            long limit = -1;
            if (t.containsKey("l")) {
                try {
                    limit = Long.parseLong(t.get("l"));
                } catch (NumberFormatException e) {
                    return check.fail(Outcome.NEUTRAL, "l= is not a number");
                }
            }
            check.body = bodyCanon.bodyHasher(DkimAlgorithm.sha256(), limit);
            return check;
        }

        private Check fail(Outcome outcome, String reason) {
            this.outcome = outcome;
            this.reason = reason;
            this.body = null;
            return this;
        }
    }
}
