package org.budayang.api.catalogue;

/** A government department that ships one module, e.g. {@code tax} 税务. */
public record Department(String code, LocalizedText name) {
}
