package dev.litestack.replicator.config;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Duration;

/**
 * Go duration strings, as {@code time.ParseDuration} reads them and {@code Duration.String} writes
 * them: a sign, then one or more decimal numbers each followed by a unit ({@code ns}, {@code us},
 * {@code µs}, {@code ms}, {@code s}, {@code m}, {@code h}), for example {@code 1h30m},
 * {@code 500ms}, {@code 1.5s}, {@code -1s}. A bare {@code 0} is the only number without a unit.
 * Days are not a unit. The range is Go's: about ±292 years.
 */
public final class Durations {

    /** The hint appended to every duration error the loader reports. */
    static final String HINT = "(use values like 500ms, 10s, 1h30m)";

    private static final BigInteger MAX_NANOS = BigInteger.valueOf(Long.MAX_VALUE);
    private static final BigInteger MIN_NANOS_ABS = MAX_NANOS.add(BigInteger.ONE);
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private Durations() {}

    /**
     * Parses a Go duration string.
     *
     * @throws IllegalArgumentException naming the text and what is wrong with it
     */
    public static Duration parse(String goDuration) {
        if (goDuration == null) {
            throw new IllegalArgumentException("invalid duration: null");
        }
        String s = goDuration;
        boolean neg = false;
        int i = 0;
        if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
            neg = s.charAt(0) == '-';
            i = 1;
        }
        if (s.substring(i).equals("0")) {
            return Duration.ZERO;
        }
        if (i == s.length()) {
            throw invalid(goDuration, "");
        }
        BigDecimal total = BigDecimal.ZERO;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && isDigit(s.charAt(i))) {
                i++;
            }
            boolean pre = i > start;
            String number = s.substring(start, i);
            if (i < s.length() && s.charAt(i) == '.') {
                i++;
                int fracStart = i;
                while (i < s.length() && isDigit(s.charAt(i))) {
                    i++;
                }
                boolean post = i > fracStart;
                if (!pre && !post) {
                    throw invalid(goDuration, "");
                }
                number = (pre ? number : "0") + "." + (post ? s.substring(fracStart, i) : "0");
            } else if (!pre) {
                throw invalid(goDuration, "");
            }
            int unitStart = i;
            while (i < s.length() && s.charAt(i) != '.' && !isDigit(s.charAt(i))) {
                i++;
            }
            String unit = s.substring(unitStart, i);
            if (unit.isEmpty()) {
                throw invalid(goDuration, ": missing unit");
            }
            long unitNanos = unitNanos(unit);
            if (unitNanos == 0) {
                throw invalid(goDuration, ": unknown unit \"" + unit + "\"");
            }
            total = total.add(new BigDecimal(number).multiply(BigDecimal.valueOf(unitNanos)));
        }
        BigInteger nanos = total.setScale(0, RoundingMode.DOWN).toBigIntegerExact();
        if (nanos.compareTo(neg ? MIN_NANOS_ABS : MAX_NANOS) > 0) {
            throw invalid(goDuration, ": out of range");
        }
        if (neg) {
            nanos = nanos.negate();
        }
        BigInteger[] qr = nanos.divideAndRemainder(BigInteger.valueOf(NANOS_PER_SECOND));
        return Duration.ofSeconds(qr[0].longValue(), qr[1].longValue());
    }

    /** Formats like Go's {@code Duration.String}: {@code 1h30m0s}, {@code 500ms}, {@code 0s}, {@code 1.5µs}. */
    public static String format(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        boolean neg = d.isNegative();
        Duration a = d.abs();
        long secs = a.getSeconds();
        int nanos = a.getNano();
        StringBuilder out = new StringBuilder();
        if (secs == 0) {
            if (nanos < 1_000) {
                out.append(nanos).append("ns");
            } else if (nanos < 1_000_000) {
                out.append(fraction(nanos / 1_000, nanos % 1_000, 3)).append("µs");
            } else {
                out.append(fraction(nanos / 1_000_000, nanos % 1_000_000, 6)).append("ms");
            }
        } else {
            long hours = secs / 3600;
            long minutes = (secs % 3600) / 60;
            long seconds = secs % 60;
            if (hours > 0) {
                out.append(hours).append('h');
            }
            if (hours > 0 || minutes > 0) {
                out.append(minutes).append('m');
            }
            out.append(fraction(seconds, nanos, 9)).append('s');
        }
        return neg ? "-" + out : out.toString();
    }

    private static String fraction(long whole, long frac, int digits) {
        if (frac == 0) {
            return Long.toString(whole);
        }
        String f = String.format("%0" + digits + "d", frac).replaceAll("0+$", "");
        return whole + "." + f;
    }

    private static long unitNanos(String unit) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "\u00b5s", "\u03bcs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> NANOS_PER_SECOND;
            case "m" -> 60 * NANOS_PER_SECOND;
            case "h" -> 3600 * NANOS_PER_SECOND;
            default -> 0L;
        };
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static IllegalArgumentException invalid(String text, String detail) {
        return new IllegalArgumentException("invalid duration \"" + text + "\"" + detail);
    }
}
