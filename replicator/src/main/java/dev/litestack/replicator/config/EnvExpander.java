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
        Names names = new Names(s);
        int i = 0;
        for (int j = 0; j < s.length(); j++) {
            if (s.charAt(j) == '$' && j + 1 < s.length()) {
                if (buf == null) {
                    buf = new StringBuilder(s.length() * 2);
                }
                buf.append(s, i, j);
                int[] width = new int[1];
                String name = names.at(j + 1, width);
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

    /**
     * Reads variable names out of one string by offset (never copying the rest of it), and remembers where the
     * next {@code '}'} is, so that a text of many {@code $} or unclosed braces takes time in proportion to
     * its length, not to its square.
     */
    private static final class Names {
        private final String s;
        /** The first '}' at or after {@link #searchedFrom}, -1 if there is none, -2 before the first search. */
        private int close = -2;

        private int searchedFrom;

        Names(String s) {
            this.s = s;
        }

        private int closeAtOrAfter(int from) {
            boolean known = close != -2 && searchedFrom <= from && (close < 0 || close >= from);
            if (!known) {
                close = s.indexOf('}', from);
                searchedFrom = from;
            }
            return close;
        }

        /** The variable name starting at {@code at} and, in {@code width[0]}, how many characters it spans. */
        String at(int at, int[] width) {
            int n = s.length() - at;
            if (s.charAt(at) == '{') {
                if (n > 2 && isShellSpecial(s.charAt(at + 1)) && s.charAt(at + 2) == '}') {
                    width[0] = 3;
                    return s.substring(at + 1, at + 2);
                }
                int end = closeAtOrAfter(at + 1);
                if (end < 0) {
                    width[0] = 1;
                    return "";
                }
                if (end == at + 1) {
                    width[0] = 2;
                    return "";
                }
                width[0] = end - at + 1;
                return s.substring(at + 1, end);
            }
            if (isShellSpecial(s.charAt(at))) {
                width[0] = 1;
                return s.substring(at, at + 1);
            }
            int i = at;
            while (i < s.length() && isAlphaNum(s.charAt(i))) {
                i++;
            }
            width[0] = i - at;
            return s.substring(at, i);
        }
    }

    private static boolean isShellSpecial(char c) {
        return "*#$@!?-0123456789".indexOf(c) >= 0;
    }

    private static boolean isAlphaNum(char c) {
        return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
