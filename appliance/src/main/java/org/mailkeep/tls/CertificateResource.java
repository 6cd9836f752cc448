package org.mailkeep.tls;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.mailkeep.box.ApiError;
import org.mailkeep.box.InvalidInput;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/** The served certificate and ACME state: GET /api/tls/certificate, POST /api/tls/certificate/renew, PUT /api/tls/settings. */
@Path("/api/tls")
@Produces(MediaType.APPLICATION_JSON)
public class CertificateResource {

    public record CertificateView(String subject, String issuer, List<String> names, Instant notBefore, Instant notAfter,
                                  String serial, boolean selfSigned, AcmeService.Status acme) {
    }

    public record SettingsBody(String challenge) {
    }

    private final CertificateStore store;
    private final AcmeService acme;

    public CertificateResource(CertificateStore store, AcmeService acme) {
        this.store = store;
        this.acme = acme;
    }

    @GET
    @Path("certificate")
    public CertificateView certificate() {
        X509Certificate cert = store.current();
        return new CertificateView(cert.getSubjectX500Principal().getName(), cert.getIssuerX500Principal().getName(), AcmeService.dnsNames(cert),
                cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant(), cert.getSerialNumber().toString(16),
                store.isSelfSigned(), acme.status());
    }

    @POST
    @Path("certificate/renew")
    public Response renew() {
        if (!acme.renewNow()) {
            return ApiError.response(409, "ACME is off (mailkeep.acme.directory is empty) or setup is not complete");
        }
        return Response.accepted(certificate()).build();
    }

    @GET
    @Path("settings")
    public SettingsBody settings() {
        return new SettingsBody(acme.challenge());
    }

    @PUT
    @Path("settings")
    @Consumes(MediaType.APPLICATION_JSON)
    public SettingsBody save(SettingsBody body) {
        try {
            acme.setChallenge(body == null ? null : body.challenge());
        } catch (IllegalArgumentException e) {
            throw new InvalidInput("challenge", e.getMessage());
        }
        return settings();
    }

}
