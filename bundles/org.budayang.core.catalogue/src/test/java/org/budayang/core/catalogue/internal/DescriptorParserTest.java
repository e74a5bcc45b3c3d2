package org.budayang.core.catalogue.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.budayang.api.catalogue.Item;
import org.budayang.api.catalogue.ItemKind;
import org.junit.Test;

public class DescriptorParserTest {
    private final DescriptorParser parser = new DescriptorParser();

    /** A valid descriptor; each test breaks one thing in it. */
    private static final String VALID = """
            {
              "format": 1,
              "department": {"code": "tax", "name": {"zh": "税务", "en": "Tax"}},
              "items": [
                {
                  "code": "000122001001",
                  "name": {"zh": "发票领取", "en": "Invoice pickup"},
                  "kind": "service",
                  "requires": ["printer.invoice"],
                  "materials": [
                    {"code": "id-card", "name": {"zh": "居民身份证", "en": "Resident ID card"}},
                    {"code": "licence", "name": {"zh": "营业执照", "en": "Business licence"}, "paper": true}
                  ],
                  "situations": [
                    {"code": "self", "name": {"zh": "本人领取", "en": "In person"}, "materials": ["id-card"]},
                    {"code": "company", "name": {"zh": "企业领取", "en": "For a company"}, "materials": ["id-card", "licence"]}
                  ]
                },
                {
                  "code": "000122001002",
                  "name": {"zh": "完税证明打印", "en": "Tax payment certificate"},
                  "kind": "certificate"
                }
              ]
            }
            """;

    private DescriptorException refuse(String json) {
        return refuse(json, "tax");
    }

    private DescriptorException refuse(String json, String header) {
        try {
            parser.parse(json.getBytes(StandardCharsets.UTF_8), header);
        } catch (DescriptorException e) {
            return e;
        }
        fail("descriptor was accepted: " + json);
        return null;
    }

    @Test
    public void readsItemsSituationsAndMaterialsInOrder() throws Exception {
        ModuleDescriptor d = parser.parse(VALID.getBytes(StandardCharsets.UTF_8), "tax");
        assertEquals("tax", d.department().code());
        assertEquals("税务", d.department().name().zh());
        assertEquals(List.of("000122001001", "000122001002"), d.items().stream().map(Item::code).toList());
        Item pickup = d.items().get(0);
        assertEquals(ItemKind.SERVICE, pickup.kind());
        assertEquals(Set.of("printer.invoice"), pickup.requires());
        assertEquals(List.of("id-card", "licence"), pickup.situations().get(1).materials());
        assertFalse(pickup.materials().get(0).paper());
        assertTrue(pickup.materials().get(1).paper());
        assertTrue(d.items().get(1).requires().isEmpty());
    }

    @Test
    public void unknownFieldIsNamedWithItsPath() {
        DescriptorException e = refuse(VALID.replace("\"kind\": \"certificate\"", "\"kind\": \"certificate\", \"colour\": \"red\""));
        assertEquals("items[1].colour", e.field());
        assertTrue(e.reason(), e.reason().startsWith("unknown field"));
    }

    @Test
    public void missingItemCode() {
        DescriptorException e = refuse(VALID.replace("\"code\": \"000122001002\",", ""));
        assertEquals("items[1].code", e.field());
        assertEquals("required field missing", e.reason());
    }

    @Test
    public void wrongTypes() {
        assertEquals("items[0].requires", refuse(VALID.replace("[\"printer.invoice\"]", "\"printer.invoice\"")).field());
        assertEquals("items[0].materials[1].paper", refuse(VALID.replace("\"paper\": true", "\"paper\": \"yes\"")).field());
        DescriptorException items = refuse("{\"department\": {\"code\": \"tax\", \"name\": {\"zh\": \"税务\", \"en\": \"Tax\"}}, \"items\": 5}");
        assertEquals("items", items.field());
        assertEquals("expected an array, found a number", items.reason());
        DescriptorException e = refuse(VALID.replace("\"code\": \"000122001002\"", "\"code\": 122001002"));
        assertEquals("items[1].code", e.field());
        assertEquals("expected a string, found a number", e.reason());
    }

    @Test
    public void unknownKind() {
        DescriptorException e = refuse(VALID.replace("\"kind\": \"certificate\"", "\"kind\": \"lottery\""));
        assertEquals("items[1].kind", e.field());
        assertTrue(e.reason(), e.reason().contains("lottery"));
    }

