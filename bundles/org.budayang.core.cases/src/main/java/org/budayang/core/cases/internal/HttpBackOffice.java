package org.budayang.core.cases.internal;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.budayang.api.cases.BackOffice;
import org.budayang.api.cases.CaseRecord;
import org.budayang.api.docs.RecordSource;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A department's back office over HTTP: {@code POST <url>/cases} with the case as JSON answers
 * {@code {"reference": ...}}. The case number doubles as an idempotency key, so a retry after a
 * lost answer never files a case twice. Timeouts, connection errors and 5xx/404 answers mean
 * "unavailable, retry later". The same configuration also serves the department's records for
 * sealed documents ({@link HttpRecordSource}), so one file per department says where its
 * system is.
 */
@Component(configurationPid = CaseServiceImpl.BACKOFFICE_PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = BackOfficeConfig.class, factory = true)
public final class HttpBackOffice implements BackOffice {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final BackOfficeEndpoint endpoint;
    private final List<ServiceRegistration<?>> registrations;

    @Activate
    public HttpBackOffice(BundleContext context, BackOfficeConfig config) {
        this.endpoint = new BackOfficeEndpoint(context, config);
        // Registered by hand so that the department code becomes the service property consumers select on;
        // ranked below a department's own back office (ranking 0 by default), which wins while it is there.
        Hashtable<String, Object> props = new Hashtable<>(Map.of(BackOffice.DEPARTMENT, config.department(),
                Constants.SERVICE_RANKING, -100));
        this.registrations = List.of(context.registerService(BackOffice.class, this, props),
                context.registerService(RecordSource.class, new HttpRecordSource(endpoint), props));
    }

    @Deactivate
    void deactivate() {
        registrations.forEach(ServiceRegistration::unregister);
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
        HttpRequest req = endpoint.request("/cases")
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", c.number())
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8))
                .build();
        HttpResponse<String> resp = endpoint.send(req);
        if (resp.statusCode() / 100 != 2) {
            throw new Unavailable("back office at " + endpoint.describe() + " answered " + resp.statusCode(), null);
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
}
