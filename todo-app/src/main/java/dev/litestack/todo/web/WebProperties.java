package dev.litestack.todo.web;

import dev.litestack.todo.sqlite.ConfigCheck;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.exceptions.ConfigurationException;
import jakarta.annotation.PostConstruct;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@code app.web.*}: the session cookie and the origins allowed besides the app's own. Validated at start. */
@Context
@ConfigurationProperties("app.web")
public class WebProperties {

    /** When the session cookie gets the Secure flag. */
    public enum CookieSecure {
        /** when the request came over HTTPS (directly or {@code X-Forwarded-Proto: https} from a proxy) */
        AUTO,
        ALWAYS,
        NEVER
    }

    private String cookieName = "todo_session";
    private CookieSecure cookieSecure = CookieSecure.AUTO;
    private Duration cookieMaxAge = Duration.ofDays(365);
    private List<String> allowedOrigins = new ArrayList<>();

    @PostConstruct
    void validate() {
        if (!cookieName.matches("[A-Za-z0-9_]{1,64}")) {
            throw new ConfigurationException("app.web.cookie-name must be 1-64 letters, digits or _, got " + cookieName);
        }
        ConfigCheck.atLeast("app.web.cookie-max-age", cookieMaxAge, Duration.ofMinutes(1));
        for (String origin : allowedOrigins) {
            URI uri = URI.create(origin);
            if (uri.getScheme() == null || uri.getHost() == null || (uri.getPath() != null && !uri.getPath().isEmpty())) {
                throw new ConfigurationException("app.web.allowed-origins entries must look like https://host[:port], got "
                        + origin);
            }
        }
    }

    public String getCookieName() {
        return cookieName;
    }

    public void setCookieName(String cookieName) {
        this.cookieName = cookieName;
    }

    public CookieSecure getCookieSecure() {
        return cookieSecure;
    }

    public void setCookieSecure(CookieSecure cookieSecure) {
        this.cookieSecure = cookieSecure;
    }

    public Duration getCookieMaxAge() {
        return cookieMaxAge;
    }

    public void setCookieMaxAge(Duration cookieMaxAge) {
        this.cookieMaxAge = cookieMaxAge;
    }

    public List<String> getAllowedOrigins() {
        return allowedOrigins;
    }

    public void setAllowedOrigins(List<String> allowedOrigins) {
        this.allowedOrigins = allowedOrigins;
    }
}
