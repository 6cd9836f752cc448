package org.mailkeep.dns;

import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Update;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * RFC 2136 dynamic updates signed with TSIG (RFC 8945, hmac-sha256), through dnsjava. Each call is one
 * UPDATE message, which the server applies atomically or not at all (RFC 2136 §3.7), so a refused update
 * changes nothing.
 */
public final class Rfc2136Updater {

    static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** The TSIG key as BIND's tsig-keygen prints it: name, algorithm (hmac-sha256) and base64 secret. */
    public record Key(String name, String algorithm, String secret) {
        TSIG tsig() {
            Name algorithmName = switch (algorithm == null ? "hmac-sha256" : algorithm.toLowerCase(java.util.Locale.ROOT)) {
                case "hmac-sha256" -> TSIG.HMAC_SHA256;
                case "hmac-sha512" -> TSIG.HMAC_SHA512;
                default -> throw new IllegalArgumentException("unsupported TSIG algorithm " + algorithm + " (use hmac-sha256)");
            };
            return new TSIG(algorithmName, name, secret);
        }
    }

    private final InetSocketAddress server;
    private final Name zone;
    private final Key key;

    public Rfc2136Updater(InetSocketAddress server, String zone, Key key) {
        this.server = server;
        this.key = key;
        try {
            this.zone = Name.fromString(RecordCheck.absolute(zone));
        } catch (TextParseException e) {
            throw new IllegalArgumentException("invalid zone " + zone + ": " + e.getMessage(), e);
        }
        key.tsig(); // reject a bad algorithm or secret now, not at the first update
    }

    public String zone() {
        return zone.toString(true);
    }

    /** Replaces the whole RRset of {@code records}' name and type with {@code records} (RFC 2136 §2.5.2 then §2.5.1). */
    public void replace(List<Record> records) throws DnsUpdateException {
        Update update = new Update(zone);
        Record first = records.get(0);
        update.delete(first.getName(), first.getType());
        records.forEach(update::add);
        send(update, "replace " + first.getName() + " " + org.xbill.DNS.Type.string(first.getType()));
    }

    /** Adds one record to its RRset (RFC 2136 §2.5.1). */
    public void add(Record record) throws DnsUpdateException {
        Update update = new Update(zone);
        update.add(record);
        send(update, "add " + record);
    }

    /** Deletes one record from its RRset (RFC 2136 §2.5.4). */
    public void delete(Record record) throws DnsUpdateException {
        Update update = new Update(zone);
        update.delete(record);
        send(update, "delete " + record);
    }

    private void send(Update update, String what) throws DnsUpdateException {
        SimpleResolver resolver = new SimpleResolver(server);
        resolver.setTSIGKey(key.tsig());
        resolver.setTCP(true);
        resolver.setTimeout(TIMEOUT);
        Message response;
        try {
            response = resolver.send(update);
        } catch (IOException e) {
            throw new DnsUpdateException("TIMEOUT", what + ": no answer from " + server + ": " + e.getMessage());
        }
        int rcode = response.getRcode();
        if (rcode == Rcode.NOERROR) {
            return;
        }
        String name = Rcode.string(rcode);
        String hint = switch (rcode) {
            case Rcode.NOTAUTH -> " (the server does not accept key \"" + key.name() + "\": check the key name and secret)";
            case Rcode.REFUSED -> " (the server refuses updates with key \"" + key.name() + "\" for this name: check its update policy)";
            case Rcode.NOTZONE -> " (the name is not inside zone " + zone + ")";
            default -> "";
        };
        throw new DnsUpdateException(name, what + ": the DNS server answered " + name + hint + "; nothing was changed");
    }

    /** A record from its presentation form ("10 mail.example.org", "192.0.2.1"); names are absolute. */
    public static Record record(String name, int type, long ttl, String rdata) throws IOException {
        return Record.fromString(Name.fromString(RecordCheck.absolute(name)), type, DClass.IN, ttl, rdata, Name.root);
    }
}
