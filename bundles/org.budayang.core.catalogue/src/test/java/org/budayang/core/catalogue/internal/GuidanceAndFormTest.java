package org.budayang.core.catalogue.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.budayang.api.catalogue.FieldError;
import org.budayang.api.catalogue.Question;
import org.junit.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

public class GuidanceAndFormTest {
    private final DescriptorParser parser = new DescriptorParser();

    private static String descriptor(String questions, String form) {
        return """
                {"department": {"code": "housingfund", "name": {"zh": "公积金", "en": "Housing fund"}},
                 "items": [{
                   "code": "000183001005", "name": {"zh": "退休提取", "en": "Withdrawal on retirement"},
                   "kind": "application",
                   "materials": [{"code": "id-card", "name": {"zh": "身份证", "en": "ID card"}},
                                 {"code": "proxy", "name": {"zh": "委托书", "en": "Power of attorney"}, "paper": true}],
                   "situations": [{"code": "self", "name": {"zh": "本人", "en": "In person"}, "materials": ["id-card"]},
                                  {"code": "agent", "name": {"zh": "代办", "en": "By an agent"}, "materials": ["id-card", "proxy"]}]
                """ + (questions == null ? "" : ", \"questions\": " + questions)
                + (form == null ? "" : ", \"form\": " + form) + "}]}";
    }

    private static final String TREE = """
            [{"code": "retired", "text": {"zh": "您是否已退休？", "en": "Are you retired?"},
              "answers": [{"code": "yes", "text": {"zh": "是", "en": "Yes"}, "next": "who"},
                          {"code": "no", "text": {"zh": "否", "en": "No"}, "situation": "agent"}]},
             {"code": "who", "text": {"zh": "由谁办理？", "en": "Who is applying?"},
              "answers": [{"code": "me", "text": {"zh": "本人", "en": "Myself"}, "situation": "self"},
                          {"code": "other", "text": {"zh": "他人代办", "en": "Someone for me"}, "situation": "agent"}]}]
            """;

    private static final String FORM = """
            {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
             "required": ["phone", "bank"],
             "properties": {
               "phone": {"type": "string", "pattern": "^1[3-9][0-9]{9}$"},
               "bank": {"type": "object", "required": ["account"],
                        "properties": {"account": {"type": "string", "minLength": 12}}},
               "amount": {"type": "number", "minimum": 0}}}
            """;

    private ModuleDescriptor parse(String json) throws DescriptorException {
        return parser.parse(json.getBytes(StandardCharsets.UTF_8), "housingfund");
    }

    private DescriptorException refuse(String json) {
        try {
            parse(json);
        } catch (DescriptorException e) {
            return e;
        }
        fail("accepted");
        return null;
    }

    @Test
    public void questionTreeLeadsToSituations() throws Exception {
        List<Question> q = parse(descriptor(TREE, null)).questions().get("000183001005");
        assertEquals("retired", q.get(0).code());
        assertEquals("who", q.get(0).answers().get(0).next());
        assertEquals("agent", q.get(0).answers().get(1).situation());
        assertEquals("self", q.get(1).answers().get(0).situation());
    }

    @Test
    public void brokenTreesAreRefusedWithThePath() {
        DescriptorException loop = refuse(descriptor(TREE.replace("\"situation\": \"self\"", "\"next\": \"retired\""), null));
        assertEquals("items[0].questions[1].answers[0].next", loop.field());
        assertTrue(loop.reason(), loop.reason().contains("no loops"));
        DescriptorException unknown = refuse(descriptor(TREE.replace("\"situation\": \"agent\"}]},", "\"situation\": \"retiree\"}]},"), null));
        assertEquals("items[0].questions[0].answers[1].situation", unknown.field());
        DescriptorException both = refuse(descriptor(TREE.replace("\"next\": \"who\"", "\"next\": \"who\", \"situation\": \"self\""), null));
        assertEquals("items[0].questions[0].answers[0]", both.field());
        DescriptorException missing = refuse(descriptor(TREE.replace("\"next\": \"who\"", "\"next\": \"whom\""), null));
        assertTrue(missing.reason(), missing.reason().contains("no question 'whom'"));
    }

    @Test
    public void formsAreValidatedPerFieldInBothLanguages() throws Exception {
        FormSchema form = parse(descriptor(null, FORM)).forms().get("000183001005");
        ObjectMapper json = new ObjectMapper();
        assertEquals(List.of(), form.validate(json.readTree("{\"phone\": \"13800138000\", \"bank\": {\"account\": \"622202123456789\"}}")));
        List<FieldError> errors = form.validate(json.readTree("{\"phone\": \"12345\", \"bank\": {}, \"amount\": -5}"));
        assertEquals(List.of("amount", "bank.account", "phone"), errors.stream().map(FieldError::field).toList());
        for (FieldError e : errors) {
            assertFalse(e.message().en().isBlank());
            assertFalse(e.message().zh().isBlank());
            assertFalse("messages do not repeat the path", e.message().en().startsWith("$"));
        }
        assertEquals(List.of("bank", "phone"), form.validate(json.readTree("{}")).stream().map(FieldError::field).toList());
    }

