package dev.litestack.replicator.config;

/** YAML 1.1 integers as SnakeYAML resolves them: decimal, 0x hex, 0b binary, 0 octal, 1:30 base 60, {@code _} separators. */
final class YamlInts {

    private YamlInts() {}

    /** The value, or null if it does not fit a long. */
    static Long parse(String text) {
        String s = text.replace("_", "");
        boolean neg = false;
        if (s.startsWith("-") || s.startsWith("+")) {
            neg = s.charAt(0) == '-';
            s = s.substring(1);
        }
        try {
            long v;
            if (s.contains(":")) {
                v = 0;
                for (String part : s.split(":")) {
                    v = Math.addExact(Math.multiplyExact(v, 60), Long.parseLong(part));
                }
            } else if (s.startsWith("0x")) {
                v = Long.parseLong(s.substring(2), 16);
            } else if (s.startsWith("0b")) {
                v = Long.parseLong(s.substring(2), 2);
            } else if (s.length() > 1 && s.startsWith("0")) {
                v = Long.parseLong(s.substring(1), 8);
            } else {
                v = Long.parseLong(s);
            }
            return neg ? -v : v;
        } catch (NumberFormatException | ArithmeticException e) {
            return null;
        }
    }
}
