package org.budayang.api.docs;

import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** Issuing sealed documents and verifying them. */
@ProviderType
public interface DocumentService {
    /**
     * Fetches the citizen's data from the item's department, renders, seals, signs and records
     * the document.
     *
     * @throws DocumentException NOT_FOUND for an item the terminal does not offer,
     *         NOT_A_DOCUMENT for an item that is neither a query nor a certificate,
     *         NO_RECORDS when the department knows nothing about the person for it,
     *         UNAVAILABLE when the department's back office does not answer
     */
    SealedDocument issue(DocumentRequest request);

    /**
     * Checks a document.
     *
     * @param pdf the file to check, or null to check only that the code was issued and its
     *        record is intact
     * @return empty for a code that was never issued
     */
    Optional<Verification> verify(String code, byte[] pdf);

    /**
     * A printable blank form for filling by hand: the materials to bring for the situation and
     * the form's fields with room to write. Holds no personal data, so it needs no login.
     *
     * @param situation may be null for an item without situations (or to list every material)
     * @throws DocumentException NOT_FOUND for an unknown item or situation
     */
    byte[] blankForm(String item, String situation);
}
