package dev.litestack.replicator.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/** Small statistics and formatting helpers for the benchmark report. */
final class Stats {

    private Stats() {}

    static double median(Collection<Double> xs) {
        return pct(xs, 50);
    }

    /** Percentile by the nearest-rank-with-interpolation method; NaN for an empty sample. */
    static double pct(Collection<Double> xs, double p) {
        if (xs.isEmpty()) {
            return Double.NaN;
        }
        List<Double> s = new ArrayList<>(xs);
        s.sort(Double::compare);
        double rank = p / 100.0 * (s.size() - 1);
        int lo = (int) Math.floor(rank);
        int hi = (int) Math.ceil(rank);
        return s.get(lo) + (s.get(hi) - s.get(lo)) * (rank - lo);
    }

    static double max(Collection<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    static String f(double v, int decimals) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** "median (min–max, n=3)" for a sample. */
    static String spread(List<Double> xs, int decimals) {
        if (xs.isEmpty()) {
            return "n/a";
        }
        double min = xs.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        return f(median(xs), decimals) + " (" + f(min, decimals) + "–" + f(max(xs), decimals) + ", n=" + xs.size()
                + ")";
    }
}
