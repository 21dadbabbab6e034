package dev.litestack.replicator.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SupervisorSplitTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("bin/app", List.of("bin/app")),
                Arguments.of("  java   -jar  app.jar  ", List.of("java", "-jar", "app.jar")),
                Arguments.of("a\tb\nc", List.of("a", "b", "c")),
                Arguments.of("sh -c 'exit 3'", List.of("sh", "-c", "exit 3")),
                Arguments.of("sh -c \"echo $HOME\"", List.of("sh", "-c", "echo $HOME")),
                Arguments.of("echo 'it''s'", List.of("echo", "its")),
                Arguments.of("echo \"it's\"", List.of("echo", "it's")),
                Arguments.of("echo 'say \"hi\"'", List.of("echo", "say \"hi\"")),
                Arguments.of("echo \"a \\\"b\\\" c\"", List.of("echo", "a \"b\" c")),
                Arguments.of("echo \"back\\\\slash\"", List.of("echo", "back\\slash")),
                Arguments.of("echo \"keep\\n\"", List.of("echo", "keep\\n")),
                Arguments.of("echo 'no\\escape'", List.of("echo", "no\\escape")),
                Arguments.of("echo a\\ b", List.of("echo", "a b")),
                Arguments.of("echo \\'x", List.of("echo", "'x")),
                Arguments.of("echo '' \"\"", List.of("echo", "", "")),
                Arguments.of("pre'mid'\"post\"", List.of("premidpost")),
                Arguments.of("", List.of()),
                Arguments.of("   ", List.of()));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void splitsLikeAShell(String cmd, List<String> words) {
        assertEquals(words, Supervisor.split(cmd));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sh -c 'exit 3", "echo \"abc", "echo 'a\"b", "'"})
    void rejectsAnUnterminatedQuote(String cmd) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Supervisor.split(cmd));
        assertEquals("unterminated quote in exec command: " + cmd, e.getMessage());
    }

    @Test
    void aTrailingBackslashIsKept() {
        assertEquals(List.of("echo", "a\\"), Supervisor.split("echo a\\"));
    }
}
