package org.budayang.api.hall;

/** A newly registered terminal and the token it must present on every call (shown once). */
public record Registration(Terminal terminal, String token) {
}
