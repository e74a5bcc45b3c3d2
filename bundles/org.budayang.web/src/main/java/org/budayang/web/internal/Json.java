package org.budayang.web.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import javax.servlet.http.HttpServletResponse;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Reading request bodies strictly and reporting the exact field that is wrong. */
final class Json {
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();
    static final int MAX_BODY = 64 * 1024;
    /** No request body nests deeper than a few levels; a case's form is an object in an object. */
    static final int MAX_DEPTH = 32;
    /** Digits of one number: more is no amount or count, and long numbers are costly to convert. */
    static final int MAX_NUMBER_LENGTH = 100;
    /**
     * Request bodies are read with explicit limits, so that what the parser refuses is a
     * {@code 400 malformed_json} like any other broken body (strings are bounded by the body).
     */
    private static final ObjectMapper BODIES = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_DEPTH)
                            .maxNumberLength(MAX_NUMBER_LENGTH)
                            .maxStringLength(MAX_BODY)
                            .maxNameLength(MAX_BODY)
                            .build())
                    .build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private Json() {
    }

    /**
     * The raw body, at most {@link #MAX_BODY} bytes: every request body is read through here (or
     * {@link #object}) before anything parses it, so a huge body costs no more than that.
     */
    static byte[] bytes(InputStream body) throws IOException {
        byte[] bytes = body.readNBytes(MAX_BODY + 1);
        if (bytes.length > MAX_BODY) {
            throw new ApiException(413, "too_large", "request body is larger than " + MAX_BODY + " bytes");
        }
        return bytes;
    }

    /**
     * The body as a JSON object whose fields are all in {@code allowed}; null allows any field
     * (for bodies a plug-in such as a login method checks itself).
     */
    static ObjectNode object(InputStream body, Set<String> allowed) throws IOException {
        byte[] bytes = bytes(body);
        JsonNode node;
        try (JsonParser parser = BODIES.createParser(bytes)) {
            try {
                node = BODIES.readTree(parser);
            } catch (JsonProcessingException e) {
                // A limit the parser enforces comes without a location: where the parser stopped is it.
                JsonLocation at = e.getLocation() != null ? e.getLocation() : parser.currentLocation();
                throw new ApiException(400, "malformed_json", "request body is not valid JSON: " + reason(e)
                        + (at == null || at.getLineNr() < 0 ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
            }
        }
        if (node == null || node.isMissingNode()) {
            throw new ApiException(400, "malformed_json", "request body is empty; a JSON object is expected");
        }
        if (!node.isObject()) {
            throw new ApiException(400, "malformed_json", "request body must be a JSON object");
        }
        for (Iterator<String> it = node.fieldNames(); allowed != null && it.hasNext();) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw ApiException.invalid("unknown field '" + f + "' (allowed: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            }
        }
        return (ObjectNode) node;
    }

    /** The parser's words without its internals (the name of the setting a limit comes from). */
    private static String reason(JsonProcessingException e) {
        String m = e.getOriginalMessage();
        return m == null ? e.getClass().getSimpleName() : m.replaceFirst(", from `[^`]*`\\)", ")");
    }

    static JsonNode required(JsonNode o, String field, String path) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            throw ApiException.invalid("field '" + path + "' is required");
        }
        return v;
    }

    static String string(JsonNode o, String field, String path) {
        JsonNode v = required(o, field, path);
        if (!v.isTextual()) {
            throw ApiException.invalid("field '" + path + "' must be a string");
        }
        return v.textValue();
    }

    static boolean bool(JsonNode o, String field) {
        JsonNode v = required(o, field, field);
        if (!v.isBoolean()) {
            throw ApiException.invalid("field '" + field + "' must be true or false");
        }
        return v.booleanValue();
    }

    static List<String> strings(JsonNode o, String field) {
        JsonNode v = required(o, field, field);
        if (!v.isArray()) {
            throw ApiException.invalid("field '" + field + "' must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual()) {
                throw ApiException.invalid("field '" + field + "[" + i + "]' must be a string");
            }
            out.add(v.get(i).textValue());
        }
        return out;
    }

    /** Drops what a failed handler set, but not the security headers every response carries. */
    static void reset(HttpServletResponse resp) {
        resp.reset();
        SecurityHeaders.apply(resp);
    }

    static void write(HttpServletResponse resp, int status, JsonNode body) throws IOException {
        write(resp, status, MAPPER.writeValueAsBytes(body));
    }

    static void write(HttpServletResponse resp, int status, byte[] body) throws IOException {
        resp.setStatus(status);
        resp.setContentType("application/json;charset=utf-8");
        resp.setContentLength(body.length);
        try (OutputStream out = resp.getOutputStream()) {
            out.write(body);
        }
    }

    static void error(HttpServletResponse resp, int status, String code, String message, Object detail)
            throws IOException {
        error(resp, status, code, message, detail, 0);
    }

    /** An error answer; {@code retryAfter} seconds > 0 add a {@code Retry-After} header. */
    static void error(HttpServletResponse resp, int status, String code, String message, Object detail, long retryAfter)
            throws IOException {
        if (resp.isCommitted()) {
            return;
        }
        reset(resp);
        if (retryAfter > 0) {
            resp.setHeader("Retry-After", Long.toString(retryAfter));
        }
        if (status == 401 && "unauthorized".equals(code)) {
            resp.setHeader("WWW-Authenticate", "Basic realm=\"budayang\", charset=\"UTF-8\"");
        }
        ObjectNode o = MAPPER.createObjectNode();
        o.put("error", code);
        o.put("message", message);
        if (detail instanceof com.fasterxml.jackson.databind.node.ArrayNode fields) {
            o.set("fields", fields);
        } else if (detail instanceof JsonNode node) {
            o.set("module", node);
        }
        byte[] body = o.toString().getBytes(StandardCharsets.UTF_8);
        write(resp, status, body);
    }
}
