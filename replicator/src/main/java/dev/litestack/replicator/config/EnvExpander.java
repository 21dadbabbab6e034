package dev.litestack.replicator.config;

import java.util.Map;

/**
 * Go's {@code os.ExpandEnv}, character for character: {@code $VAR} and {@code ${VAR}} are
 * replaced, unset variables become empty, {@code $$} and the other shell specials ({@code $1},
 * {@code $*}, ...) expand the variable of that one-character name, a {@code $} followed by any
 * other character stays literal, and bad brace syntax ({@code ${}}, an unclosed {@code ${}) is
 * dropped. There is no escape for a literal {@code $}.
 */
final class EnvExpander {

    private EnvExpander() {}

    static String expand(String s, Map<String, String> env) {
        StringBuilder buf = null;
        int i = 0;
        for (int j = 0; j < s.length(); j++) {
            if (s.charAt(j) == '$' && j + 1 < s.length()) {
                if (buf == null) {
                    buf = new StringBuilder(s.length() * 2);
                }
                buf.append(s, i, j);
                String rest = s.substring(j + 1);
                int[] width = new int[1];
                String name = shellName(rest, width);
                if (name.isEmpty() && width[0] > 0) {
                    // Invalid syntax: the characters are dropped.
                } else if (name.isEmpty()) {
                    buf.append('$');
                } else {
                    buf.append(env.getOrDefault(name, ""));
                }
                j += width[0];
                i = j + 1;
            }
        }
        return buf == null ? s : buf.append(s, i, s.length()).toString();
    }

    /** The variable name at the start of {@code s} and, in {@code width[0]}, how many characters it spans. */
    private static String shellName(String s, int[] width) {
        if (s.charAt(0) == '{') {
            if (s.length() > 2 && isShellSpecial(s.charAt(1)) && s.charAt(2) == '}') {
                width[0] = 3;
                return s.substring(1, 2);
            }
            for (int i = 1; i < s.length(); i++) {
                if (s.charAt(i) == '}') {
                    if (i == 1) {
                        width[0] = 2;
                        return "";
                    }
                    width[0] = i + 1;
                    return s.substring(1, i);
                }
            }
            width[0] = 1;
            return "";
        }
        if (isShellSpecial(s.charAt(0))) {
            width[0] = 1;
            return s.substring(0, 1);
        }
        int i = 0;
        while (i < s.length() && isAlphaNum(s.charAt(i))) {
            i++;
        }
        width[0] = i;
        return s.substring(0, i);
    }

    private static boolean isShellSpecial(char c) {
        return "*#$@!?-0123456789".indexOf(c) >= 0;
    }

    private static boolean isAlphaNum(char c) {
        return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
