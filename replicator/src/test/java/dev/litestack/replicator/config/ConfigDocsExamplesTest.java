package dev.litestack.replicator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every YAML example in docs/configuration.md loads, and every error example is what the loader says. */
class ConfigDocsExamplesTest {

    private static final Path DOC = Path.of("../docs/configuration.md");

    /** The fenced code blocks whose info string is {@code lang} ("" for plain fences). */
    private static List<String> blocks(String lang) throws Exception {
        List<String> out = new ArrayList<>();
        StringBuilder block = null;
        String blockLang = null;
        for (String line : Files.readAllLines(DOC)) {
            if (line.startsWith("```")) {
                if (block == null) {
                    block = new StringBuilder();
                    blockLang = line.substring(3).trim();
                } else {
                    if (blockLang.equals(lang)) {
                        out.add(block.toString());
                    }
                    block = null;
                }
            } else if (block != null) {
                block.append(line).append('\n');
            }
        }
        return out;
    }

    @Test
    void yamlExamplesLoad() throws Exception {
        List<String> examples = blocks("yaml");
        assertEquals(4, examples.size());
        String identity = dev.litestack.replicator.testing.AgeKeys.generate().identity();
        Map<String, String> env = Map.of("AWS_KEY", "k", "AWS_SECRET", "s", "AGE_IDENTITY", identity);
        for (String yaml : examples) {
            Config c = ConfigLoader.parse(yaml, DOC, true, env, Path.of("/"));
            assertEquals(Path.of("/data/app.db"), c.dbs().get(0).path(), yaml);
        }
        Config age = ConfigLoader.parse(examples.get(0), DOC, true, env, Path.of("/"));
        assertEquals(List.of(identity), age.dbs().get(0).replicas().get(0).age().identities());
        Config first = ConfigLoader.parse(examples.get(1), DOC, true, env, Path.of("/"));
        assertEquals("my-bucket", first.dbs().get(0).replica("offsite").bucket());
        Config minio = ConfigLoader.parse(examples.get(3), DOC, true, env, Path.of("/"));
        assertEquals(
                "http://localhost:9000", minio.dbs().get(0).replicas().get(0).endpoint());
    }

    @Test
    void errorExamplesAreRealMessages() throws Exception {
        String errors = blocks("").stream()
                .filter(b -> b.contains("invalid duration"))
                .findFirst()
                .orElseThrow();
        String[] inputs = {
            "dbs:\n- path: /a.db\n  replicas:\n  - path: /r\n  - name: b\n    path: /r2\n    sync-interval: 5x\n",
            "dbs:\n- pathh: /a.db\n",
            "dbs:\n- path: /a.db\n  min-checkpoint-page-count: \"1000\"\n",
            "dbs:\n- path: /a.db\n  replicas:\n  - path: /r\n  - path: /r2\n",
            "dbs:\n- path: /a.db\n  replicas:\n  - type: gcs\n",
            "addr: localhost\n",
            "dbs:\n  - path: /a.db\n   - path: /b.db\n",
        };
        for (String input : inputs) {
            try {
                ConfigLoader.parse(input, Path.of("/etc/litestream.yml"), true, Map.of(), Path.of("/"));
                throw new AssertionError("accepted: " + input);
            } catch (ConfigException e) {
                assertTrue(errors.contains(e.getMessage() + "\n"), "not in the docs: " + e.getMessage());
            }
        }
    }
}
