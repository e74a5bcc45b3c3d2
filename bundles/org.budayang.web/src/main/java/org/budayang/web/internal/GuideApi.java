package org.budayang.web.internal;

import java.io.IOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.budayang.api.cases.CaseRecord;
import org.budayang.api.cases.CaseService;
import org.budayang.api.catalogue.Catalogue;
import org.budayang.api.catalogue.FieldError;
import org.budayang.api.catalogue.Item;
import org.budayang.api.catalogue.Material;
import org.budayang.api.catalogue.Question;
import org.budayang.api.catalogue.Situation;
import org.budayang.api.identity.CitizenSession;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Situation guidance and forms. {@code GET /items/{code}/guide} lists situations and materials
 * and the guidance questions; with {@code ?answers=q1:a1,q2:a2} it walks the questions and
 * answers with the next question or the settled situation and its exact materials.
 * {@code GET /items/{code}/form} gives the form schema and, for a logged-in citizen, values to
 * prefill from their identity and their earlier cases.
 */
final class GuideApi {
    private final Catalogue catalogue;
    private final CaseService cases;
    private final CitizenApi citizens;

    GuideApi(Catalogue catalogue, CaseService cases, CitizenApi citizens) {
        this.catalogue = catalogue;
        this.cases = cases;
        this.citizens = citizens;
    }

    private Item item(String code) {
        return catalogue.item(code).orElseThrow(() -> ApiException.notFound("no item '" + code + "'"));
    }

    void guide(HttpServletRequest req, HttpServletResponse resp, String code) throws IOException {
        Item item = item(code);
        List<Question> questions = catalogue.questions(code);
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("item", item.code());
        o.put("department", item.department());
        o.set("name", ApiServlet.text(item.name()));
        o.put("kind", item.kind().name().toLowerCase(Locale.ROOT));
        Map<String, Material> materials = new HashMap<>();
        ArrayNode all = o.putArray("materials");
        for (Material m : item.materials()) {
            materials.put(m.code(), m);
            all.add(material(m));
        }
        ArrayNode situations = o.putArray("situations");
        for (Situation s : item.situations()) {
            situations.add(situation(s, materials));
        }
        ArrayNode qs = o.putArray("questions");
        questions.forEach(q -> qs.add(question(q)));
        String answers = req.getParameter("answers");
        if (answers != null) {
            o.set("walk", walk(item, questions, answers, materials));
        }
        Json.write(resp, 200, o);
    }

    /** Follows the answers from the first question; refuses answers that do not fit. */
    private static ObjectNode walk(Item item, List<Question> questions, String answers, Map<String, Material> materials) {
        if (questions.isEmpty()) {
            throw ApiException.invalid("item " + item.code() + " has no guidance questions; pick a situation");
        }
        Map<String, String> given = new HashMap<>();
        for (String pair : answers.split(",")) {
            String[] kv = pair.split(":", 2);
            if (kv.length != 2 || kv[0].isBlank() || kv[1].isBlank()) {
                throw ApiException.invalid("answers are question:answer pairs separated by commas, e.g. retired:yes");
            }
            given.put(kv[0].strip(), kv[1].strip());
        }
        Map<String, Question> byCode = new HashMap<>();
        questions.forEach(q -> byCode.put(q.code(), q));
        Question current = questions.get(0);
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode path = out.putArray("path");
        while (true) {
            String answer = given.remove(current.code());
            if (answer == null) {
                out.set("next", question(current));
                break;
            }
            Question q = current;
            Question.Answer chosen = q.answers().stream().filter(a -> a.code().equals(answer)).findFirst()
                    .orElseThrow(() -> ApiException.invalid("question '" + q.code() + "' has no answer '" + answer
                            + "'; it has " + q.answers().stream().map(Question.Answer::code).toList()));
            path.add(q.code() + ":" + chosen.code());
            if (chosen.situation() != null) {
                Situation s = item.situations().stream().filter(x -> x.code().equals(chosen.situation())).findFirst().orElseThrow();
                out.set("situation", situation(s, materials));
                break;
            }
            current = byCode.get(chosen.next());
        }
        if (!given.isEmpty()) {
            throw ApiException.invalid("answers " + given.keySet() + " are not on the path these answers take");
        }
        return out;
    }

    void form(HttpServletRequest req, HttpServletResponse resp, String code) throws IOException {
        item(code);
        String schema = catalogue.formSchema(code).orElseThrow(() -> ApiException.notFound("item '" + code + "' has no form"));
        ObjectNode o = Json.MAPPER.createObjectNode();
        JsonNode schemaNode = Json.MAPPER.readTree(schema);
        o.set("schema", schemaNode);
        ObjectNode prefill = o.putObject("prefill");
        String auth = req.getHeader("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            CitizenSession s = citizens.current(req);
            JsonNode props = schemaNode.path("properties");
            // The latest earlier case wins for each field the form has, so nobody types twice.
            List<CaseRecord> earlier = cases.mine(s);
            for (int i = earlier.size() - 1; i >= 0; i--) {
                JsonNode old = Json.MAPPER.readTree(earlier.get(i).formJson());
                for (Iterator<String> it = old.fieldNames(); it.hasNext();) {
                    String f = it.next();
                    if (props.has(f)) {
                        prefill.set(f, old.get(f));
                    }
                }
            }
            if (props.has("name")) {
                prefill.put("name", s.person().name());
            }
        }
        Json.write(resp, 200, o);
    }

    static ArrayNode fieldsJson(List<FieldError> errors) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (FieldError e : errors) {
            ObjectNode n = a.addObject();
            n.put("field", e.field());
            n.set("message", ApiServlet.text(e.message()));
        }
        return a;
    }

    private static ObjectNode question(Question q) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("code", q.code());
        n.set("text", ApiServlet.text(q.text()));
        ArrayNode answers = n.putArray("answers");
        for (Question.Answer a : q.answers()) {
            ObjectNode an = answers.addObject();
            an.put("code", a.code());
            an.set("text", ApiServlet.text(a.text()));
            if (a.next() != null) {
                an.put("next", a.next());
            } else {
                an.put("situation", a.situation());
            }
        }
        return n;
    }

    private static ObjectNode situation(Situation s, Map<String, Material> materials) {
        ObjectNode sn = Json.MAPPER.createObjectNode();
        sn.put("code", s.code());
        sn.set("name", ApiServlet.text(s.name()));
        ArrayNode mats = sn.putArray("materials");
        s.materials().forEach(code -> mats.add(material(materials.get(code))));
        return sn;
    }

    private static ObjectNode material(Material m) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("code", m.code());
        o.set("name", ApiServlet.text(m.name()));
        o.put("paper", m.paper());
        return o;
    }
}
