package org.mailkeep.backup;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.core.Context;
import org.mailkeep.admin.AdminGate;
import org.mailkeep.box.ApiError;
import org.mailkeep.box.InvalidInput;
import org.mailkeep.setup.SetupService;

import java.io.IOException;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The backup calls of docs/interface.md. */
@Path("/api")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class BackupResource {

    public record SettingsRequest(String passphrase, String schedule) {
    }

    public record RestoreRequest(String token, String backupId, String passphrase) {
    }

    public record MailboxRestoreRequest(String address, String day) {
    }

    public record Available(String id, String finishedAt, long bytes, int files) {
    }

    private final BackupService backups;
    private final SetupService setup;
    private final AdminGate gate;

    public BackupResource(BackupService backups, SetupService setup, AdminGate gate) {
        this.backups = backups;
        this.setup = setup;
        this.gate = gate;
    }

    @GET
    @Path("backup/settings")
    public Map<String, Object> settings() {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("passphraseSet", backups.isConfigured());
        result.put("schedule", backups.schedule());
        result.put("target", backups.stick().root().toString());
        result.put("ignoredMarkers", backups.ignoredMarkers());
        return result;
    }

    @GET
    @Path("backup/sticks")
    public List<UsbSticks.Volume> sticks() throws IOException {
        return backups.sticks();
    }

    public record PrepareRequest(String confirm) {
    }

    /** Unmounts the stick (through the root helper) so it is safe to pull. */
    @POST
    @Path("backup/sticks/eject")
    @Consumes(MediaType.WILDCARD)
    public Response eject() throws IOException {
        return Response.ok(Map.of("result", backups.eject())).build();
    }

    /** Erases a USB disk and makes it an ext4 backup stick; the body must name the disk and its size. */
    @POST
    @Path("backup/sticks/{disk}/prepare")
    public Response prepare(@PathParam("disk") String disk, PrepareRequest request) throws IOException {
        if (request == null) {
            throw new InvalidInput("confirm", "a JSON body with the confirmation \"<disk> <size>\" is required");
        }
        return Response.ok(Map.of("disk", disk, "result", backups.prepare(disk, InvalidInput.required("confirm", request.confirm())))).build();
    }

    @PUT
    @Path("backup/settings")
    public Map<String, Object> configure(SettingsRequest request) {
        if (request == null) {
            throw new InvalidInput("passphrase", "a JSON body with passphrase and/or schedule is required");
        }
        backups.configure(request.passphrase(), request.schedule());
        return settings();
    }

    @POST
    @Path("backups")
    @Consumes(MediaType.WILDCARD)
    public Response start() {
        try {
            return Response.accepted(Map.of("id", backups.start())).build();
        } catch (IllegalStateException e) {
            return ApiError.response(409, e.getMessage(), "passphrase");
        }
    }

    @GET
    @Path("backups")
    public List<BackupService.Run> list() {
        return backups.runs();
    }

    @GET
    @Path("backups/progress")
    public Response progress() {
        return backups.progress().<Response>map(p -> Response.ok(p).build()).orElse(Response.noContent().build());
    }

    @POST
    @Path("backups/{id}/verify")
    @Consumes(MediaType.WILDCARD)
    public Response verify(@PathParam("id") String id) {
        try {
            return Response.ok(Map.of("id", id, "filesChecked", backups.verify(id), "result", "ok")).build();
        } catch (OpenPgpFile.WrongPassphraseException e) {
            return ApiError.response(422, "the stored passphrase does not open backup " + id + ": " + e.getMessage());
        } catch (IOException e) {
            return ApiError.response(422, "backup " + id + " is damaged: " + BackupService.explain(e));
        }
    }

    @POST
    @Path("backups/{id}/restore-mailbox")
    public Response restoreMailbox(@PathParam("id") String id, MailboxRestoreRequest request) throws IOException {
        if (request == null) {
            throw new InvalidInput("address", "a JSON body with the mailbox address is required");
        }
        LocalDate day;
        try {
            day = request.day() == null || request.day().isBlank() ? null : LocalDate.parse(request.day());
        } catch (java.time.format.DateTimeParseException e) {
            throw new InvalidInput("day", "give the day as YYYY-MM-DD");
        }
        int count = backups.restoreMailbox(id, InvalidInput.required("address", request.address()), day);
        return Response.ok(Map.of("restored", count)).build();
    }

    /** The complete backups on the stick (open before setup, so a fresh box can offer them for restore). */
    @GET
    @Path("restore")
    public List<Available> available() throws IOException {
        return backups.stick().wellFormed().stream().map(c -> new Available(c.id(), c.finishedAt(), c.bytes(), c.files())).toList();
    }

    @POST
    @Path("restore")
    public Response restore(RestoreRequest request, @Context HttpServerRequest http) throws IOException {
        if (request == null) {
            throw new InvalidInput("backupId", "a JSON body with token, backupId and passphrase is required");
        }
        if (!setup.isComplete()) {
            Response refused = gate.checkSetupToken(http.remoteAddress().hostAddress(), request.token());
            if (refused != null) {
                return refused;
            }
        }
        try {
            String id = request.backupId() == null || request.backupId().isBlank() ? backups.newestBackup() : request.backupId();
            backups.startRestore(id, InvalidInput.required("passphrase", request.passphrase()));
        } catch (OpenPgpFile.WrongPassphraseException e) {
            return ApiError.response(400, "This passphrase does not open the backup.", "passphrase");
        }
        return Response.accepted(Map.of("id", backups.progress().map(BackupService.Progress::id).orElse(request.backupId()))).build();
    }
}
