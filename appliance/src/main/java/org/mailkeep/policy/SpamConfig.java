package org.mailkeep.policy;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** {@code mailkeep.spam.*}: what the spam score leads to. */
@ConfigMapping(prefix = "mailkeep.spam")
public interface SpamConfig {

    /** At or above: delivered to Junk with X-Spam-Status: Yes. */
    @WithName("junk-score")
    @WithDefault("5.0")
    double junkScore();

    /** At or above: rejected with 550 5.7.1 at the end of DATA. */
    @WithName("reject-score")
    @WithDefault("12.0")
    double rejectScore();
}
