package org.budayang.core.cases.internal;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;

import org.budayang.api.cases.BackOffice.Unavailable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.http.runtime.HttpServiceRuntime;
import org.osgi.service.http.runtime.HttpServiceRuntimeConstants;

/**
 * One department back office as configured in {@code etc/org.budayang.backoffice-<dept>.cfg}:
 * base URL (with {@code local:} resolution), Basic credentials and timeout. Shared by
 * everything that talks to it (cases, document records), so the configuration means the same
 * for all of them.
 */
final class BackOfficeEndpoint {
    private final BundleContext context;
    private final String url;
    private final String authorization;
    private final Duration timeout;
    private final HttpClient http;

    BackOfficeEndpoint(BundleContext context, BackOfficeConfig config) {
        this.context = context;
        this.url = config.url().replaceAll("/+$", "");
        this.timeout = Duration.ofMillis(Math.max(100, config.timeout_ms()));
        this.authorization = config.user().isEmpty() ? null : "Basic " + Base64.getEncoder().encodeToString(
                (config.user() + ":" + config.password()).getBytes(StandardCharsets.UTF_8));
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** A request to {@code <base><path>} with the credentials and the timeout set. */
    HttpRequest.Builder request(String path) throws Unavailable {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base() + path)).timeout(timeout);
        if (authorization != null) {
            req.header("Authorization", authorization);
        }
        return req;
    }

    /** Sends; a connection error or timeout means the back office is unavailable. */
    HttpResponse<String> send(HttpRequest req) throws Unavailable {
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new Unavailable("back office at " + describe() + " did not answer: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted", e);
        }
    }

    /** The base URL for messages (never with credentials). */
    String describe() {
        try {
            return base();
        } catch (Unavailable e) {
            return url;
        }
    }

    /** Resolves {@code local:/path} against this node's HTTP endpoint (its port differs per install). */
    String base() throws Unavailable {
        if (!url.startsWith("local:")) {
            return url;
        }
        ServiceReference<HttpServiceRuntime> ref = context.getServiceReference(HttpServiceRuntime.class);
        Object endpoint = ref == null ? null : ref.getProperty(HttpServiceRuntimeConstants.HTTP_SERVICE_ENDPOINT);
        String first = endpoint instanceof String s ? s
                : endpoint instanceof String[] a && a.length > 0 ? a[0]
                : endpoint instanceof Collection<?> col && !col.isEmpty() ? String.valueOf(col.iterator().next()) : null;
        if (first == null) {
            throw new Unavailable("this node's HTTP server is not up yet", null);
        }
        String root = first.replace("://0.0.0.0:", "://127.0.0.1:").replaceAll("/+$", "");
        return root + url.substring("local:".length());
    }
}
