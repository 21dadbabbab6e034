package dev.litestack.replicator.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The Markdown report: a summary table (one row per figure) and one section of detail per benchmark. */
final class Report {

    private record Row(String figure, String ours, String litestream, String target, String verdict) {}

    private final Path out;
    private final String header;
    private final List<Row> summary = new ArrayList<>();
    private final StringBuilder sections = new StringBuilder();

    Report(Path out, String header) {
        this.out = out;
        this.header = header;
    }

    /** One summary row; {@code verdict} is e.g. "met", "missed", or "" when there is no target. */
    void row(String figure, String ours, String litestream, String target, String verdict) {
        summary.add(new Row(figure, ours, litestream, target, verdict));
    }

    void section(String title, String markdown) {
        sections.append("\n## ")
                .append(title)
                .append("\n\n")
                .append(markdown.strip())
                .append('\n');
    }

    static String table(List<String> headers, List<List<String>> rows) {
        StringBuilder b =
                new StringBuilder("| ").append(String.join(" | ", headers)).append(" |\n|");
        headers.forEach(h -> b.append("---|"));
        b.append('\n');
        for (List<String> r : rows) {
            b.append("| ").append(String.join(" | ", r)).append(" |\n");
        }
        return b.toString();
    }

    /** Rewrites the whole file (called after every benchmark, so a crash keeps what was measured). */
    void flush() throws IOException {
        StringBuilder b = new StringBuilder(header.strip()).append("\n\n## Summary\n\n");
        List<List<String>> rows = new ArrayList<>();
        for (Row r : summary) {
            rows.add(List.of(r.figure, r.ours, r.litestream, r.target, r.verdict));
        }
        b.append(table(List.of("figure", "ours", "Litestream 0.3.13", "target / bar", "ours vs target"), rows));
        b.append(sections);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, b.toString());
    }
}
