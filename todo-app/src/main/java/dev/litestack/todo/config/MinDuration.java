package dev.litestack.todo.config;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** A configured {@link java.time.Duration} must be positive, and at least {@link #value()} if given ({@code 1s}). */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.FIELD, ElementType.PARAMETER, ElementType.TYPE_USE})
@Constraint(validatedBy = {})
public @interface MinDuration {

    String value() default "";

    String message() default "must be a positive duration (e.g. 50ms, 5s)";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
