package dev.litestack.todo.web;

import static dev.litestack.todo.config.ConfigValidation.require;

import dev.litestack.todo.config.MinDuration;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Context;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import io.micronaut.core.convert.format.ReadableBytes;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;

/**
 * {@code app.web.*}: the session cookie, the origins allowed besides the app's own, the heap rendering may use
 * at once ({@link RenderBudget}), the bytes of answers held for clients that have not read them
 * ({@link UnsentResponses}), how long and how many requests may be in the middle of arriving, and how many
 * connections may be open ({@link IncomingRequests}), and which header, set by a proxy in front, names the client's
 * address ({@code client-address-header}: {@code Fly-Client-IP} on Fly.io; unset, the connection's peer address
 * counts). Validated at start.
 */
@Context
@ConfigurationProperties("app.web")
record WebProperties(
        @Bindable(defaultValue = "todo_session")
        @Pattern(regexp = "[A-Za-z0-9_]{1,64}", message = "must be 1-64 letters, digits or _")
        String cookieName,

        @Bindable(defaultValue = "AUTO") CookieSecure cookieSecure,
        @Bindable(defaultValue = "365d") @MinDuration("1m") Duration cookieMaxAge,
        @Nullable List<String> allowedOrigins,

        @Bindable(defaultValue = "48MB") @ReadableBytes @Min(1L << 20) @Max(1L << 40)
        long renderBudget,

        @Bindable(defaultValue = "10s") @MinDuration Duration renderWait,

        @Bindable(defaultValue = "32MB") @ReadableBytes @Min(1L << 20) @Max(1L << 40)
        long maxUnsentBytes,

        @Bindable(defaultValue = "15s") @MinDuration("1s") Duration requestReadTimeout,

        @Bindable(defaultValue = "256") @Min(1) @Max(1_000_000)
        int maxIncompleteRequests,

        @Bindable(defaultValue = "5000") @Min(1) @Max(1_000_000)
        int maxConnections,

        @Nullable @Pattern(regexp = "[A-Za-z0-9-]{1,64}", message = "must be a header name (1-64 letters, digits or -)")
        String clientAddressHeader) {

    /** When the session cookie gets the Secure flag. */
    public enum CookieSecure {
        /** when the request came over HTTPS (directly or {@code X-Forwarded-Proto: https} from a proxy) */
        AUTO,
        ALWAYS,
        NEVER
    }

    public WebProperties {
        allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
        for (String origin : allowedOrigins) {
            URI uri;
            try {
                uri = new URI(origin);
            } catch (URISyntaxException e) {
                uri = URI.create("invalid:");
            }
            require(
                    uri.getScheme() != null
                            && uri.getHost() != null
                            && (uri.getPath() == null || uri.getPath().isEmpty()),
                    "app.web.allowed-origins entries must look like https://host[:port], got " + origin);
        }
    }
}
