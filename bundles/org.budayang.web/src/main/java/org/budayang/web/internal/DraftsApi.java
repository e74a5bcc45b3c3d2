package org.budayang.web.internal;

import java.io.IOException;
import java.util.Set;

import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.budayang.api.cases.Draft;
import org.budayang.api.cases.DraftService;
import org.budayang.api.catalogue.Catalogue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Continuing a form on the phone. The terminal creates a draft and shows {@code phoneUrl} as a
 * QR code; the key travels in the URL fragment, so it never reaches a server log. The phone
 * page reads and saves the draft with {@code X-Draft-Key}; the terminal reads it back with the
 * citizen's session and submits it as a case.
 */
final class DraftsApi {
    static final String KEY_HEADER = "X-Draft-Key";

    private final DraftService drafts;
    private final Catalogue catalogue;
    private final CitizenApi citizens;

    DraftsApi(DraftService drafts, Catalogue catalogue, CitizenApi citizens) {
        this.drafts = drafts;
        this.catalogue = catalogue;
        this.citizens = citizens;
    }

    void create(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        var session = citizens.current(req);
        CasesApi.Application a = CasesApi.Application.read(req);
        Draft d = drafts.create(session, a.item(), a.situation(), a.formJson());
        ObjectNode o = json(d);
        String base = req.getScheme() + "://" + req.getServerName() + ":" + req.getServerPort();
        o.put("key", d.key());
        o.put("phoneUrl", base + "/static/phone.html#d=" + d.id() + "&k=" + d.key());
        resp.setHeader("Location", "/api/v1/drafts/" + d.id());
        Json.write(resp, 201, o);
    }

    void get(HttpServletRequest req, HttpServletResponse resp, String id) throws IOException {
        String key = req.getHeader(KEY_HEADER);
        Draft d = (key != null ? drafts.withKey(id, key) : drafts.owned(citizens.current(req), id))
                .orElseThrow(() -> ApiException.notFound("no draft " + id + " for you (wrong link or key, or it expired)"));
        Json.write(resp, 200, json(d));
    }

    void save(HttpServletRequest req, HttpServletResponse resp, String id) throws IOException {
        String key = req.getHeader(KEY_HEADER);
        if (key == null) {
            throw new ApiException(401, "draft_key_required", "send the draft's key in " + KEY_HEADER);
        }
        ObjectNode body = Json.object(req.getInputStream(), Set.of("form"));
        JsonNode form = Json.required(body, "form", "form");
        if (!form.isObject()) {
            throw ApiException.invalid("field 'form' must be an object");
        }
        Json.write(resp, 200, json(drafts.save(id, key, form.toString())));
    }

    private ObjectNode json(Draft d) throws IOException {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("id", d.id());
        o.put("item", d.item());
        o.put("situation", d.situation());
        o.set("form", Json.MAPPER.readTree(d.formJson()));
        o.put("updatedAt", d.updatedAt().toString());
        o.put("expiresAt", d.expiresAt().toString());
        catalogue.item(d.item()).ifPresent(i -> o.set("itemName", ApiServlet.text(i.name())));
        String schema = catalogue.formSchema(d.item()).orElse(null);
        if (schema != null) {
            o.set("schema", Json.MAPPER.readTree(schema));
        }
        return o;
    }
}
