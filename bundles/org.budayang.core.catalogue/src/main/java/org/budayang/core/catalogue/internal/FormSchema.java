package org.budayang.core.catalogue.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

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
    /** The only dialect: clients are told a form is 2020-12, and the validator reads it so. */
    static final String DIALECT = "https://json-schema.org/draft/2020-12/schema";

    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    /**
     * The 2020-12 meta-schema with {@code format} asserted, so that a {@code pattern} or a
     * {@code patternProperties} name that is no regular expression is a problem found here,
     * with its place, rather than an exception from deep inside the library.
     */
    private static final JsonSchema META = withLibraryLoader(() -> FACTORY.getSchema(
            SchemaLocation.of(DIALECT),
            SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build()));

    private final String text;
    private final JsonSchema english;
    private final JsonSchema chinese;

    private FormSchema(String text, JsonSchema english, JsonSchema chinese) {
        this.text = text;
        this.english = english;
        this.chinese = chinese;
    }

    /**
     * @throws IllegalArgumentException naming what is wrong (and where in the form) when the
     *         schema is not a valid JSON Schema 2020-12 document or cannot describe a case's form
     */
    static FormSchema compile(JsonNode schema) {
        if (!schema.isObject()) {
            throw new IllegalArgumentException("a form is a JSON Schema object, found " + DescriptorParser.type(schema));
        }
        JsonNode dialect = schema.get("$schema");
        if (dialect != null && !(dialect.isTextual() && dialect.textValue().equals(DIALECT))) {
            // Checked before the library sees it: it would fetch an unknown meta-schema from the network.
            throw new IllegalArgumentException("$schema: forms are JSON Schema 2020-12, so '$schema' is " + DIALECT
                    + " or left out, found " + shortly(dialect));
        }
        return withLibraryLoader(() -> {
            Set<ValidationMessage> problems = META.validate(schema);
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("not a valid JSON Schema: " + describe(problems.iterator().next()));
            }
            // A case's form is a JSON object: a schema for anything else could never be met.
            JsonNode type = schema.get("type");
            if (type == null || !type.isTextual() || !type.textValue().equals("object")) {
                throw new IllegalArgumentException("type: a form's top level is \"type\": \"object\" (a case's form is a JSON "
                        + "object, so no submission could match anything else), found " + (type == null ? "none" : shortly(type)));
            }
            try {
                return new FormSchema(schema.toString(), FACTORY.getSchema(schema, config(Locale.ENGLISH)),
                        FACTORY.getSchema(schema, config(Locale.SIMPLIFIED_CHINESE)));
            } catch (RuntimeException e) {
                // Whatever the meta-schema let through and the library still cannot compile.
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                String why = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage().lines().findFirst().orElse("");
                throw new IllegalArgumentException("not a valid JSON Schema: " + why, e);
            }
        });
    }

    /**
     * A meta-schema problem as "where in the form: what", with a broken regular expression named
     * with its text and the regex engine's reason (the validator compiles {@code pattern} and
     * {@code patternProperties} with {@link Pattern}).
     */
    private static String describe(ValidationMessage m) {
        String where = path(m.getInstanceLocation().toString());
        Object[] args = m.getArguments();
        String regex = null;
        if ("format".equals(m.getType()) && args != null && args.length > 0 && "regex".equals(args[0])
                && m.getInstanceNode() != null && m.getInstanceNode().isTextual()) {
            regex = m.getInstanceNode().textValue();
        } else if ("propertyNames".equals(m.getType()) && where.endsWith("patternProperties") && args != null && args.length > 0) {
            regex = String.valueOf(args[0]);
        }
        if (regex != null) {
            try {
                Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                return where + ": '" + regex + "' is not a valid regular expression (" + e.getDescription()
                        + (e.getIndex() >= 0 ? " near index " + e.getIndex() : "") + ")";
            }
        }
        return (where.isEmpty() ? "" : where + ": ") + strip(m);
    }

    private static String shortly(JsonNode n) {
        String s = n.toString();
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
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
            String zhText = i < zh.size() ? strip(zh.get(i)) : strip(m);
            out.add(new FieldError(field(m), new LocalizedText(zhText, strip(m))));
        }
        out.sort((a, b) -> a.field().compareTo(b.field()));
        return out;
    }

    /**
     * The instance location as a dotted path ({@code /property/address} and {@code $.property.address}
     * both become {@code property.address}); a missing required field is named.
     */
    static String field(ValidationMessage m) {
        String path = path(m.getInstanceLocation().toString());
        if ("required".equals(m.getType()) && m.getProperty() != null) {
            path = path.isEmpty() ? m.getProperty() : path + "." + m.getProperty();
        }
        return path.isEmpty() ? "(form)" : path;
    }

    /** {@code /property/address} and {@code $.property.address} both become {@code property.address}. */
    private static String path(String location) {
        return location.startsWith("/") ? location.substring(1).replace('/', '.') : location.replaceFirst("^\\$\\.?", "");
    }

    /**
     * The message without the instance location it starts with, which the field already says
     * (for the form's top level that location is empty and left a bare ": " in front).
     */
    private static String strip(ValidationMessage m) {
        String message = m.getMessage();
        String prefix = m.getInstanceLocation().toString() + ":";
        return message.startsWith(prefix) ? message.substring(prefix.length()).strip() : message;
    }
}
