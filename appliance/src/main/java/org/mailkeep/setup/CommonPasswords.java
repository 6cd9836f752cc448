package org.mailkeep.setup;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The bundled list of common passwords (web-setup's {@code common-passwords.txt}, the same file the wizard's
 * strength meter reads), so the server refuses what the page refuses even when a script calls the API.
 * A password counts as common when, lower-cased and with digits and punctuation stripped from both ends,
 * it is on the list, is empty, or is one listed word repeated ("passwordpassword").
 */
public final class CommonPasswords {

    static final String RESOURCE = "META-INF/resources/common-passwords.txt";
    private static final Set<String> LIST = load();

    private CommonPasswords() {
    }

    public static boolean isCommon(String password) {
        String lower = password.toLowerCase(Locale.ROOT);
        String core = lower.replaceAll("^[\\p{Punct}\\p{N}\\s]+|[\\p{Punct}\\p{N}\\s]+$", "");
        if (LIST.contains(lower) || LIST.contains(core) || core.isEmpty() || core.chars().distinct().count() <= 2) {
            return true;
        }
        for (int len = 1; len <= core.length() / 2; len++) {
            if (core.length() % len == 0 && core.substring(0, len).repeat(core.length() / len).equals(core)
                    && (len < 4 || LIST.contains(core.substring(0, len)))) {
                return true;
            }
        }
        return false;
    }

    private static Set<String> load() {
        Set<String> words = new HashSet<>();
        try (InputStream in = CommonPasswords.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath (module web-setup)");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = reader.readLine()) != null; ) {
                if (!line.isBlank() && !line.startsWith("#!")) {
                    words.add(line.trim().toLowerCase(Locale.ROOT));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Set.copyOf(words);
    }
}