    @Test
    public void duplicateItemCodeInOneDescriptor() {
        DescriptorException e = refuse(VALID.replace("000122001002", "000122001001"));
        assertEquals("items[1].code", e.field());
        assertTrue(e.reason(), e.reason().contains("duplicate"));
    }

    @Test
    public void situationMayOnlyReferToDeclaredMaterials() {
        DescriptorException e = refuse(VALID.replace("[\"id-card\", \"licence\"]", "[\"id-card\", \"passport\"]"));
        assertEquals("items[0].situations[1].materials[1]", e.field());
        assertTrue(e.reason(), e.reason().contains("passport"));
    }

    @Test
    public void departmentMustMatchManifestHeader() {
        DescriptorException e = refuse(VALID, "medical");
        assertEquals("department.code", e.field());
        assertTrue(e.reason(), e.reason().contains("Budayang-Module: medical"));
    }

    @Test
    public void malformedJsonGivesLineAndColumn() {
        // The comma after "kind" on line 8 is missing; the parser trips on the next field, line 9.
        DescriptorException e = refuse(VALID.replace("\"kind\": \"service\",", "\"kind\": \"service\""));
        assertTrue(e.field(), e.field().startsWith("(line 9, column"));
        assertTrue(e.reason(), e.reason().startsWith("malformed JSON"));
    }

    @Test
    public void jsonPastTheParserLimitsIsMalformedWithItsPlace() {
        // Nesting and number length are limited explicitly, far below what a 1 MiB descriptor could hold.
        String deep = VALID.replace("\"format\": 1,", "\"format\": 1, \"x\": " + "[".repeat(2000) + "]".repeat(2000) + ",");
        DescriptorException e = refuse(deep);
        assertTrue(e.field(), e.field().matches("\\(line 2, column \\d+\\)"));
        assertEquals("malformed JSON: Document nesting depth (65) exceeds the maximum allowed (64)", e.reason());
        DescriptorException digits = refuse(VALID.replace("\"format\": 1", "\"format\": 1" + "0".repeat(200)));
        assertTrue(digits.field(), digits.field().startsWith("(line 2, column"));
        assertTrue(digits.reason(), digits.reason().startsWith("malformed JSON: Number value length (201) exceeds the maximum allowed (100)"));
    }

    @Test
    public void duplicateJsonKeyIsRefused() {
        DescriptorException e = refuse(VALID.replace("\"kind\": \"certificate\"", "\"kind\": \"certificate\", \"kind\": \"query\""));
        assertTrue(e.reason(), e.reason().contains("Duplicate field 'kind'"));
    }

    @Test
    public void badCapabilityNameAndEmptyItems() {
        assertEquals("items[0].requires[0]", refuse(VALID.replace("printer.invoice", "Printer Invoice")).field());
        String empty = VALID.substring(0, VALID.indexOf("\"items\"")) + "\"items\": []}";
        assertEquals("items", refuse(empty).field());
        assertEquals("format", refuse(VALID.replace("\"format\": 1", "\"format\": 2")).field());
    }

    /** The descriptors we ship must pass, and their item codes must not collide. */
    @Test
    public void shippedDepartmentDescriptorsAreValidAndDistinct() throws Exception {
        Set<String> codes = new HashSet<>();
        int total = 0;
        for (String dept : List.of("tax", "housingfund", "medical", "traffic", "realestate")) {
            ModuleDescriptor d = parser.parse(shipped(dept), dept);
            assertTrue(dept + " has at least 4 items", d.items().size() >= 4);
            assertTrue(dept + " has an item that needs a device", d.items().stream().anyMatch(i -> !i.requires().isEmpty()));
            assertTrue(dept + " has an item that needs none (so every terminal offers it)",
                    d.items().stream().anyMatch(i -> i.requires().isEmpty()));
            for (Item i : d.items()) {
                assertFalse(i.name().zh().isBlank() || i.name().en().isBlank());
                codes.add(i.code());
                total++;
            }
        }
        assertEquals("item codes unique across departments", total, codes.size());
        // Between them: a query, a certificate, an application with paper, and the traffic exam item.
        assertTrue(parser.parse(shipped("traffic"), "traffic").items().stream()
                .anyMatch(i -> i.requires().containsAll(Set.of("camera", "vision.tester", "height.tester"))));
    }

    static byte[] shipped(String dept) throws IOException {
        return Files.readAllBytes(Path.of("..", "org.budayang.dept." + dept, "src", "main", "resources", "OSGI-INF",
                "budayang", "module.json"));
    }
}
