package org.budayang.api.catalogue;

/**
 * A form field that did not pass validation.
 *
 * @param field path of the field in the form, e.g. {@code phone} or {@code property.address}
 * @since 1.1
 */
public record FieldError(String field, LocalizedText message) {
}
