package dev.litestack.todo.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.core.convert.ConversionService;
import io.micronaut.core.naming.NameUtils;
import io.micronaut.validation.validator.constraints.ConstraintValidator;
import io.micronaut.validation.validator.messages.DefaultMessageInterpolator;
import io.micronaut.validation.validator.messages.DefaultMessageInterpolatorContext;
import jakarta.inject.Singleton;
import jakarta.validation.ElementKind;
import jakarta.validation.MessageInterpolator;
import jakarta.validation.Path;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Start-up validation of the {@code app.*} configuration records (Jakarta constraints, checked by generated code).
 * Every message names the configuration key, the allowed values and the value given, e.g.
 * {@code app.queue.workers must be between 0 and 256, got -1}.
 */
@Factory
public class ConfigValidation {

    @Singleton
    ConstraintValidator<MinDuration, Duration> minDuration() {
        return (value, annotation, context) -> value == null
                || (!value.isNegative()
                        && !value.isZero()
                        && annotation
                                .stringValue()
                                .filter(min -> !min.isEmpty())
                                .map(min -> value.compareTo(parse(min)) >= 0)
                                .orElse(true));
    }

    private static Duration parse(String duration) {
        return ConversionService.SHARED.convertRequired(duration, Duration.class);
    }

    /** Phrases a violation of a configuration record as "KEY must ..., got VALUE"; other beans keep the default. */
    @Singleton
    @Replaces(DefaultMessageInterpolator.class)
    static final class KeyedMessages implements MessageInterpolator {
        private final DefaultMessageInterpolator defaults;

        KeyedMessages(io.micronaut.context.MessageSource messages) {
            this.defaults = new DefaultMessageInterpolator(messages);
        }

        @Override
        public String interpolate(String template, Context context) {
            return interpolate(template, context, Locale.ROOT);
        }

        @Override
        public String interpolate(String template, Context context, Locale locale) {
            String text = defaults.interpolate(template, context, locale);
            if (!(context instanceof DefaultMessageInterpolatorContext c)) {
                return text;
            }
            Class<?> type = c.getValidatorContext().getRootClass();
            String name = null;
            for (Path.Node node : (Path) c.getValidatorContext().getCurrentPath()) {
                if (node.getKind() == ElementKind.CONSTRUCTOR) {
                    type = ownClass(node.getName()).orElse(type);
                }
                name = node.getName() == null ? name : node.getName();
            }
            ConfigurationProperties properties = type.getAnnotation(ConfigurationProperties.class);
            if (properties == null || name == null) {
                return text;
            }
            Annotation constraint = context.getConstraintDescriptor().getAnnotation();
            String rule = constraint instanceof MinDuration d && !d.value().isEmpty()
                    ? "must be a positive duration of at least " + d.value()
                    : range(type, name, constraint);
            return properties.value() + "." + NameUtils.hyphenate(name) + " " + (rule == null ? text : rule) + ", got "
                    + shown(context.getValidatedValue());
        }

        private static Object shown(Object value) {
            if (value instanceof Duration d) {
                return d.toMillis() + "ms";
            }
            return value instanceof CharSequence ? "'" + value + "'" : value;
        }

        /** A record's constructor is named by its class in the path. */
        private static Optional<Class<?>> ownClass(String name) {
            try {
                return Optional.of(Class.forName(name, false, ConfigValidation.class.getClassLoader()));
            } catch (ClassNotFoundException e) {
                return Optional.empty();
            }
        }

        /** "must be between MIN and MAX" when the key has both bounds; null for other constraints. */
        private static String range(Class<?> type, String name, Annotation constraint) {
            if (!(constraint instanceof Min
                    || constraint instanceof Max
                    || constraint instanceof DecimalMin
                    || constraint instanceof DecimalMax)) {
                return null;
            }
            Method accessor;
            try {
                accessor = type.getMethod(name);
            } catch (NoSuchMethodException e) {
                return null;
            }
            String min = bound(accessor.getAnnotation(Min.class), accessor.getAnnotation(DecimalMin.class));
            String max = bound(accessor.getAnnotation(Max.class), accessor.getAnnotation(DecimalMax.class));
            if (min != null && max != null) {
                return "must be between " + min + " and " + max;
            }
            return min != null ? "must be at least " + min : max != null ? "must be at most " + max : null;
        }

        private static String bound(Annotation whole, Annotation decimal) {
            if (whole instanceof Min m) {
                return String.valueOf(m.value());
            }
            if (whole instanceof Max m) {
                return String.valueOf(m.value());
            }
            if (decimal instanceof DecimalMin d) {
                return d.value();
            }
            return decimal instanceof DecimalMax d ? d.value() : null;
        }
    }

    /**
     * The bad setting that stopped the start, if that was the cause: the message of a {@link ConfigurationException}
     * or the violations of a configuration record (already phrased "KEY must ..., got VALUE" by {@link KeyedMessages}).
     */
    public static Optional<String> badSetting(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConfigurationException) {
                return Optional.ofNullable(t.getMessage());
            }
            String message = String.valueOf(t.getMessage());
            if (message.contains("Validation failed for bean definition")) {
                List<String> violations = message.lines()
                        .map(VIOLATION::matcher)
                        .filter(Matcher::matches)
                        .map(m -> m.group(1))
                        .toList();
                if (!violations.isEmpty()) {
                    return Optional.of(String.join("; ", violations));
                }
            }
        }
        return Optional.empty();
    }

    /** A line of Micronaut's list of constraint violations: "PATH - MESSAGE", the message beginning with the key. */
    private static final Pattern VIOLATION = Pattern.compile("\\s+\\S+ - (app\\..+)");

    /** A rule across keys (one key bounded by another): fails start-up with a message naming both. */
    public static void require(boolean holds, String message) {
        if (!holds) {
            throw new ConfigurationException(message);
        }
    }
}
