package org.budayang.core.cases.internal;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.budayang.api.cases.BackOffice.Unavailable;
import org.budayang.api.catalogue.LocalizedText;
import org.budayang.api.docs.DocumentData;
import org.budayang.api.docs.RecordSource;
import org.budayang.api.identity.Person;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A department's records about a person, from its back office:
 * {@code GET <url>/people/<idNumber>/records?item=<code>} answers
 *
 * <pre>
 * {"title": {"zh", "en"} (optional),
 *  "lines": [{"label": {"zh", "en"}, "value": "..."}],
 *  "tables": [{"caption": {"zh", "en"}, "columns": [{"zh", "en"}], "rows": [["...", ...]]}]}
 * </pre>
 *
 * A 404 whose JSON error is {@code no_records} means the department knows nothing about the
 * person; any other failure means the back office is unavailable (a bare 404 is more likely a
 * wrong URL than a missing person).
 */
final class HttpRecordSource implements RecordSource {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final BackOfficeEndpoint endpoint;

    HttpRecordSource(BackOfficeEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public Optional<DocumentData> records(Person person, String item) throws Unavailable {
        // The department's own system is entitled to the full number; it travels only to it.
        String path = "/people/" + URLEncoder.encode(person.id().value(), StandardCharsets.UTF_8) + "/records?item="
                + URLEncoder.encode(item, StandardCharsets.UTF_8);
        HttpRequest req = endpoint.request(path).header("Accept", "application/json").GET().build();
        HttpResponse<String> resp = endpoint.send(req);
        JsonNode body;
        try {
            body = JSON.readTree(resp.body());
        } catch (IOException e) {
            body = null;
        }
        if (resp.statusCode() == 404 && body != null && "no_records".equals(body.path("error").asText())) {
            return Optional.empty();
        }
        if (resp.statusCode() != 200) {
            throw new Unavailable("back office at " + endpoint.describe() + " answered " + resp.statusCode(), null);
        }
        if (body == null || !body.isObject()) {
            throw new Unavailable("back office at " + endpoint.describe() + " answered something that is not a JSON object", null);
        }
        try {
            return Optional.of(parse(body));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new Unavailable("back office at " + endpoint.describe() + " answered records in an unexpected shape: "
                    + e.getMessage(), e);
        }
    }

    static DocumentData parse(JsonNode body) {
        List<DocumentData.Line> lines = new ArrayList<>();
        for (JsonNode l : body.path("lines")) {
            lines.add(new DocumentData.Line(text(l.path("label")), string(l.path("value"), "value")));
        }
        List<DocumentData.Table> tables = new ArrayList<>();
        for (JsonNode t : body.path("tables")) {
            List<LocalizedText> columns = new ArrayList<>();
            t.path("columns").forEach(c -> columns.add(text(c)));
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode r : t.path("rows")) {
                List<String> cells = new ArrayList<>();
                r.forEach(c -> cells.add(string(c, "cell")));
                rows.add(cells);
            }
            tables.add(new DocumentData.Table(text(t.path("caption")), columns, rows));
        }
        JsonNode title = body.path("title");
        return new DocumentData(title.isObject() ? text(title) : null, lines, tables);
    }

    private static LocalizedText text(JsonNode n) {
        return new LocalizedText(string(n.path("zh"), "zh"), string(n.path("en"), "en"));
    }

    private static String string(JsonNode n, String what) {
        if (!n.isTextual()) {
            throw new IllegalArgumentException("'" + what + "' is not a string");
        }
        return n.textValue();
    }
}
