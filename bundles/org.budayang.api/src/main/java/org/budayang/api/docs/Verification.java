package org.budayang.api.docs;

import java.time.Instant;

import org.budayang.api.catalogue.LocalizedText;

/**
 * The answer to "is this document genuine?". Carries only what is safe to show anyone who
 * holds the code: no balances, and the holder masked.
 *
 * @param genuine whether the issue record's signature holds and, when a file was given, it is
 *        byte for byte the file issued
 * @param reason why not (null when genuine), in plain words
 * @param holder the holder's name masked, e.g. {@code 张*}
 * @param holderId the resident ID number masked, e.g. {@code 440305********1234}
 */
public record Verification(String code, boolean genuine, String reason, LocalizedText title, Instant issuedAt,
        LocalizedText hall, String holder, String holderId) {
}
