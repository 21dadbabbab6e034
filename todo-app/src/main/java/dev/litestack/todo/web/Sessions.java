package dev.litestack.todo.web;

import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.cookie.Cookie;
import io.micronaut.http.cookie.SameSite;
import jakarta.inject.Singleton;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Who is asking, and what they may do. A visitor is a random 128-bit id kept in a cookie signed with HMAC-SHA256
 * ({@code <id>.<signature>}); a missing, malformed or forged cookie means no user (pages then issue a new one). The
 * CSRF token and the stream name of a user are HMACs of the id under their own purposes, so neither reveals the id
 * nor can be forged, and both stay valid as long as the cookie does.
 */
@Singleton
public final class Sessions {

    /** Request attribute: the user id of this request. */
    static final String USER = "todo.user";
    /**
     * Request attribute: set when the answer sets the session cookie: a new user id, or a page load, which renews the
     * cookie's lifetime (a visitor who keeps coming back keeps their list; only one gone for max-age loses it).
     */
    static final String SET_COOKIE = "todo.set-session-cookie";

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{22}");
    private static final Pattern SIGNATURE = Pattern.compile("[A-Za-z0-9_-]{43}");

    private final Signer signer;
    private final WebProperties settings;
    private final SecureRandom random = new SecureRandom();

    public Sessions(Signer signer, WebProperties settings) {
        this.signer = signer;
        this.settings = settings;
    }

    /**
     * The user of a valid session cookie (or one issued earlier in this request). Over HTTPS only the
     * {@code __Host-} cookie counts: a cookie of the plain name can be planted by a sibling subdomain or over plain
     * HTTP, and taking it would let whoever planted it choose the visitor's identity (session fixation).
     */
    public Optional<String> user(HttpRequest<?> request) {
        Optional<String> known = request.getAttribute(USER, String.class);
        if (known.isPresent()) {
            return known;
        }
        Optional<String> user = request.getCookies()
                .findCookie(cookieName(request))
                .map(Cookie::getValue)
                .flatMap(this::verifyCookie);
        user.ifPresent(u -> request.setAttribute(USER, u));
        return user;
    }

    /**
     * The client's address, for limits per client: the value of {@code app.web.client-address-header} when it is set
     * and holds an IP address (a proxy in front sets it; the peer is then the proxy), else the connection's peer. An
     * IPv6 address stands for its /64, which one host usually holds whole.
     */
    public String clientAddress(HttpRequest<?> request) {
        String header = settings.clientAddressHeader();
        String value = header == null ? null : request.getHeaders().get(header);
        InetAddress address = null;
        if (value != null) {
            try {
                address = InetAddress.ofLiteral(value.trim()); // an address literal only: never a name lookup
            } catch (IllegalArgumentException e) {
                address = null;
            }
        }
        if (address == null) {
            address = request.getRemoteAddress().getAddress();
        }
        if (address instanceof Inet6Address) {
            return HexFormat.of().formatHex(Arrays.copyOf(address.getAddress(), 8)) + "::/64";
        }
        return address == null ? "?" : address.getHostAddress();
    }

    /** Whether the session cookie of this request's answer gets the Secure flag. */
    private boolean secureCookie(HttpRequest<?> request) {
        return switch (settings.cookieSecure()) {
            case ALWAYS -> true;
            case NEVER -> false;
            case AUTO -> isHttps(request);
        };
    }

    /** {@code __Host-<name>} for a Secure cookie (bound to this host, Path=/, no Domain), else the plain name. */
    private String cookieName(HttpRequest<?> request) {
        return secureCookie(request) ? "__Host-" + settings.cookieName() : settings.cookieName();
    }

    /**
     * The user of the request, issuing a new random id if there is none; either way the answer sets the cookie, with
     * a new max-age.
     */
    public String userOrIssue(HttpRequest<?> request) {
        request.setAttribute(SET_COOKIE, Boolean.TRUE);
        return user(request).orElseGet(() -> {
            byte[] bytes = new byte[16];
            random.nextBytes(bytes);
            String user = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            request.setAttribute(USER, user);
            return user;
        });
    }

    Optional<String> verifyCookie(String value) {
        int dot = value.indexOf('.');
        if (dot < 0) {
            return Optional.empty();
        }
        String user = value.substring(0, dot);
        String signature = value.substring(dot + 1);
        if (!ID.matcher(user).matches() || !SIGNATURE.matcher(signature).matches()) {
            return Optional.empty();
        }
        return signer.verify("session", user, signature) ? Optional.of(user) : Optional.empty();
    }

    /**
     * The cookie that carries {@code user}: HttpOnly, SameSite=Lax, Path=/, long-lived; over HTTPS Secure and named
     * {@code __Host-<name>}.
     */
    Cookie cookie(String user, HttpRequest<?> request) {
        return Cookie.of(cookieName(request), user + "." + signer.sign("session", user))
                .httpOnly(true)
                .sameSite(SameSite.Lax)
                .path("/")
                .secure(secureCookie(request))
                .maxAge(settings.cookieMaxAge());
    }

    public String csrfToken(String user) {
        return signer.sign("csrf", user);
    }

    public boolean validCsrfToken(String user, String token) {
        return token != null && SIGNATURE.matcher(token).matches() && signer.verify("csrf", user, token);
    }

    /** The opaque, signed stream name of the user's live updates (the last segment of the websocket URL). */
    public String streamName(String user) {
        return signer.sign("stream", user);
    }

    public boolean validStreamName(String user, String name) {
        return name != null && SIGNATURE.matcher(name).matches() && signer.verify("stream", user, name);
    }

    /**
     * Whether the request's {@code Origin} is the app's own (the request's scheme, with {@code X-Forwarded-Proto}
     * behind a proxy, and the same host and port as the {@code Host} header) or one of {@code app.web.allowed-origins}. {@code required=false} lets requests without an Origin pass (the CSRF token
     * still guards them); websocket handshakes require it.
     */
    public boolean originAllowed(HttpRequest<?> request, boolean required) {
        String origin = request.getHeaders().get(HttpHeaders.ORIGIN);
        if (origin == null) {
            return !required;
        }
        if (settings.allowedOrigins().contains(origin)) {
            return true;
        }
        String host = request.getHeaders().get(HttpHeaders.HOST);
        if (host == null || "null".equals(origin)) {
            return false;
        }
        try {
            URI uri = URI.create(origin);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals(isHttps(request) ? "https" : "http") || uri.getRawAuthority() == null) {
                return false;
            }
            String authority = uri.getRawAuthority().toLowerCase(Locale.ROOT);
            String expected = host.toLowerCase(Locale.ROOT);
            return authority.equals(expected) || authority.equals(withoutDefaultPort(expected, scheme));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String withoutDefaultPort(String host, String scheme) {
        String port = scheme.equals("https") ? ":443" : ":80";
        return host.endsWith(port) ? host.substring(0, host.length() - port.length()) : host;
    }

    /** Whether the request came over HTTPS, directly or through a proxy that says so in {@code X-Forwarded-Proto}. */
    static boolean isHttps(HttpRequest<?> request) {
        return request.isSecure()
                || "https".equalsIgnoreCase(request.getHeaders().get("X-Forwarded-Proto"));
    }
}
