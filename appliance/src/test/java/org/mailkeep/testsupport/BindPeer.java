package org.mailkeep.testsupport;

import org.mailkeep.dns.Rfc2136Updater;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The BIND peer of test-support/peers.sh: zone example.test on 127.0.0.1:5353, updatable with the TSIG key ddns-key. */
public final class BindPeer {

    public static final String SERVER = "127.0.0.1:5353";
    public static final InetSocketAddress ADDRESS = new InetSocketAddress("127.0.0.1", 5353);
    public static final String ZONE = "example.test";
    public static final Path KEY_FILE = Path.of("/tmp/mailkeep-peers/bind/ddns.key");

    private BindPeer() {
    }

    /** A fresh label under example.test, so runs never see each other's records. */
    public static String freshDomain() {
        return "t" + UUID.randomUUID().toString().substring(0, 8) + "." + ZONE;
    }

    /** Parses BIND's key file: key "name" { algorithm hmac-sha256; secret "..."; }; */
    public static Rfc2136Updater.Key key() throws IOException {
        String text = Files.readString(KEY_FILE);
        Matcher m = Pattern.compile("key\\s+\"([^\"]+)\"\\s*\\{\\s*algorithm\\s+([\\w-]+);\\s*secret\\s+\"([^\"]+)\"").matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no key in " + KEY_FILE);
        }
        return new Rfc2136Updater.Key(m.group(1), m.group(2), m.group(3));
    }

    public static Rfc2136Updater updater() throws IOException {
        return new Rfc2136Updater(ADDRESS, ZONE, key());
    }

    /** {@code dig +short} against the peer: what any DNS client sees. */
    public static String dig(String name, String type) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("dig", "+short", "-p", "5353", "@127.0.0.1", name, type).redirectErrorStream(true).start();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String out = String.join("\n", in.lines().toList());
            p.waitFor();
            return out.trim();
        }
    }
}
