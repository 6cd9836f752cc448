package org.mailkeep.testsupport;

import org.mailkeep.dns.Resolver;
import org.mailkeep.dns.TxtValues;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.TXTRecord;

import java.util.List;

/** A resolver for fuzz tests that answers every query with one TXT record holding a given (fuzzed) text: no DNS. */
public final class TxtResolver implements Resolver {

    private final String text;

    public TxtResolver(String text) {
        this.text = text;
    }

    @Override
    public Answer query(Name name, int type) {
        // character-strings of at most 255 octets (RFC 1035 §3.3.14); dnsjava reads "\" as an escape in its string form
        List<String> strings = TxtValues.split(text).stream().map(s -> s.replace("\\", "\\\\")).toList();
        return new Answer(Status.OK, List.of(new TXTRecord(name, DClass.IN, 300, strings)), null);
    }
}
