package dev.litestack.replicator.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * One YAML mapping of the config, read with yaml.v2's typing rules (what Litestream uses) but
 * stricter: every problem is a {@link ConfigException} naming the key path ({@code dbs[0].path}).
 * String keys take any scalar by its text, as yaml.v2 does; booleans, integers and durations must
 * have their YAML type. A null value counts as absent, and so does an empty string.
 */
final class YamlMap {

    private final String path;
    private final Map<String, Node> entries;

    private YamlMap(String path, Map<String, Node> entries) {
        this.path = path;
        this.entries = entries;
    }

    /** Wraps {@code node}, which must be a mapping; a missing or null node is an empty map. */
    static YamlMap of(Node node, String path) throws ConfigException {
        if (node == null || isNull(node)) {
            return new YamlMap(path, Map.of());
        }
        if (!(node instanceof MappingNode m)) {
            throw ConfigException.at(path.isEmpty() ? "config" : path, "expected a map of keys, got " + describe(node));
        }
        Map<String, Node> entries = new LinkedHashMap<>();
        List<Node> merges = new ArrayList<>();
        for (NodeTuple t : m.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                throw ConfigException.at(
                        path.isEmpty() ? "config" : path, "keys must be plain names, got " + describe(t.getKeyNode()));
            }
            if (k.getTag().equals(Tag.MERGE)) {
                merges.add(t.getValueNode());
            } else if (entries.putIfAbsent(k.getValue(), t.getValueNode()) != null) {
                throw ConfigException.at(join(path, k.getValue()), "key appears twice");
            }
        }
        for (Node merge : merges) {
            List<Node> sources = merge instanceof SequenceNode s ? s.getValue() : List.of(merge);
            for (Node source : sources) {
                of(source, path).entries.forEach(entries::putIfAbsent);
            }
        }
        return new YamlMap(path, entries);
    }

    String path() {
        return path;
    }

    /** The full key path of {@code key} in this map. */
    String key(String key) {
        return join(path, key);
    }

    boolean has(String key) {
        Node n = entries.get(key);
        return n != null && !isNull(n);
    }

    Set<String> keys() {
        return entries.keySet();
    }

    /** Fails on the first key that is not in {@code allowed}, suggesting the closest allowed key. */
    void allowOnly(Collection<String> allowed) throws ConfigException {
        for (String k : entries.keySet()) {
            if (!allowed.contains(k)) {
                throw ConfigException.at(key(k), unknownKey(k, allowed));
            }
        }
    }

    /** One warning per key not in {@code allowed}, for maps whose unknown keys are ignored as Litestream does. */
    List<String> unknownKeys(Collection<String> allowed) {
        List<String> out = new ArrayList<>();
        for (String k : entries.keySet()) {
            if (!allowed.contains(k)) {
                out.add(key(k) + ": " + unknownKey(k, allowed) + ", ignored");
            }
        }
        return out;
    }

    private static String unknownKey(String k, Collection<String> allowed) {
        String hint = Suggest.closest(k, allowed);
        return "unknown key" + (hint == null ? "" : " (did you mean \"" + hint + "\"?)");
    }

    /** The scalar's text; null when absent, null or empty. */
    String string(String key) throws ConfigException {
        Node n = entries.get(key);
        if (n == null || isNull(n)) {
            return null;
        }
        if (!(n instanceof ScalarNode s)) {
            throw ConfigException.at(key(key), "expected a string, got " + describe(n));
        }
        return s.getValue().isEmpty() ? null : s.getValue();
    }

    boolean bool(String key, boolean def) throws ConfigException {
        Node n = entries.get(key);
        if (n == null || isNull(n)) {
            return def;
        }
        if (n instanceof ScalarNode s) {
            String v = s.getValue();
            boolean plain = s.getScalarStyle() == DumperOptions.ScalarStyle.PLAIN;
            if (s.getTag().equals(Tag.BOOL) || (plain && v.length() == 1 && "yYnN".contains(v))) {
                return switch (v.toLowerCase()) {
                    case "true", "yes", "on", "y" -> true;
                    default -> false;
                };
            }
        }
        throw ConfigException.at(key(key), "expected true or false, got " + describe(n));
    }

    /** A whole number; {@code def} when absent or null. */
    int integer(String key, int def) throws ConfigException {
        Node n = entries.get(key);
        if (n == null || isNull(n)) {
            return def;
        }
        if (n instanceof ScalarNode s && s.getTag().equals(Tag.INT)) {
            Long v = YamlInts.parse(s.getValue());
            if (v == null || v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw ConfigException.at(key(key), "number " + s.getValue() + " is out of range");
            }
            return v.intValue();
        }
        throw ConfigException.at(key(key), "expected a whole number, got " + describe(n));
    }

    /** A Go duration string, or a bare {@code 0}; {@code def} when absent or null. */
    Duration duration(String key, Duration def) throws ConfigException {
        Node n = entries.get(key);
        if (n == null || isNull(n)) {
            return def;
        }
        if (!(n instanceof ScalarNode s)) {
            throw ConfigException.at(key(key), "expected a duration such as 10s, got " + describe(n));
        }
        if (s.getTag().equals(Tag.INT)) {
            Long v = YamlInts.parse(s.getValue());
            if (v != null && v == 0) {
                return Duration.ZERO;
            }
            throw ConfigException.at(key(key), "number " + s.getValue() + " has no unit " + Durations.HINT);
        }
        try {
            return Durations.parse(s.getValue());
        } catch (IllegalArgumentException e) {
            throw ConfigException.at(key(key), "invalid duration \"" + s.getValue() + "\" " + Durations.HINT);
        }
    }

    /** A duration that must be greater than zero. */
    Duration positiveDuration(String key, Duration def) throws ConfigException {
        Duration d = duration(key, def);
        if (d.compareTo(Duration.ZERO) <= 0) {
            throw ConfigException.at(key(key), "must be greater than 0 (got " + Durations.format(d) + ")");
        }
        return d;
    }

    /** A duration where zero means off and negative is an error. */
    Duration offOrPositiveDuration(String key, Duration def) throws ConfigException {
        Duration d = duration(key, def);
        if (d.isNegative()) {
            throw ConfigException.at(
                    key(key), "must not be negative (got " + Durations.format(d) + "; use 0 to turn it off)");
        }
        return d;
    }

    /** A list of maps, each wrapped with its index in the path; empty when absent or null. */
    List<YamlMap> listOfMaps(String key) throws ConfigException {
        Node n = entries.get(key);
        if (n == null || isNull(n)) {
            return List.of();
        }
        if (!(n instanceof SequenceNode seq)) {
            throw ConfigException.at(key(key), "expected a list, got " + describe(n));
        }
        List<YamlMap> out = new ArrayList<>();
        for (int i = 0; i < seq.getValue().size(); i++) {
            Node item = seq.getValue().get(i);
            String itemPath = key(key) + "[" + i + "]";
            if (!(item instanceof MappingNode)) {
                throw ConfigException.at(itemPath, "expected a map of keys, got " + describe(item));
            }
            out.add(of(item, itemPath));
        }
        return out;
    }

    /** A list of strings (any scalar by its text); empty when absent or null. Items are not echoed in errors. */
    List<String> stringList(String key) throws ConfigException {
        Node n = entries.get(key);
        if (n == null || isNull(n)) {
            return List.of();
        }
        if (!(n instanceof SequenceNode seq)) {
            throw ConfigException.at(
                    key(key),
                    "expected a list of strings, got " + (n instanceof ScalarNode ? "a single value" : describe(n)));
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < seq.getValue().size(); i++) {
            Node item = seq.getValue().get(i);
            if (!(item instanceof ScalarNode s) || isNull(item)) {
                throw ConfigException.at(
                        key(key) + "[" + i + "]",
                        "expected a string, got " + (isNull(item) ? "nothing" : describe(item)));
            }
            out.add(s.getValue());
        }
        return out;
    }

    /** A nested map; an empty one when absent or null. */
    YamlMap map(String key) throws ConfigException {
        Node n = entries.get(key);
        if (n != null && !isNull(n) && !(n instanceof MappingNode)) {
            throw ConfigException.at(key(key), "expected a map of keys, got " + describe(n));
        }
        return of(n, key(key));
    }

    private static boolean isNull(Node n) {
        return n instanceof ScalarNode && n.getTag().equals(Tag.NULL);
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** "a list", "a map", "the string \"x\"", "the number 5", ... for messages. */
    static String describe(Node n) {
        if (n instanceof MappingNode) {
            return "a map";
        }
        if (n instanceof SequenceNode) {
            return "a list";
        }
        ScalarNode s = (ScalarNode) n;
        Tag t = s.getTag();
        String v = "\"" + s.getValue() + "\"";
        if (t.equals(Tag.NULL)) {
            return "nothing";
        } else if (t.equals(Tag.INT) || t.equals(Tag.FLOAT)) {
            return "the number " + s.getValue();
        } else if (t.equals(Tag.BOOL)) {
            return "the boolean " + s.getValue();
        } else if (t.equals(Tag.STR)) {
            return "the string " + v;
        }
        return "the value " + v;
    }
}
