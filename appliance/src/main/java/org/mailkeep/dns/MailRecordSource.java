package org.mailkeep.dns;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import org.mailkeep.config.MailkeepConfig;
import org.xbill.DNS.ReverseMap;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The records every MailKeep domain needs: MX, the host's A/AAAA, SPF, DMARC, TLS-RPT, client
 * autoconfiguration (CNAMEs and RFC 6186/8314 SRV) and the PTR to ask the ISP for. DKIM (outbound), MTA-STS
 * and CAA come from their own sources.
 */
@ApplicationScoped
public class MailRecordSource implements RecordSource {

    private final NetworkStatus network;
    private final Instance<SpfContribution> spfContributions;
    private final MailkeepConfig config;

    public MailRecordSource(NetworkStatus network, Instance<SpfContribution> spfContributions, MailkeepConfig config) {
        this.network = network;
        this.spfContributions = spfContributions;
        this.config = config;
    }

    @Override
    public List<PublishedRecord> records(String domain, String hostname) {
        NetworkStatus.Snapshot net = network.last();
        List<PublishedRecord> records = new ArrayList<>();
        records.add(new PublishedRecord(RecordGroup.RECEIVE, "MX", domain, "10 " + hostname,
                "Tells other mail servers to deliver mail for " + domain + " to this box (RFC 5321 §5.1)."));
        records.add(new PublishedRecord(RecordGroup.RECEIVE, "A", hostname, net.ipv4().orElse(""),
                "Points the mail host name at this box's public IPv4 address" + (net.ipv4().isPresent() ? "." : " (not detected yet).")));
        net.ipv6().ifPresent(ip -> records.add(new PublishedRecord(RecordGroup.RECEIVE, "AAAA", hostname, ip,
                "Points the mail host name at this box's public IPv6 address.")));
        records.add(new PublishedRecord(RecordGroup.SEND, "TXT", domain, spf(domain),
                "SPF: says which servers may send mail for " + domain + "; receivers reject or junk mail from others (RFC 7208)."));
        records.add(new PublishedRecord(RecordGroup.SEND, "TXT", "_dmarc." + domain, "v=DMARC1; p=quarantine; rua=mailto:postmaster@" + domain,
                "DMARC: asks receivers to quarantine mail that fails SPF and DKIM, and to send reports to postmaster (RFC 7489)."));
        records.add(new PublishedRecord(RecordGroup.RECOMMENDED, "TXT", "_smtp._tls." + domain, "v=TLSRPTv1; rua=mailto:postmaster@" + domain,
                "TLS-RPT: asks senders to report TLS problems when delivering to you (RFC 8460)."));
        records.add(new PublishedRecord(RecordGroup.RECOMMENDED, "CNAME", "autoconfig." + domain, hostname,
                "Lets Thunderbird and other clients find the mail settings automatically."));
        records.add(new PublishedRecord(RecordGroup.RECOMMENDED, "CNAME", "autodiscover." + domain, hostname,
                "Lets Outlook and other clients find the mail settings automatically."));
        srv(records, "_submissions._tcp." + domain, config.submissions().port(), 465, hostname,
                "Tells mail apps to send mail over implicit TLS on port 465 (RFC 8314 §5.1).");
        srv(records, "_submission._tcp." + domain, config.submission().port(), 587, hostname,
                "Tells mail apps to send mail over STARTTLS on port 587 (RFC 6186 §3.1).");
        srv(records, "_imaps._tcp." + domain, config.imaps().port(), 993, hostname,
                "Tells mail apps to read mail over implicit TLS on port 993 (RFC 8314 §5.1).");
        srv(records, "_imap._tcp." + domain, config.imap().port(), 143, hostname,
                "Tells mail apps to read mail over STARTTLS on port 143 (RFC 6186 §3.2).");
        net.ipv4().ifPresent(ip -> records.add(new PublishedRecord(RecordGroup.SEND, "PTR", reverseName(ip), hostname,
                "Reverse DNS: many receivers distrust mail from an address whose name does not match the host. "
                        + "Only your ISP or hosting provider can set this; ask them for this PTR.")));
        return records;
    }

    /** A port disabled in the configuration gets no SRV record; the published port is the standard one (the firewall/NAT maps it). */
    private static void srv(List<PublishedRecord> records, String name, int configuredPort, int standardPort, String hostname, String purpose) {
        if (configuredPort > 0) {
            records.add(new PublishedRecord(RecordGroup.RECOMMENDED, "SRV", name, "0 1 " + standardPort + " " + hostname, purpose));
        }
    }

    /** "mx"-based so a changing home IP needs no SPF update (RFC 7208 §5.4); contributions (a relay's include) come before "-all". */
    String spf(String domain) {
        StringBuilder spf = new StringBuilder("v=spf1 mx");
        spfContributions.stream().flatMap(c -> c.mechanisms(domain).stream()).distinct().sorted()
                .forEach(m -> spf.append(' ').append(m));
        return spf.append(" -all").toString();
    }

    static String reverseName(String ip) {
        try {
            String name = ReverseMap.fromAddress(InetAddress.getByName(ip)).toString();
            return name.substring(0, name.length() - 1);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + ip, e);
        }
    }
}
