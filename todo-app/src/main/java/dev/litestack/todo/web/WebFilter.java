package dev.litestack.todo.web;

import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * Every request gets a fresh CSP nonce, and on the way out the security headers (nonce-based
 * Content-Security-Policy, nosniff, no framing, same-origin referrers, Permissions-Policy, HSTS over HTTPS) and the
 * session cookie when the page issued a new user id or renewed the cookie's lifetime ({@link Sessions#userOrIssue}).
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
public final class WebFilter {

    /** Request attribute: the CSP nonce of this response. */
    public static final String NONCE = "todo.csp-nonce";
    /** The browser features the page never uses, switched off for it and anything it could embed. */
    static final String PERMISSIONS = "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
            + "microphone=(), payment=(), usb=(), display-capture=(), publickey-credentials-get=()";
    /**
     * The one inline stylesheet the page may have: Turbo 8.0.23's progress bar, which Turbo inserts at load (its text
     * is fixed; this is its SHA-256). Without it every page load would be a CSP violation; a nonce would need the
     * {@code csp-nonce} meta tag, which would also let Turbo activate scripts inside stream fragments.
     */
    static final String TURBO_PROGRESS_BAR_STYLE = "'sha256-WAyOw4V+FqDc35lQPyRADLBWbuNK8ahvYEaQIYF1+Ps='";

    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]{1,253}(:\\d{1,5})?");

    private final Sessions sessions;
    private final SecureRandom random = new SecureRandom();

    public WebFilter(Sessions sessions) {
        this.sessions = sessions;
    }

    @RequestFilter
    public void before(HttpRequest<?> request) {
        byte[] bytes = new byte[18];
        random.nextBytes(bytes);
        request.setAttribute(NONCE, Base64.getEncoder().encodeToString(bytes));
    }

    @ResponseFilter
    public void after(HttpRequest<?> request, MutableHttpResponse<?> response) {
        String nonce = request.getAttribute(NONCE, String.class).orElse("none");
        response.header(
                "Content-Security-Policy", policy(nonce, request.getHeaders().get(HttpHeaders.HOST)));
        fixedHeaders(response::header);
        if (Sessions.isHttps(request)) {
            response.header("Strict-Transport-Security", "max-age=31536000");
        }
        if (request.getAttribute(Sessions.SET_COOKIE, Boolean.class).orElse(false)) {
            request.getAttribute(Sessions.USER, String.class)
                    .ifPresent(user -> response.cookie(sessions.cookie(user, request)));
        }
    }

    /** The security headers that are the same on every answer (those before the application too). */
    static void fixedHeaders(BiConsumer<String, String> header) {
        header.accept("X-Content-Type-Options", "nosniff");
        header.accept("X-Frame-Options", "DENY");
        header.accept("Referrer-Policy", "same-origin");
        header.accept("Cross-Origin-Opener-Policy", "same-origin");
        header.accept("Permissions-Policy", PERMISSIONS);
    }

    static String policy(String nonce, String host) {
        String sockets = host != null && HOST.matcher(host).matches() ? " ws://" + host + " wss://" + host : "";
        return "default-src 'self'; script-src 'nonce-" + nonce + "'; style-src 'self' " + TURBO_PROGRESS_BAR_STYLE
                + "; img-src 'self' data:; "
                + "connect-src 'self'" + sockets + "; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; "
                + "object-src 'none'";
    }
}
