package org.budayang.core.catalogue.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.budayang.api.catalogue.FieldError;
import org.budayang.api.catalogue.LocalizedText;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/**
 * An item's form as a JSON Schema (draft 2020-12), compiled once when the module loads, with
 * messages in both kiosk languages.
 */
public final class FormSchema {
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    private final String text;
    private final JsonSchema english;
    private final JsonSchema chinese;

    private FormSchema(String text, JsonSchema english, JsonSchema chinese) {
        this.text = text;
        this.english = english;
        this.chinese = chinese;
    }

    /**
     * @throws IllegalArgumentException naming what is wrong when the schema is not a valid
     *         JSON Schema 2020-12 document
     */
    static FormSchema compile(JsonNode schema) {
        if (!schema.isObject()) {
            throw new IllegalArgumentException("a form is a JSON Schema object");
        }
        return withLibraryLoader(() -> {
            JsonSchema meta = FACTORY.getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));
            Set<ValidationMessage> problems = meta.validate(schema);
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("not a valid JSON Schema: " + problems.iterator().next().getMessage());
            }
            return new FormSchema(schema.toString(), FACTORY.getSchema(schema, config(Locale.ENGLISH)),
                    FACTORY.getSchema(schema, config(Locale.SIMPLIFIED_CHINESE)));
        });
    }

    /**
     * The library finds its bundled meta-schemas through the thread context class loader; in
     * OSGi that loader is whoever called us, so point it at the library's own bundle.
     */
    private static <T> T withLibraryLoader(java.util.function.Supplier<T> work) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(JsonSchemaFactory.class.getClassLoader());
        try {
            return work.get();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static SchemaValidatorsConfig config(Locale locale) {
        return SchemaValidatorsConfig.builder().locale(locale).build();
    }

    String text() {
        return text;
    }

    /** One error per problem, with the field path and the message in Chinese and English. */
    List<FieldError> validate(JsonNode form) {
        List<ValidationMessage> en = withLibraryLoader(() -> new ArrayList<>(english.validate(form)));
        List<ValidationMessage> zh = withLibraryLoader(() -> new ArrayList<>(chinese.validate(form)));
        List<FieldError> out = new ArrayList<>();
        for (int i = 0; i < en.size(); i++) {
            ValidationMessage m = en.get(i);
            String zhText = i < zh.size() ? zh.get(i).getMessage() : m.getMessage();
            out.add(new FieldError(field(m), new LocalizedText(strip(zhText), strip(m.getMessage()))));
        }
        out.sort((a, b) -> a.field().compareTo(b.field()));
        return out;
    }

    /**
     * The instance location as a dotted path ({@code /property/address} and {@code $.property.address}
     * both become {@code property.address}); a missing required field is named.
     */
    static String field(ValidationMessage m) {
        String location = m.getInstanceLocation().toString();
        String path = location.startsWith("/") ? location.substring(1).replace('/', '.')
                : location.replaceFirst("^\\$\\.?", "");
        if ("required".equals(m.getType()) && m.getProperty() != null) {
            path = path.isEmpty() ? m.getProperty() : path + "." + m.getProperty();
        }
        return path.isEmpty() ? "(form)" : path;
    }

    private static String strip(String message) {
        // Messages start with the instance path, which the field already says.
        return message.replaceFirst("^(\\$|/)[^:]*:\\s*", "");
    }
}
