package org.budayang.api.catalogue;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** The items of every active department module, as the module extender loaded them. */
@ProviderType
public interface Catalogue {
    /** Active departments in a stable order (by code). */
    List<Department> departments();

    /** Items of one department in the order its descriptor lists them; empty if unknown. */
    List<Item> items(String department);

    Optional<Item> item(String code);

    /**
     * The guidance questions of an item, the first one being where to start; empty when the
     * citizen simply picks a situation.
     *
     * @since 1.1
     */
    List<Question> questions(String item);

    /**
     * The item's form as a JSON Schema document, if the item has a form.
     *
     * @since 1.1
     */
    Optional<String> formSchema(String item);

    /**
     * Checks form data (a JSON object) against the item's form schema.
     *
     * @return every problem, one per field; empty when the form is valid or the item has no form
     * @since 1.1
     */
    List<FieldError> validateForm(String item, String formJson);
}
