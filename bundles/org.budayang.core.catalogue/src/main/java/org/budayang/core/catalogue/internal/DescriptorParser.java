package org.budayang.core.catalogue.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import org.budayang.api.catalogue.Department;
import org.budayang.api.catalogue.Item;
import org.budayang.api.catalogue.ItemKind;
import org.budayang.api.catalogue.LocalizedText;
import org.budayang.api.catalogue.Material;
import org.budayang.api.catalogue.Question;
import org.budayang.api.catalogue.Situation;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Reads {@code OSGI-INF/budayang/module.json} and checks every field, so that a vendor learns
 * exactly which field is wrong and why. Strict on purpose: an unknown field is a typo until
 * the format says otherwise.
 */
public final class DescriptorParser {
    static final Pattern DEPARTMENT_CODE = Pattern.compile("[a-z][a-z0-9-]{1,31}");
    static final Pattern ITEM_CODE = Pattern.compile("[0-9A-Za-z][0-9A-Za-z_-]{3,63}");
    static final Pattern LOCAL_CODE = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    public static final Pattern CAPABILITY = Pattern.compile("[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)*");

    /** A descriptor nests a form schema a few levels down; far fewer levels than this. */
    static final int MAX_DEPTH = 64;
    static final int MAX_NUMBER_LENGTH = 100;
    /**
     * Explicit limits (strings and names are bounded by {@code max.descriptor.bytes} already):
     * what the parser refuses is a descriptor error with its place, like any malformed JSON.
     */
    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_DEPTH)
                            .maxNumberLength(MAX_NUMBER_LENGTH)
                            .build())
                    .build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    /**
     * @param declaredDepartment the value of the bundle's {@code Budayang-Module} header
     */
    public ModuleDescriptor parse(byte[] json, String declaredDepartment) throws DescriptorException {
        JsonNode root;
        try (JsonParser p = MAPPER.createParser(json)) {
            try {
                root = MAPPER.readTree(p);
            } catch (JsonProcessingException e) {
                // A limit the parser enforces comes without a location: where the parser stopped is it.
                JsonLocation loc = e.getLocation() != null ? e.getLocation() : p.currentLocation();
                String m = e.getOriginalMessage() == null ? e.toString() : e.getOriginalMessage().replaceFirst(", from `[^`]*`\\)", ")");
                throw new DescriptorException("(line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")",
                        "malformed JSON: " + m);
            }
        } catch (IOException e) {
            throw new DescriptorException("(file)", "unreadable: " + e.getMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw new DescriptorException("(file)", "empty descriptor");
        }
        Obj top = new Obj(root, "", Set.of("format", "department", "items"));
        if (top.has("format")) {
            int format = top.integer("format");
            if (format != 1) {
                throw new DescriptorException("format", "unsupported format " + format + " (this platform reads 1)");
            }
        }
        Obj dept = top.object("department", Set.of("code", "name"));
        String code = dept.string("code", DEPARTMENT_CODE);
        if (!code.equals(declaredDepartment)) {
            throw new DescriptorException("department.code", "'" + code
                    + "' does not match the manifest header Budayang-Module: " + declaredDepartment);
        }
        Department department = new Department(code, dept.text("name"));
        List<Obj> itemNodes = top.array("items", Set.of("code", "name", "kind", "requires", "materials", "situations",
                "questions", "form"));
        if (itemNodes.isEmpty()) {
            throw new DescriptorException("items", "a module must offer at least one item");
        }
        List<Item> items = new ArrayList<>();
        Map<String, List<Question>> questions = new HashMap<>();
        Map<String, FormSchema> forms = new HashMap<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Obj node : itemNodes) {
            Item item = item(node, code);
            if (!seen.add(item.code())) {
                throw new DescriptorException(node.path + ".code", "duplicate item code '" + item.code() + "'");
            }
            items.add(item);
            if (node.has("questions")) {
                questions.put(item.code(), questions(node, item));
            }
            if (node.has("form")) {
                if (item.kind() == ItemKind.QUERY) {
                    // Nothing would ever show or take it: a query issues its document from the records.
                    throw new DescriptorException(node.at("form"), "a query item takes no form: its document comes from the "
                            + "department's records (an application or service item takes a form)");
                }
                try {
                    forms.put(item.code(), FormSchema.compile(node.required("form")));
                } catch (IllegalArgumentException e) {
                    throw new DescriptorException(node.at("form"), e.getMessage());
                }
            }
        }
        return new ModuleDescriptor(department, items, questions, forms);
    }

    /**
     * The guidance tree: every answer leads to another question or settles a situation of the
     * item, the first question is the start, and no path loops back.
     */
    private static List<Question> questions(Obj item, Item parsed) throws DescriptorException {
        if (parsed.situations().isEmpty()) {
            throw new DescriptorException(item.at("questions"), "guidance questions need situations to lead to");
        }
        Set<String> situationCodes = new HashSet<>();
        parsed.situations().forEach(s -> situationCodes.add(s.code()));
        List<Obj> nodes = item.array("questions", Set.of("code", "text", "answers"));
        if (nodes.isEmpty()) {
            throw new DescriptorException(item.at("questions"), "leave it out rather than empty");
        }
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            String qc = nodes.get(i).string("code", LOCAL_CODE);
            if (index.put(qc, i) != null) {
                throw new DescriptorException(nodes.get(i).at("code"), "duplicate question code '" + qc + "'");
            }
        }
        List<Question> out = new ArrayList<>();
        for (Obj q : nodes) {
            List<Question.Answer> answers = new ArrayList<>();
            Set<String> answerCodes = new HashSet<>();
            List<Obj> answerNodes = q.array("answers", Set.of("code", "text", "next", "situation"));
            if (answerNodes.size() < 2) {
                throw new DescriptorException(q.at("answers"), "a question needs at least two answers");
            }
            for (Obj a : answerNodes) {
                String ac = a.string("code", LOCAL_CODE);
                if (!answerCodes.add(ac)) {
                    throw new DescriptorException(a.at("code"), "duplicate answer code '" + ac + "'");
                }
                boolean hasNext = a.has("next");
                if (hasNext == a.has("situation")) {
                    throw new DescriptorException(a.path, "an answer has either 'next' (a question) or 'situation', not "
                            + (hasNext ? "both" : "neither"));
                }
                String next = hasNext ? a.string("next", LOCAL_CODE) : null;
                String situation = hasNext ? null : a.string("situation", LOCAL_CODE);
                if (next != null && (!index.containsKey(next) || index.get(next) <= index.get(q.string("code", null)))) {
                    throw new DescriptorException(a.at("next"), index.containsKey(next)
                            ? "'" + next + "' comes before this question; guidance only goes forward (no loops)"
                            : "no question '" + next + "' in " + item.at("questions"));
                }
                if (situation != null && !situationCodes.contains(situation)) {
                    throw new DescriptorException(a.at("situation"), "no situation '" + situation + "' in " + item.at("situations"));
                }
                answers.add(new Question.Answer(ac, a.text("text"), next, situation));
            }
            out.add(new Question(q.string("code", null), q.text("text"), answers));
        }
        reachable(item, parsed, out);
        return out;
    }

    /**
     * Guidance is where a citizen finds their situation: a question no answer leads to is never
     * asked, a situation no answer settles can never be chosen.
     */
    private static void reachable(Obj item, Item parsed, List<Question> questions) throws DescriptorException {
        Set<String> asked = new HashSet<>();
        Set<String> settled = new HashSet<>();
        asked.add(questions.get(0).code());
        // Answers only lead forward, so one pass in order sees every question after all that lead to it.
        for (Question q : questions) {
            if (!asked.contains(q.code())) {
                continue;
            }
            for (Question.Answer a : q.answers()) {
                if (a.next() != null) {
                    asked.add(a.next());
                } else {
                    settled.add(a.situation());
                }
            }
        }
        for (int i = 0; i < questions.size(); i++) {
            if (!asked.contains(questions.get(i).code())) {
                throw new DescriptorException(item.at("questions") + "[" + i + "]", "no answer leads to question '"
                        + questions.get(i).code() + "', so it is never asked (only the first question needs none)");
            }
        }
        for (int i = 0; i < parsed.situations().size(); i++) {
            String code = parsed.situations().get(i).code();
            if (!settled.contains(code)) {
                throw new DescriptorException(item.at("situations") + "[" + i + "]", "no answer in " + item.at("questions")
                        + " leads to situation '" + code + "', so a citizen who follows the questions can never choose it");
            }
        }
    }

    private static Item item(Obj o, String department) throws DescriptorException {
        String code = o.string("code", ITEM_CODE);
        LocalizedText name = o.text("name");
        String kindText = o.string("kind", null);
        ItemKind kind;
        try {
            kind = ItemKind.valueOf(kindText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new DescriptorException(o.path + ".kind",
                    "'" + kindText + "' is not one of query, certificate, application, service");
        }
        Set<String> requires = new LinkedHashSet<>();
        if (o.has("requires")) {
            for (Str s : o.strings("requires")) {
                if (!CAPABILITY.matcher(s.value).matches()) {
                    throw new DescriptorException(s.path, "'" + s.value + "' is not a capability name like printer.a4");
                }
                requires.add(s.value);
            }
        }
        List<Material> materials = new ArrayList<>();
        Set<String> materialCodes = new LinkedHashSet<>();
        if (o.has("materials")) {
            for (Obj m : o.array("materials", Set.of("code", "name", "paper"))) {
                String mc = m.string("code", LOCAL_CODE);
                if (!materialCodes.add(mc)) {
                    throw new DescriptorException(m.path + ".code", "duplicate material code '" + mc + "'");
                }
                materials.add(new Material(mc, m.text("name"), m.has("paper") && m.bool("paper")));
            }
        }
        List<Situation> situations = new ArrayList<>();
        Set<String> situationCodes = new LinkedHashSet<>();
        if (o.has("situations")) {
            for (Obj s : o.array("situations", Set.of("code", "name", "materials"))) {
                String sc = s.string("code", LOCAL_CODE);
                if (!situationCodes.add(sc)) {
                    throw new DescriptorException(s.path + ".code", "duplicate situation code '" + sc + "'");
                }
                List<String> refs = new ArrayList<>();
                if (s.has("materials")) {
                    for (Str ref : s.strings("materials")) {
                        if (!materialCodes.contains(ref.value)) {
                            throw new DescriptorException(ref.path, "material '" + ref.value
                                    + "' is not declared in " + o.path + ".materials");
                        }
                        refs.add(ref.value);
                    }
                }
                situations.add(new Situation(sc, s.text("name"), refs));
            }
        }
        return new Item(code, department, name, kind, requires, situations, materials);
    }

    private record Str(String value, String path) {
    }

    /** A JSON object with its path, answering typed reads with precise errors. */
    private static final class Obj {
        final JsonNode node;
        final String path;

        Obj(JsonNode node, String path, Set<String> allowed) throws DescriptorException {
            this.node = node;
            this.path = path;
            if (!node.isObject()) {
                throw new DescriptorException(path.isEmpty() ? "(root)" : path, "expected an object, found " + type(node));
            }
            for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
                String f = it.next();
                if (!allowed.contains(f)) {
                    throw new DescriptorException(at(f), "unknown field (allowed: " + String.join(", ", sorted(allowed)) + ")");
                }
            }
        }

        String at(String f) {
            return path.isEmpty() ? f : path + "." + f;
        }

        boolean has(String f) {
            return node.has(f) && !node.get(f).isNull();
        }

        JsonNode required(String f) throws DescriptorException {
            if (!has(f)) {
                throw new DescriptorException(at(f), "required field missing");
            }
            return node.get(f);
        }

        String string(String f, Pattern pattern) throws DescriptorException {
            JsonNode v = required(f);
            if (!v.isTextual()) {
                throw new DescriptorException(at(f), "expected a string, found " + type(v));
            }
            String s = v.textValue().strip();
            if (s.isEmpty()) {
                throw new DescriptorException(at(f), "must not be blank");
            }
            if (pattern != null && !pattern.matcher(s).matches()) {
                throw new DescriptorException(at(f), "'" + s + "' does not match " + pattern.pattern());
            }
            return s;
        }

        int integer(String f) throws DescriptorException {
            JsonNode v = required(f);
            if (!v.isInt()) {
                throw new DescriptorException(at(f), "expected an integer, found " + type(v));
            }
            return v.intValue();
        }

        boolean bool(String f) throws DescriptorException {
            JsonNode v = required(f);
            if (!v.isBoolean()) {
                throw new DescriptorException(at(f), "expected true or false, found " + type(v));
            }
            return v.booleanValue();
        }

        Obj object(String f, Set<String> allowed) throws DescriptorException {
            return new Obj(required(f), at(f), allowed);
        }

        LocalizedText text(String f) throws DescriptorException {
            Obj t = object(f, Set.of("zh", "en"));
            return new LocalizedText(t.string("zh", null), t.string("en", null));
        }

        List<Obj> array(String f, Set<String> allowed) throws DescriptorException {
            JsonNode v = required(f);
            if (!v.isArray()) {
                throw new DescriptorException(at(f), "expected an array, found " + type(v));
            }
            List<Obj> out = new ArrayList<>();
            for (int i = 0; i < v.size(); i++) {
                out.add(new Obj(v.get(i), at(f) + "[" + i + "]", allowed));
            }
            return out;
        }

        List<Str> strings(String f) throws DescriptorException {
            JsonNode v = required(f);
            if (!v.isArray()) {
                throw new DescriptorException(at(f), "expected an array of strings, found " + type(v));
            }
            List<Str> out = new ArrayList<>();
            for (int i = 0; i < v.size(); i++) {
                JsonNode e = v.get(i);
                String p = at(f) + "[" + i + "]";
                if (!e.isTextual() || e.textValue().isBlank()) {
                    throw new DescriptorException(p, "expected a non-blank string, found " + type(e));
                }
                out.add(new Str(e.textValue().strip(), p));
            }
            return out;
        }
    }

    private static List<String> sorted(Set<String> s) {
        List<String> l = new ArrayList<>(s);
        l.sort(null);
        return l;
    }

    static String type(JsonNode n) {
        if (n.isTextual()) {
            return "a string";
        }
        if (n.isNumber()) {
            return "a number";
        }
        if (n.isBoolean()) {
            return "a boolean";
        }
        if (n.isArray()) {
            return "an array";
        }
        if (n.isObject()) {
            return "an object";
        }
        return "null";
    }
}