    @Test
    public void aBrokenRegularExpressionIsADescriptorErrorNamingThePattern() {
        DescriptorException e = refuse(descriptor(null, FORM.replace("^1[3-9][0-9]{9}$", "^1[3-9")));
        assertEquals("items[0].form", e.field());
        assertEquals("not a valid JSON Schema: properties.phone.pattern: '^1[3-9' is not a valid regular expression "
                + "(Unclosed character class near index 5)", e.reason());
        DescriptorException names = refuse(descriptor(null, "{\"type\": \"object\", \"patternProperties\": {\"([\": {}}}"));
        assertEquals("items[0].form", names.field());
        assertTrue(names.reason(), names.reason().startsWith("not a valid JSON Schema: patternProperties: '([' is not a valid "
                + "regular expression"));
    }

    @Test
    public void aFormThatNoSubmissionCouldMeetIsRefused() {
        for (String form : List.of("{\"type\": \"string\"}", "{\"type\": [\"object\", \"null\"]}",
                "{\"properties\": {\"phone\": {\"type\": \"string\"}}}")) {
            DescriptorException e = refuse(descriptor(null, form));
            assertEquals(form, "items[0].form", e.field());
            assertTrue(e.reason(), e.reason().startsWith("type: a form's top level is \"type\": \"object\""));
        }
    }

    @Test
    public void aFormIsJsonSchema2020OnlyAndNeverFetchesAnother() {
        for (String dialect : List.of("http://json-schema.org/draft-07/schema#", "http://127.0.0.1:9/meta-schema", "5")) {
            String value = dialect.equals("5") ? dialect : "\"" + dialect + "\"";
            DescriptorException e = refuse(descriptor(null, "{\"$schema\": " + value + ", \"type\": \"object\"}"));
            assertEquals("items[0].form", e.field());
            assertTrue(e.reason(), e.reason().startsWith("$schema: forms are JSON Schema 2020-12")
                    && e.reason().endsWith("found " + value));
        }
    }

    @Test
    public void aQueryItemTakesNoForm() {
        DescriptorException e = refuse(descriptor(null, FORM).replace("\"kind\": \"application\"", "\"kind\": \"query\""));
        assertEquals("items[0].form", e.field());
        assertTrue(e.reason(), e.reason().startsWith("a query item takes no form"));
    }

    @Test
    public void guidanceReachesEverySituationAndQuestion() {
        // Both answers of the second question settle "self": "agent" is still reached from the first.
        String tree = TREE.replace("\"situation\": \"agent\"}]}]", "\"situation\": \"self\"}]}]");
        refuseNothing(descriptor(tree, null));
        DescriptorException unreached = refuse(descriptor(tree.replace("\"situation\": \"agent\"}]},", "\"next\": \"who\"}]},"), null));
        assertEquals("items[0].situations[1]", unreached.field());
        assertTrue(unreached.reason(), unreached.reason().startsWith("no answer in items[0].questions leads to situation 'agent'"));
        DescriptorException neverAsked = refuse(descriptor(TREE.replace("\"next\": \"who\"", "\"situation\": \"self\""), null));
        assertEquals("items[0].questions[1]", neverAsked.field());
        assertTrue(neverAsked.reason(), neverAsked.reason().startsWith("no answer leads to question 'who'"));
    }

    private void refuseNothing(String json) {
        try {
            parse(json);
        } catch (DescriptorException e) {
            throw new AssertionError("refused: " + e.getMessage(), e);
        }
    }

    @Test
    public void messagesStartWithWhatIsWrongNotWithAnEmptyPath() throws Exception {
        FormSchema form = parse(descriptor(null, FORM)).forms().get("000183001005");
        List<FieldError> errors = form.validate(new ObjectMapper().readTree("\"13800138000\""));
        assertEquals("(form)", errors.get(0).field());
        assertEquals("string found, object expected", errors.get(0).message().en());
        assertFalse(errors.get(0).message().zh(), errors.get(0).message().zh().startsWith(":"));
        DescriptorException e = refuse(descriptor(null, "{\"type\": \"object\", \"required\": 5}"));
        assertEquals("not a valid JSON Schema: required: integer found, array expected", e.reason());
    }

    @Test
    public void anInvalidSchemaRefusesTheModule() {
        DescriptorException e = refuse(descriptor(null, "{\"type\": \"strange\"}"));
        assertEquals("items[0].form", e.field());
        assertTrue(e.reason(), e.reason().startsWith("not a valid JSON Schema"));
        assertEquals("items[0].form", refuse(descriptor(null, "[1]")).field());
    }
}
