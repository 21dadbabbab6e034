package dev.litestack.replicator.cli;

import java.util.function.Consumer;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Range;

/**
 * Builds the commands' picocli models in code, bound to the commands' own fields.
 *
 * <p>picocli can read the same model from annotations, but it reads them by reflection, and the JDK
 * represents each annotation type by a proxy class that it generates on first use. Those classes
 * cannot come from the AOT cache, and generating them (plus the reflection) took 40-50 ms of every
 * start, a sixth of a cold restore. A model built here gives the same parsing, usage help and
 * error messages.
 *
 * <p>Every flag takes one dash or two ({@code -config}, {@code --config}), as Go's flag package
 * (and so Litestream) does. Options have no initial value of their own: a field keeps what its
 * class gives it, as each command object parses one command line.
 */
final class Specs {

    private Specs() {}

    /** A command named {@code name}, run by {@code command}'s {@code call()}, with -h/--help and -V/--version. */
    static CommandSpec command(Object command, String name, String... description) {
        CommandSpec s = CommandSpec.wrapWithoutInspection(command);
        s.name(name);
        s.usageMessage().description(description);
        s.versionProvider(new Main.Version());
        // what mixinStandardHelpOptions adds, without the annotated mixin class it would read
        s.addOption(OptionSpec.builder("-h", "--help")
                .usageHelp(true)
                .description("Show this help message and exit.")
                .build());
        s.addOption(OptionSpec.builder("-V", "--version")
                .versionHelp(true)
                .description("Print version information and exit.")
                .build());
        return s;
    }

    /** A boolean flag {@code -name} / {@code --name}. */
    static void flag(CommandSpec s, String name, String description, Consumer<Boolean> set) {
        flag(s, new String[] {name, "-" + name}, description, set);
    }

    /** A boolean flag with the given names (e.g. {@code -f} and {@code --follow}). */
    static void flag(CommandSpec s, String[] names, String description, Consumer<Boolean> set) {
        s.addOption(bind(OptionSpec.builder(names).type(boolean.class), () -> Boolean.FALSE, set)
                .description(description)
                .build());
    }

    /** An option {@code -name VALUE} / {@code --name=VALUE}, converted to {@code type} by picocli. */
    static <T> void option(
            CommandSpec s, String name, String label, Class<T> type, String description, Consumer<T> set) {
        option(s, name, label, type, null, description, set);
    }

    /** As {@link #option(CommandSpec, String, String, Class, String, Consumer)}, set to {@code defaultValue} when absent. */
    static <T> void option(
            CommandSpec s,
            String name,
            String label,
            Class<T> type,
            String defaultValue,
            String description,
            Consumer<T> set) {
        OptionSpec.Builder b = OptionSpec.builder(name, "-" + name)
                .type(type)
                .paramLabel(label)
                .description(description);
        if (defaultValue != null) {
            b.defaultValue(defaultValue);
        }
        s.addOption(bind(b, () -> null, set).build());
    }

    /** A positional parameter (a single string at {@code index}, required unless {@code arity} says otherwise). */
    static void positional(
            CommandSpec s, String index, String arity, String label, String description, Consumer<String> set) {
        s.addPositional(bind(
                        PositionalParamSpec.builder()
                                .index(index)
                                .arity(arity)
                                .required(Range.valueOf(arity).min() > 0)
                                .type(String.class)
                                .paramLabel(label)
                                .description(description),
                        () -> null,
                        set)
                .build());
    }

    /**
     * Binds an argument to a getter and setter of the command's field; no initial value, so parsing
     * never writes the field unless the argument (or its default) is there.
     */
    static <B extends OptionSpec.Builder> B bind(B b, Supplier<?> get, Consumer<?> set) {
        b.getter(getter(get)).setter(setter(set)).hasInitialValue(false);
        return b;
    }

    static <B extends PositionalParamSpec.Builder> B bind(B b, Supplier<?> get, Consumer<?> set) {
        b.getter(getter(get)).setter(setter(set)).hasInitialValue(false);
        return b;
    }

    /** The list picocli collected for a multi-value string parameter. */
    @SuppressWarnings("unchecked")
    static java.util.List<String> strings(Object list) {
        return (java.util.List<String>) list;
    }

    @SuppressWarnings("unchecked")
    private static IGetter getter(Supplier<?> get) {
        return new IGetter() {
            @Override
            public <T> T get() {
                return (T) get.get();
            }
        };
    }

    @SuppressWarnings("unchecked")
    private static ISetter setter(Consumer<?> set) {
        Consumer<Object> c = (Consumer<Object>) set;
        return new ISetter() {
            @Override
            public <T> T set(T value) {
                c.accept(value);
                return null;
            }
        };
    }
}
