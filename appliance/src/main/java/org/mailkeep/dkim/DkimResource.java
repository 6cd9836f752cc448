package org.mailkeep.dkim;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.mailkeep.store.Directory;
import org.mailkeep.box.NotFoundException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** DKIM keys and their rotation (docs/interface.md "DKIM"): publish the next key, then activate it. */
@Path("/api/dkim/{domain}")
@Produces(MediaType.APPLICATION_JSON)
public class DkimResource {

    public record Key(String selector, String algorithm, String role, String record) {
    }

    private final DkimKeys keys;
    private final Directory directory;

    public DkimResource(DkimKeys keys, Directory directory) {
        this.keys = keys;
        this.directory = directory;
    }

    @GET
    public List<Key> list(@PathParam("domain") String domain) {
        String d = local(domain);
        return keys.publishedKeys(d).entrySet().stream().flatMap(e -> e.getValue().stream()
                .map(k -> new Key(k.selector(), k.algorithm().tag(), e.getKey().name().toLowerCase(Locale.ROOT), DkimKeys.txtValue(k)))).toList();
    }

    /** Creates the next key generation; its records appear in GET /api/dns/records at once. */
    @POST
    @Path("/rotate")
    public Map<String, String> rotate(@PathParam("domain") String domain) {
        Map<String, String> result = new LinkedHashMap<>();
        result.put("next", keys.prepareNext(local(domain)));
        return result;
    }

    /** Signs with the next generation from now on; the old one stays published as previous. */
    @POST
    @Path("/activate")
    public Map<String, String> activate(@PathParam("domain") String domain) {
        try {
            return Map.of("active", keys.activateNext(local(domain)));
        } catch (IllegalStateException e) {
            throw new NotFoundException(e.getMessage());
        }
    }

    private String local(String domain) {
        if (!directory.isLocalDomain(domain)) {
            throw new NotFoundException("not a local domain: " + domain);
        }
        return domain.toLowerCase(Locale.ROOT);
    }
}
