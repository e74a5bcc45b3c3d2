package org.budayang.api.cases;

import java.util.List;

import org.budayang.api.catalogue.FieldError;

/** The form did not pass validation; nothing was filed. */
public class FormRejected extends CaseException {
    private static final long serialVersionUID = 1L;
    private final transient List<FieldError> errors;

    public FormRejected(List<FieldError> errors) {
        super(Kind.INVALID, "the form has " + errors.size() + " problem(s): "
                + String.join("; ", errors.stream().map(e -> e.field() + ": " + e.message().en()).toList()));
        this.errors = List.copyOf(errors);
    }

    public List<FieldError> errors() {
        return errors;
    }
}
