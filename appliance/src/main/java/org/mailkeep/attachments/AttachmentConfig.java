package org.mailkeep.attachments;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.util.List;

/** {@code mailkeep.attachments.*}: the attachment policy. */
@ConfigMapping(prefix = "mailkeep.attachments")
public interface AttachmentConfig {

    /** File name extensions refused, also inside archives (case-insensitive, without the dot). */
    @WithName("blocked-extensions")
    @WithDefault("exe,scr,com,bat,cmd,js,jse,vbs,vbe,wsf,hta,pif,cpl,ps1,jar,msi,lnk,iso,img,vhd,docm,dotm,xlsm,xltm,xlam,pptm,potm,ppsm,ppam,sldm")
    List<String> blockedExtensions();

    /** How deep archives may be nested inside each other (a zip in a zip is depth 2). */
    @WithName("max-depth")
    @WithDefault("3")
    int maxDepth();

    /** Total bytes all archives of one message may expand to (zip bombs). */
    @WithName("max-expanded-bytes")
    @WithDefault("104857600")
    long maxExpandedBytes();

    /** Total archive entries per message. */
    @WithName("max-entries")
    @WithDefault("10000")
    int maxEntries();
}
