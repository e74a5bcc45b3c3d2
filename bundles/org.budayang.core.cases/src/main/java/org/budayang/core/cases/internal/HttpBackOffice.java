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
import java.util.Map;

import org.budayang.api.cases.BackOffice;
import org.budayang.api.cases.CaseRecord;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.http.runtime.HttpServiceRuntime;
import org.osgi.service.http.runtime.HttpServiceRuntimeConstants;
import org.osgi.service.metatype.annotations.Designate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A department's back office over HTTP: {@code POST <url>/cases} with the case as JSON answers
 * {@code {"reference": ...}}. The case number doubles as an idempotency key, so a retry after a
 * lost answer never files a case twice. Timeouts, connection errors and 5xx/404 answers mean
 * "unavailable, retry later".
 */
@Component(configurationPid = "org.budayang.backoffice", configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = BackOfficeConfig.class, factory = true)
public final class HttpBackOffice implements BackOffice {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final BundleContext context;
    private final String url;
    private final String authorization;
    private final Duration timeout;
    private final HttpClient http;
    private final ServiceRegistration<BackOffice> registration;

    @Activate
    public HttpBackOffice(BundleContext context, BackOfficeConfig config) {
        this.context = context;
        this.url = config.url().replaceAll("/+$", "");
        this.timeout = Duration.ofMillis(Math.max(100, config.timeout_ms()));
        this.authorization = config.user().isEmpty() ? null : "Basic " + Base64.getEncoder().encodeToString(
                (config.user() + ":" + config.password()).getBytes(StandardCharsets.UTF_8));
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
        // Registered by hand so that the department code becomes the service property consumers select on.
        this.registration = context.registerService(BackOffice.class, this,
                new java.util.Hashtable<>(Map.of(BackOffice.DEPARTMENT, config.department())));
    }

    @Deactivate
    void deactivate() {
        registration.unregister();
    }

    @Override
    public String receive(CaseRecord c) throws Unavailable {
        ObjectNode body = JSON.createObjectNode();
        body.put("caseNumber", c.number());
        body.put("item", c.item());
        body.put("situation", c.situation());
        ObjectNode applicant = body.putObject("applicant");
        applicant.put("name", c.applicant().name());
        // The department's own system is entitled to the full number; it travels only to it.
        applicant.put("idNumber", c.applicant().id().value());
        try {
            body.set("form", JSON.readTree(c.formJson()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        body.put("submittedAt", c.submittedAt().toString());
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base() + "/cases"))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", c.number())
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        if (authorization != null) {
            req.header("Authorization", authorization);
        }
        HttpResponse<String> resp;
        try {
            resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new Unavailable("back office at " + base() + " did not answer: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted", e);
        }
        if (resp.statusCode() / 100 != 2) {
            throw new Unavailable("back office at " + base() + " answered " + resp.statusCode(), null);
        }
        try {
            JsonNode ref = JSON.readTree(resp.body()).path("reference");
            if (!ref.isTextual()) {
                throw new Unavailable("back office answered without a reference", null);
            }
            return ref.textValue();
        } catch (IOException e) {
            throw new Unavailable("back office answered something that is not JSON", e);
        }
    }

    /** Resolves {@code local:/path} against this node's HTTP endpoint (its port differs per install). */
    private String base() throws Unavailable {
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
