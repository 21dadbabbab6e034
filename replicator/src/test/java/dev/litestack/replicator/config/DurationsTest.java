package dev.litestack.replicator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({
        "0, 0",
        "-0, 0",
        "+0, 0",
        "0s, 0",
        "1ns, 1",
        "300us, 300000",
        "300µs, 300000",
        "300μs, 300000",
        "500ms, 500000000",
        "1s, 1000000000",
        "1.5s, 1500000000",
        ".5s, 500000000",
        "5.s, 5000000000",
        "-1s, -1000000000",
        "+2s, 2000000000",
        "1m, 60000000000",
        "1h30m, 5400000000000",
        "1h1m1s1ms1us1ns, 3661001001001",
        "2.5h, 9000000000000",
        "0.000000001s, 1",
        "0.0000000019s, 1",
        "9223372036854775807ns, 9223372036854775807",
        "-9223372036854775808ns, -9223372036854775808",
    })
    void parsesGoSyntax(String text, long nanos) {
        assertEquals(Duration.ofNanos(nanos), Durations.parse(text));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "-",
                "1",
                "10",
                "5x",
                "1d",
                "s",
                ".s",
                "1.2.3s",
                "1h 30m",
                " 1s",
                "1s ",
                "ms5",
                "9223372036854775808ns",
                "3000000h",
                "1S"
            })
    void rejectsWhatGoRejects(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
        assertTrue(e.getMessage().contains("\"" + text + "\""), e.getMessage());
    }

    @Test
    void rejectsNull() {
        assertThrows(IllegalArgumentException.class, () -> Durations.parse(null));
    }

    @ParameterizedTest
    @CsvSource({
        "0, 0s",
        "1, 1ns",
        "999, 999ns",
        "1000, 1µs",
        "1500, 1.5µs",
        "300000, 300µs",
        "1000000, 1ms",
        "500000000, 500ms",
        "1500000, 1.5ms",
        "1000000000, 1s",
        "1500000000, 1.5s",
        "60000000000, 1m0s",
        "5400000000000, 1h30m0s",
        "3600500000000, 1h0m0.5s",
        "86400000000000, 24h0m0s",
        "-1000000000, -1s",
        "-1500, -1.5µs",
        "9223372036854775807, 2562047h47m16.854775807s",
    })
    void formatsLikeGo(long nanos, String text) {
        assertEquals(text, Durations.format(Duration.ofNanos(nanos)));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "0s",
                "1ns",
                "1.5µs",
                "1ms",
                "10s",
                "1m30s",
                "1h0m0s",
                "24h0m0s",
                "-1s",
                "1h0m0.000000001s",
                "2562047h47m16.854775807s",
                "-2562047h47m16.854775808s"
            })
    void formatThenParseRoundTrips(String text) {
        assertEquals(text, Durations.format(Durations.parse(text)));
    }

    @ParameterizedTest
    @ValueSource(
            longs = {
                0,
                1,
                999,
                1_000,
                123_456_789,
                1_000_000_000,
                59_999_999_999L,
                3_600_000_000_001L,
                -7_200_000_000_000L,
                Long.MAX_VALUE,
                Long.MIN_VALUE
            })
    void parseThenFormatRoundTrips(long nanos) {
        Duration d = Duration.ofNanos(nanos);
        assertEquals(d, Durations.parse(Durations.format(d)));
    }
}
